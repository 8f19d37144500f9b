"""The import assigns regional specialists and the colleges they monitor (sheet ``regional``):
the role and the scope follow the file; an unknown college or a person not on the staff sheet
is an error and nothing is imported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.i18n import use_locale
from services.importer import import_college, render_report
from storage.importing import table_counts
from storage.models import Membership, Organisation, Person, Role
from storage.region import scope
from tests.test_import import TODAY, copy_csv

Factory = async_sessionmaker[AsyncSession]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with use_locale("en"):
        yield


def write_regional(folder: Path, *rows: tuple[str, str]) -> None:
    lines = ["external_id,colleges", *(f'{who},"{codes}"' for who, codes in rows)]
    (folder / "regional.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


async def _neighbour(factory: Factory, code: str) -> None:
    async with factory.begin() as session:
        session.add(Organisation(code=code, name=f"College {code}", short_name=code))


async def _specialist(factory: Factory, external_id: str) -> tuple[set[str], set[bool]]:
    async with factory() as session:
        person = (
            await session.scalars(select(Person).where(Person.external_id == external_id))
        ).one()
        codes = {org.code for org in await scope(session, person.id)}
        held = await session.scalars(
            select(Membership.active).where(
                Membership.person_id == person.id, Membership.role == Role.REGIONAL
            )
        )
        return codes, set(held)


async def test_the_sheet_assigns_the_specialist_and_their_colleges(
    session_factory: Factory, tmp_path: Path
) -> None:
    await _neighbour(session_factory, "NPK")
    folder = copy_csv(tmp_path)
    write_regional(folder, ("D001", "OPK; NPK"))

    report = await import_college(session_factory, folder, today=TODAY)
    assert not report.errors, report.errors
    assert await _specialist(session_factory, "D001") == ({"OPK", "NPK"}, {True})
    assert "Regional scopes: updated 1" in render_report(report)

    write_regional(folder, ("D001", "NPK"))  # replaced as a whole
    report = await import_college(session_factory, folder, today=TODAY)
    assert not report.errors, report.errors
    assert await _specialist(session_factory, "D001") == ({"NPK"}, {True})
    report = await import_college(session_factory, folder, today=TODAY)
    assert "Regional scopes" not in render_report(report)  # nothing changed


async def test_unknown_college_or_person_is_an_error_and_nothing_is_written(
    session_factory: Factory, tmp_path: Path
) -> None:
    await _neighbour(session_factory, "NPK")
    folder = copy_csv(tmp_path)
    write_regional(folder, ("D001", "NPK, ZZZ"), ("X999", "NPK"), ("D002", ""))

    report = await import_college(session_factory, folder, today=TODAY)
    found = {(e.sheet, e.row, e.column): e.message for e in report.errors}
    assert found[("regional", 3, "external_id")] == "X999 is not on the sheet “staff”."
    assert ("regional", 4, "colleges") in found  # required
    assert "ZZZ" not in " ".join(found.values())  # the file is checked first
    async with session_factory() as session:
        assert (await table_counts(session))["organisations"] == 1

    write_regional(folder, ("D001", "NPK, ZZZ"))
    report = await import_college(session_factory, folder, today=TODAY)
    found = {(e.sheet, e.row, e.column): e.message for e in report.errors}
    assert found == {("regional", 2, "colleges"): "No college with the code ZZZ."}
    async with session_factory() as session:
        assert (await table_counts(session))["organisations"] == 1  # only the neighbour
