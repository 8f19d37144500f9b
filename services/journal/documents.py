"""Work programmes and calendar-thematic plans (КТП) per group and discipline (R8).

Files stay in Telegram; the store keeps their ids. A new upload does not replace the old
one in the store: the newest of a kind is the current document, earlier ones are history.
Documents belong to the academic year they were uploaded in (from August on, the coming one:
services/calendar/years.py); last year's programme does not count for this year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Invalid
from core.i18n import _
from services import access
from services.access import Actor
from services.calendar.years import academic_year
from services.policy import Action
from storage import audit, teaching
from storage.models import DocumentKind, TeachingDocument

FILE_ID_MAX = FILE_NAME_MAX = 255
FILE_UNIQUE_ID_MAX = 64


@dataclass(frozen=True)
class DocumentGap:
    group_id: int
    group_name: str
    discipline_id: int
    discipline_name: str
    missing: tuple[DocumentKind, ...]


def validate_kind(kind: DocumentKind | str) -> DocumentKind:
    try:
        return DocumentKind(kind)
    except ValueError:
        raise Invalid(_("Please choose: work programme or calendar-thematic plan.")) from None


async def upload_document(
    session: AsyncSession,
    actor: Actor,
    group_id: int,
    discipline_id: int,
    kind: DocumentKind | str,
    file_id: str,
    now: datetime,
    *,
    file_unique_id: str = "",
    file_name: str = "",
) -> TeachingDocument:
    kind = validate_kind(kind)
    if not file_id or len(file_id) > FILE_ID_MAX or len(file_unique_id) > FILE_UNIQUE_ID_MAX:
        raise Invalid(_("This file cannot be stored. Please send it again as a document."))
    await access.teaching_for(
        session,
        actor,
        group_id,
        discipline_id,
        action=Action.UPLOAD_WORK_PROGRAMMES,
        any_subgroup=True,
    )
    document = TeachingDocument(
        org_id=actor.org_id,
        kind=kind,
        group_id=group_id,
        discipline_id=discipline_id,
        uploaded_by=actor.person_id,
        file_id=file_id,
        file_unique_id=file_unique_id,
        # A long name is the file's, not the teacher's doing: keep what fits.
        file_name=file_name[:FILE_NAME_MAX],
        academic_year=academic_year(actor.today(now)),
        uploaded_at=now,
    )
    session.add(document)
    await session.flush()
    audit.record(
        session,
        org_id=actor.org_id,
        actor_id=actor.person_id,
        action="create",
        entity="teaching_document",
        entity_id=document.id,
        new={
            "kind": kind,
            "group_id": group_id,
            "discipline_id": discipline_id,
            "file_name": document.file_name,
        },
    )
    return document


async def current_documents(
    session: AsyncSession, actor: Actor, group_id: int, discipline_id: int, now: datetime
) -> dict[DocumentKind, TeachingDocument]:
    """The newest upload of each kind for the group and discipline, of this academic year."""
    await access.teaching_for(
        session,
        actor,
        group_id,
        discipline_id,
        action=Action.UPLOAD_WORK_PROGRAMMES,
        any_subgroup=True,
    )
    year = academic_year(actor.today(now))
    current: dict[DocumentKind, TeachingDocument] = {}
    for document in await teaching.documents(session, group_id, discipline_id):
        if document.academic_year == year:
            current.setdefault(document.kind, document)
    return current


async def missing_documents(
    session: AsyncSession, actor: Actor, now: datetime
) -> list[DocumentGap]:
    """The teacher's (group, discipline) pairs lacking a work programme or a КТП of this
    academic year."""
    rows = await teaching.teacher_assignments(session, actor.org_id, actor.person_id)
    pairs = list(dict.fromkeys((row.group.id, row.discipline.id) for row in rows))
    have = await teaching.document_kinds(session, pairs, academic_year(actor.today(now)))
    names = {(row.group.id, row.discipline.id): row for row in rows}
    gaps = []
    for group_id, discipline_id in pairs:
        missing = tuple(k for k in DocumentKind if (group_id, discipline_id, k) not in have)
        if missing:
            row = names[(group_id, discipline_id)]
            gaps.append(
                DocumentGap(group_id, row.group.name, discipline_id, row.discipline.name, missing)
            )
    return gaps
