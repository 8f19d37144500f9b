"""The domain-event outbox: facts written with the change that caused them, so a crash
between "saved" and "notified" cannot happen. The notifier drains unprocessed events."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event

GRADE_CREATED = "grade.created"
GRADE_CHANGED = "grade.changed"
GRADE_REMOVED = "grade.removed"
REGISTER_FINALISED = "register.finalised"
ABSENCE_REASON_SET = "absence.reason_set"


def emit(
    session: AsyncSession,
    *,
    org_id: int,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    actor_id: int | None = None,
) -> Event:
    event = Event(org_id=org_id, kind=kind, subject=subject, payload=payload, actor_id=actor_id)
    session.add(event)
    return event
