"""An import reads only what it needs: bounded in file size, rows and columns, whatever size a
workbook claims to be."""

from __future__ import annotations

import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from services.importer import sheets as reading
from services.importer.report import RowError

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample-college.xlsx"

pytestmark = pytest.mark.usefixtures("english")  # the answers are read in English


def _claiming_huge_size(source: Path, target: Path) -> Path:
    """The same workbook with every sheet declaring the largest size Excel allows."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
            zout.writestr(item, data)
    return target


def _read(path: Path) -> tuple[dict[str, reading.Sheet] | None, list[RowError], int]:
    errors: list[RowError] = []
    tracemalloc.start()
    try:
        found = reading.read_sheets(path, errors)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return found, errors, peak


def test_a_declared_huge_size_costs_nothing(tmp_path: Path) -> None:
    plain, _, plain_peak = _read(SAMPLE)
    huge = _claiming_huge_size(SAMPLE, tmp_path / "huge.xlsx")
    found, errors, peak = _read(huge)
    assert errors == [] and found is not None and plain is not None
    assert {n: s.rows for n, s in found.items()} == {n: s.rows for n, s in plain.items()}
    assert peak < 2 * plain_peak + 2 * 2**20, f"{peak / 2**20:.1f} MB"


def test_only_the_columns_a_sheet_names_are_kept(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "bells"
    sheet.append(["pair", "secret", "starts", "ends", *(f"x{n}" for n in range(200))])
    sheet.append([1, "do not read", "08:30", "10:00", *(["junk"] * 200)])
    book.save(tmp_path / "bells.xlsx")
    found, errors, _ = _read(tmp_path / "bells.xlsx")
    assert errors == [] and found is not None
    assert found["bells"].rows == [(2, {"pair": 1, "starts": "08:30", "ends": "10:00"})]


def test_too_many_rows_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "ROWS_MAX", 3)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "bells"
    sheet.append(["pair", "starts", "ends"])
    for n in range(1, 6):
        sheet.append([n, "08:30", "10:00"])
    book.save(tmp_path / "bells.xlsx")
    found, errors, _ = _read(tmp_path / "bells.xlsx")
    assert found is None
    assert [e.message for e in errors] == ["The sheet bells has more than 3 rows."]


def test_a_file_too_large_is_not_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "FILE_MAX", 1024)
    found, errors, _ = _read(SAMPLE)
    assert found is None
    [error] = errors
    assert error.message.startswith("The file sample-college.xlsx is too large")
