"""Importing a college from a workbook (XLSX) or a folder of CSV files.

The layout of the file is in docs/import-format.md. ``import_college`` checks the whole file
first and writes nothing if anything is wrong; ``render_report`` prints the outcome.
"""

from .positions import BUILTIN_BY_ROLE, BUILTIN_POSITIONS, RIGHTS, ensure_builtin_positions
from .report import ImportReport, RowError, render_report
from .service import import_college
from .sheets import SHEETS

__all__ = [
    "BUILTIN_BY_ROLE",
    "BUILTIN_POSITIONS",
    "RIGHTS",
    "SHEETS",
    "ImportReport",
    "RowError",
    "ensure_builtin_positions",
    "import_college",
    "render_report",
]
