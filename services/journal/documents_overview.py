"""The teacher's (group, discipline) pairs with the teaching documents uploaded and missing
(R8): what the "Work programmes" screen lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor
from services.calendar.years import academic_year
from storage import teaching
from storage.models import DocumentKind


@dataclass(frozen=True)
class DocumentPair:
    group_id: int
    group_name: str
    discipline_id: int
    discipline_name: str
    uploaded: tuple[DocumentKind, ...]
    missing: tuple[DocumentKind, ...]


async def documents_overview(
    session: AsyncSession, actor: Actor, now: datetime
) -> list[DocumentPair]:
    """Each (group, discipline) the actor teaches (to any part of the group), in group and
    discipline order, with the kinds uploaded at least once this academic year and the kinds
    still missing."""
    rows = await teaching.teacher_assignments(session, actor.org_id, actor.person_id)
    names = {(row.group.id, row.discipline.id): row for row in rows}
    year = academic_year(actor.today(now))
    have = await teaching.document_kinds(session, list(names), year)
    pairs = []
    for (group_id, discipline_id), row in names.items():
        kinds = {k: (group_id, discipline_id, k) in have for k in DocumentKind}
        pairs.append(
            DocumentPair(
                group_id,
                row.group.name,
                discipline_id,
                row.discipline.name,
                tuple(k for k, present in kinds.items() if present),
                tuple(k for k, present in kinds.items() if not present),
            )
        )
    return pairs
