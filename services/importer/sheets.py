"""The workbook's layout and reading it: an XLSX file or a folder of ``<sheet>.csv`` files.

Both give the same thing: for every sheet, its header and its rows numbered as Excel shows
them (the header is row 1), only the columns of the sheet's spec, within ``FILE_MAX``,
``ROWS_MAX`` and ``COLUMNS_MAX``. Cells keep the type the file gave (openpyxl turns dates and times
into ``date``/``time``; CSV gives text); ``cells`` parses either.
"""

from __future__ import annotations

import csv
import itertools
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import Invalid
from core.i18n import _

from .report import RowError

# A college's workbook is a few thousand rows; the bounds keep a wrong or hostile file from
# costing the machine its memory. Only the columns a sheet's spec names are read.
FILE_MAX = 20 * 1024 * 1024
ROWS_MAX = 20_000  # per sheet
COLUMNS_MAX = 64  # of the header looked at


class TooLarge(Invalid):
    """The file is beyond the import's bounds."""


@dataclass(frozen=True)
class SheetSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    mandatory: bool = True  # must the sheet be in the file at all


SHEETS = (
    SheetSpec(
        "college",
        ("code", "name"),
        ("short_name", "region", "timezone", "adult_parents", "leavers_data", "max"),
    ),
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
    SheetSpec("regional", ("external_id", "colleges"), mandatory=False),
    SheetSpec(
        "timetable",
        ("period", "group", "weekday", "pair", "discipline", "teacher"),
        ("subgroup", "parity", "room", "hours"),
    ),
    # A batch of movement orders (services/importer/orders.py), in a file of its own.
    SheetSpec(
        "orders",
        ("number", "kind", "order_date"),
        ("effective_date", "student", "group", "to_group", "to_subgroup", "reason", "name"),
        mandatory=False,
    ),
)
SPECS = {s.name: s for s in SHEETS}


@dataclass
class Sheet:
    name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _table(name: str, header_row: Sequence[Any], raw: Iterable[Sequence[Any]]) -> Sheet:
    """Header and non-empty rows; row numbers count every line, as Excel does. Only the
    columns the sheet's spec names are kept; more than ``ROWS_MAX`` rows is an error."""
    header = [str(h).strip().lower() if h is not None else "" for h in header_row[:COLUMNS_MAX]]
    spec = SPECS[name]
    known = set(spec.required) | set(spec.optional)
    used = [col if col in known else "" for col in header]
    sheet = Sheet(name, header)
    for number, values in enumerate(raw, start=2):
        cells = {
            col: value
            for col, value in zip(used, values, strict=False)
            if col and not (value is None or (isinstance(value, str) and not value.strip()))
        }
        if not cells:
            continue
        if number > ROWS_MAX + 1:
            raise TooLarge(
                _("The sheet {sheet} has more than {limit} rows.").format(
                    sheet=name, limit=ROWS_MAX
                )
            )
        sheet.rows.append((number, cells))
    return sheet


def _width(name: str, header: Sequence[Any]) -> int:
    """How many columns to read: up to the last one the sheet's spec names."""
    spec = SPECS[name]
    known = set(spec.required) | set(spec.optional)
    names = [str(h).strip().lower() if h is not None else "" for h in header[:COLUMNS_MAX]]
    return max((n + 1 for n, col in enumerate(names) if col in known), default=1)


def _read_xlsx(path: Path) -> dict[str, Sheet]:
    from openpyxl import load_workbook  # imported only to read a workbook (numpy comes with it)

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = {}
        for ws in book.worksheets:
            name = ws.title.strip().lower()
            if name not in SPECS:
                continue  # not the journal's: not read at all
            # A declared size (A1:XFD1048576) would pad every row to it: read what is there.
            ws.reset_dimensions()
            header = next(ws.iter_rows(max_row=1, max_col=COLUMNS_MAX, values_only=True), ())
            width = _width(name, header)
            rows = ws.iter_rows(min_row=2, max_row=ROWS_MAX + 2, max_col=width, values_only=True)
            sheets[name] = _table(name, header, rows)
        return sheets
    finally:
        book.close()


def _read_csv_folder(path: Path) -> dict[str, Sheet]:
    sheets = {}
    for file in sorted(path.glob("*.csv")):
        name = file.stem.strip().lower()
        if name not in SPECS:
            continue
        _check_size(file)
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark.
        with file.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, [])
            width = _width(name, header)
            rows = (row[:width] for row in itertools.islice(reader, ROWS_MAX + 1))
            sheets[name] = _table(name, header, rows)
    return sheets


def _check_size(file: Path) -> None:
    size = file.stat().st_size
    if size > FILE_MAX:
        raise TooLarge(
            _("The file {name} is too large: {size} MB, at most {limit} MB.").format(
                name=file.name, size=f"{size / 2**20:.1f}", limit=FILE_MAX // 2**20
            )
        )


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
            _check_size(path)
            return _read_xlsx(path)
    except TooLarge as exc:
        errors.append(RowError(None, None, None, exc.message))
        return None
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
