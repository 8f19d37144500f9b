"""A batch of orders from a file: entered as in the bot, all or nothing."""

from __future__ import annotations

import csv
from pathlib import Path

from services.importer.orders import import_orders
from storage.models import Person, StudentStatus
from tests.factories import College
from tests.orders import kit
from tests.orders.kit import Factory

HEADER = "number kind order_date effective_date student group to_group reason name".split()


def _file(folder: Path, rows: list[list[str]]) -> Path:
    folder.mkdir()
    with (folder / "orders.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return folder


async def test_a_batch_is_entered_in_order(
    session_factory: Factory, college: College, secretary: Person, tmp_path: Path
) -> None:
    moved, expelled = college.students[2], college.students[5]
    path = _file(
        tmp_path / "batch",
        [
            ["50-к", "перевод", "16.11.2026", "", moved.person.external_id, "", "ТМ-11", "", ""],
            [
                "51-к",
                "отчисление",
                "2026-11-16",
                "17.11.2026",
                expelled.person.external_id,
                "",
                "",
                "по собственному желанию",
                "",
            ],
            ["52-к", "зачисление", "16.11.2026", "", "", "", "ТМ-11", "", "Новикова Вера Олеговна"],
            ["53-к", "next_course", "16.11.2026", "", "", "ТМ-11", "", "", ""],
        ],
    )
    report = await import_orders(session_factory, path, secretary.external_id, now=college.now)
    assert report.errors == [] and report.entered == 4
    assert (await kit.student(session_factory, moved.id)).group_id == college.other_group.id
    assert (await kit.student(session_factory, expelled.id)).status is StudentStatus.EXPELLED
    # The next-course order names who was in ТМ-11 by then: the two, the moved, the enrolled.
    assert (await kit.group(session_factory, college.other_group.id)).course_year == 2
    assert len(await kit.names_on(session_factory, college.other_group, college.today)) == 4


async def test_a_batch_with_a_bad_row_enters_nothing(
    session_factory: Factory, college: College, secretary: Person, tmp_path: Path, english: None
) -> None:
    student = college.students[0]
    path = _file(
        tmp_path / "bad",
        [
            [
                "60-к",
                "отчисление",
                "16.11.2026",
                "",
                student.person.external_id,
                "",
                "",
                "долг",
                "",
            ],
            [
                "60-к",
                "academic_leave",
                "16.11.2026",
                "",
                college.students[1].person.external_id,
                "",
                "",
                "",
                "",
            ],
            ["61-к", "перевод", "16.11.2026", "", "nobody", "", "ТМ-11", "", ""],
            ["62-к", "отпуск", "32.11.2026", "", student.person.external_id, "", "", "", ""],
        ],
    )
    report = await import_orders(session_factory, path, secretary.external_id, now=college.now)
    assert report.entered == 0
    messages = [str(e) for e in report.errors]
    assert any("row 3" in m and "already in the journal" in m for m in messages)
    assert any("row 4" in m and "“student”" in m and "nobody" in m for m in messages)
    assert any("row 5" in m and "“kind”" in m for m in messages)
    assert any("row 5" in m and "“order_date”" in m for m in messages)
    assert await kit.orders(session_factory) == 0
    assert (await kit.student(session_factory, student.id)).status is StudentStatus.STUDYING


async def test_only_someone_who_enters_orders_can_enter_a_batch(
    session_factory: Factory, college: College, tmp_path: Path, english: None
) -> None:
    path = _file(tmp_path / "t", [["70-к", "отчисление", "16.11.2026", "", "x", "", "", "", ""]])
    report = await import_orders(
        session_factory, path, college.teacher.external_id, now=college.now
    )
    assert [e.message for e in report.errors] == [
        "Only the secretary and the deputy director enter orders."
    ]
    assert await kit.orders(session_factory) == 0
