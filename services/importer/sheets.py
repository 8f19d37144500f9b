"""The workbook's layout and reading it: an XLSX file or a folder of ``<sheet>.csv`` files.

Both give the same thing: for every sheet, its header and its rows numbered as Excel shows
them (the header is row 1). Cells keep the type the file gave (openpyxl turns dates and times
into ``date``/``time``; CSV gives text); ``cells`` parses either.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from core.i18n import _

from .report import RowError


@dataclass(frozen=True)
class SheetSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    mandatory: bool = True  # must the sheet be in the file at all


SHEETS = (
    SheetSpec("college", ("code", "name"), ("short_name", "region", "timezone")),
    SheetSpec("positions", ("code", "name", "role"), ("rights",), mandatory=False),
    SheetSpec(
        "staff",
        ("external_id", "last_name", "first_name", "roles"),
        ("middle_name", "curator_of", "phone", "email", "locale", "status", "left_on"),
    ),
    SheetSpec(
        "groups", ("name", "programme_code", "course_year"), ("programme_name", "curriculum_code")
    ),
    SheetSpec("subgroups", ("group", "name"), mandatory=False),
    SheetSpec(
        "students",
        ("external_id", "last_name", "first_name", "group"),
        (
            "middle_name",
            "birth_date",
            "subgroups",
            "record_book",
            "enrolled_on",
            "phone",
            "email",
            "locale",
        ),
    ),
    SheetSpec(
        "parents",
        ("external_id", "last_name", "first_name", "children"),
        ("middle_name", "phone", "email", "locale"),
        mandatory=False,
    ),
    SheetSpec(
        "curriculum",
        ("curriculum_code", "discipline_code", "discipline_name", "semester"),
        (
            "programme_code",
            "academic_year",
            "kind",
            "cycle",
            "parent_code",
            "hours",
            "attestation_form",
        ),
    ),
    SheetSpec(
        "assignments", ("teacher", "group", "discipline"), ("subgroup", "period"), mandatory=False
    ),
    SheetSpec("calendar", ("kind", "name", "starts_on", "ends_on"), ("semester", "group")),
    SheetSpec("bells", ("pair", "starts", "ends")),
    SheetSpec(
        "timetable",
        ("period", "group", "weekday", "pair", "discipline", "teacher"),
        ("subgroup", "parity", "room", "hours"),
    ),
)
SPECS = {s.name: s for s in SHEETS}


@dataclass
class Sheet:
    name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _table(name: str, raw: list[list[Any]]) -> Sheet:
    """Header and non-empty rows; row numbers count every line, as Excel does."""
    header = [str(h).strip().lower() if h is not None else "" for h in (raw[0] if raw else [])]
    sheet = Sheet(name, header)
    for number, values in enumerate(raw[1:], start=2):
        cells = {
            col: value
            for col, value in zip(header, values, strict=False)
            if col and not (value is None or (isinstance(value, str) and not value.strip()))
        }
        if cells:
            sheet.rows.append((number, cells))
    return sheet


def _read_xlsx(path: Path) -> dict[str, Sheet]:
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            ws.title.strip().lower(): _table(
                ws.title.strip().lower(), [list(r) for r in ws.iter_rows(values_only=True)]
            )
            for ws in book.worksheets
        }
    finally:
        book.close()


def _read_csv_folder(path: Path) -> dict[str, Sheet]:
    sheets = {}
    for file in sorted(path.glob("*.csv")):
        name = file.stem.strip().lower()
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark.
        with file.open(encoding="utf-8-sig", newline="") as f:
            sheets[name] = _table(name, list(csv.reader(f)))
    return sheets


def read_sheets(path: Path, errors: list[RowError]) -> dict[str, Sheet] | None:
    """All sheets of the file, or None (with the reason in ``errors``) if it cannot be read."""
    if not path.exists():
        errors.append(
            RowError(None, None, None, _("The file {path} does not exist.").format(path=path))
        )
        return None
    try:
        if path.is_dir():
            return _read_csv_folder(path)
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            return _read_xlsx(path)
    except (OSError, UnicodeDecodeError, csv.Error, zipfile.BadZipFile, KeyError) as exc:
        errors.append(
            RowError(None, None, None, _("The file cannot be read: {reason}").format(reason=exc))
        )
        return None
    errors.append(
        RowError(
            None,
            None,
            None,
            _("Only an .xlsx workbook or a folder of .csv files can be imported."),
        )
    )
    return None


def check_layout(sheets: dict[str, Sheet], errors: list[RowError]) -> set[str]:
    """Report missing sheets and columns; returns the names of the sheets fit to read."""
    usable = set()
    for spec in SHEETS:
        sheet = sheets.get(spec.name)
        if sheet is None:
            if spec.mandatory:
                errors.append(RowError(spec.name, None, None, _("The sheet is missing.")))
            continue
        fit = True
        seen: set[str] = set()
        for col in sheet.columns:
            if col and col in seen:
                errors.append(RowError(spec.name, 1, col, _("The column appears twice.")))
                fit = False
            seen.add(col)
        for col in spec.required:
            if col not in seen:
                errors.append(RowError(spec.name, 1, col, _("The column is missing.")))
                fit = False
        if fit:
            usable.add(spec.name)
    return usable
