"""journal-bot: the Telegram front end of a vocational college's electronic journal."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCALES_DIR = PROJECT_ROOT / "locales"
