"""The college sheet sets the college's own settings; an empty cell keeps what it has."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.i18n import use_locale
from services import college_settings
from services.importer import import_college, render_report
from storage.models import Organisation

CSV_DIR = Path(__file__).resolve().parent.parent / "examples" / "sample-college"
Factory = async_sessionmaker[AsyncSession]


def _college_sheet(folder: Path, adult_parents: str, leavers_data: str) -> None:
    path = folder / "college.csv"
    with path.open(encoding="utf-8") as f:
        [row] = list(csv.DictReader(f))
    row.update(adult_parents=adult_parents, leavers_data=leavers_data)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(row))
        writer.writeheader()
        writer.writerow(row)


async def _values(factory: Factory) -> tuple[str, str]:
    async with factory() as session:
        org = await session.scalar(select(Organisation))
        assert org is not None
        found = await college_settings.of_college(session, org.id, college_settings.Defaults())
    return found.adults, found.leavers


async def test_the_college_sheet_sets_the_college_settings(
    session_factory: Factory, tmp_path: Path
) -> None:
    folder = tmp_path / "college"
    shutil.copytree(CSV_DIR, folder)
    _college_sheet(folder, "Сохраняется", "erase")
    with use_locale("en"):
        report = await import_college(session_factory, folder)
        assert report.ok, render_report(report)
        assert "College settings: updated 2" in render_report(report)
    assert await _values(session_factory) == ("keep", "erase")

    # Empty cells: the college keeps its values.
    _college_sheet(folder, "", "")
    assert (await import_college(session_factory, folder)).ok
    assert await _values(session_factory) == ("keep", "erase")

    _college_sheet(folder, "sell", "")
    with use_locale("en"):
        report = await import_college(session_factory, folder)
    assert not report.ok
    assert "adult_parents" in render_report(report)
    assert await _values(session_factory) == ("keep", "erase")


async def test_the_college_sheet_turns_max_off(session_factory: Factory, tmp_path: Path) -> None:
    folder = tmp_path / "college"
    shutil.copytree(CSV_DIR, folder)
    path = folder / "college.csv"
    with path.open(encoding="utf-8") as f:
        [row] = list(csv.DictReader(f))
    row["max"] = "нет"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(row))
        writer.writeheader()
        writer.writerow(row)
    report = await import_college(session_factory, folder)
    assert report.ok, render_report(report)
    async with session_factory() as session:
        org = await session.scalar(select(Organisation))
        assert org is not None
        assert not await college_settings.max_on(session, org.id)
