"""The foundation every layer stands on: settings, translations, the clock, errors.

It imports nothing of the product (checked by the import contract in ``pyproject.toml``).
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCALES_DIR = PROJECT_ROOT / "locales"
