"""Work programmes and КТП per group and discipline (R8)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied, Invalid
from services.journal.documents import current_documents, missing_documents, upload_document
from storage.models import DocumentKind, TeachingDocument
from tests.factories import College, audit_trail, make_college

WP, KTP = DocumentKind.WORK_PROGRAMME, DocumentKind.KTP


async def test_upload_keeps_history_and_the_newest_is_current(
    session: AsyncSession, college: College
) -> None:
    teacher = college.actor(college.teacher)
    group, math = college.group.id, college.math.id
    first = await upload_document(
        session, teacher, group, math, "work_programme", "F1", college.now, file_name="РП.docx"
    )
    newer = await upload_document(
        session, teacher, group, math, WP, "F2", college.now + timedelta(days=1), file_name="РП2"
    )
    ktp = await upload_document(session, teacher, group, math, KTP, "F3", college.now)
    await session.commit()

    current = await current_documents(session, teacher, group, math, college.now)
    assert {kind: doc.file_id for kind, doc in current.items()} == {WP: "F2", KTP: "F3"}
    count = await session.scalar(select(func.count()).select_from(TeachingDocument))
    assert count == 3
    (entry,) = await audit_trail(session, "teaching_document", first.id)
    assert (entry.action, entry.actor_id, entry.changes["file_name"]) == (
        "create",
        college.teacher.id,
        [None, "РП.docx"],
    )
    assert newer.uploaded_by == ktp.uploaded_by == college.teacher.id


async def test_missing_documents_of_a_teacher(session: AsyncSession, college: College) -> None:
    teacher = college.actor(college.teacher)
    await upload_document(
        session, teacher, college.group.id, college.math.id, WP, "F1", college.now
    )
    # A subgroup's teacher uploads for the group's discipline.
    await upload_document(
        session, teacher, college.group.id, college.english.id, KTP, "F2", college.now
    )
    await session.commit()
    gaps = await missing_documents(session, teacher, college.now)
    assert [(g.group_name, g.discipline_name, g.missing) for g in gaps] == [
        ("ИС-21", "Иностранный язык", (WP,)),
        ("ИС-21", "Математика", (KTP,)),
    ]


async def test_last_years_documents_do_not_count(session: AsyncSession, college: College) -> None:
    """Documents belong to an academic year: uploads of June 2026 are 2025/2026's, and from
    August on the coming year's programmes are due (R8)."""
    teacher = college.actor(college.teacher)
    group, math = college.group.id, college.math.id
    june = college.at(date(2026, 6, 10), 12)
    august = college.at(date(2026, 8, 25), 12)
    for kind in DocumentKind:
        await upload_document(session, teacher, group, math, kind, f"old-{kind}", june)
    await session.commit()
    assert len(await current_documents(session, teacher, group, math, june)) == 2
    assert await current_documents(session, teacher, group, math, august) == {}
    gaps = await missing_documents(session, teacher, august)
    assert ("Математика", (WP, KTP)) in [(g.discipline_name, g.missing) for g in gaps]
    await upload_document(session, teacher, group, math, WP, "new", august)
    await session.commit()
    current = await current_documents(session, teacher, group, math, college.now)
    assert {kind: doc.file_id for kind, doc in current.items()} == {WP: "new"}
    stored = await session.scalars(select(TeachingDocument.academic_year).order_by("id"))
    assert list(stored) == [2025, 2025, 2026]


async def test_uploads_are_checked(session: AsyncSession, college: College) -> None:
    other = await make_college(session, code="c2")
    teacher = college.actor(college.teacher)
    group = college.group.id
    for group_id, discipline_id in (
        (group, college.informatics.id),  # the colleague's discipline
        (other.group.id, other.math.id),  # another college
        (group, other.math.id),
    ):
        with pytest.raises(Denied, match="not among those you teach"):
            await upload_document(session, teacher, group_id, discipline_id, WP, "F", college.now)
        with pytest.raises(Denied):
            await current_documents(session, teacher, group_id, discipline_id, college.now)
    with pytest.raises(Invalid, match="work programme or calendar-thematic plan"):
        await upload_document(
            session, teacher, group, college.math.id, "syllabus", "F", college.now
        )
    with pytest.raises(Invalid, match="send it again"):
        await upload_document(session, teacher, group, college.math.id, WP, "", college.now)
    deputy = college.actor(college.deputy)
    document = await upload_document(
        session, deputy, group, college.informatics.id, KTP, "F9", college.now, file_name="x" * 300
    )
    assert len(document.file_name) == 255
