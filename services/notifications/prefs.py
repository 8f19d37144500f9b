"""What parents and students are told, and how: at once, in the daily digest, or not at all.

Kinds: ``grades`` (a grade given, changed or removed), ``attendance`` (an absence or lateness
from a finalised register), ``reasons`` (the reason of an absence set by the curator) and
``weekly`` (the weekly summary of grades and attendance, ``on`` or ``off``).
Parents are told at once by default; students only when they turn a kind on; nobody gets the
weekly summary unless they ask for it. One row per person and kind, written only when a
person changes a kind, so changing a default later changes it for everyone who never chose.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage import notify as q

GRADES = "grades"
ATTENDANCE = "attendance"
REASONS = "reasons"
WEEKLY = "weekly"
EVENT_KINDS = (GRADES, ATTENDANCE, REASONS)
KINDS = (*EVENT_KINDS, WEEKLY)

NOW = "now"
DIGEST = "digest"
OFF = "off"
ON = "on"

PARENT_CYCLE = {NOW: DIGEST, DIGEST: OFF, OFF: NOW}
STUDENT_CYCLE = {OFF: NOW, NOW: DIGEST, DIGEST: OFF}
WEEKLY_CYCLE = {OFF: ON, ON: OFF}


def default_mode(kind: str, *, as_parent: bool) -> str:
    if kind == WEEKLY:
        return OFF
    return NOW if as_parent else OFF


def mode_of(chosen: dict[str, str], kind: str, *, as_parent: bool) -> str:
    """The person's choice for ``kind``, or the default when none (or an unknown one) is
    stored."""
    mode = chosen.get(kind)
    allowed = WEEKLY_CYCLE if kind == WEEKLY else PARENT_CYCLE
    return mode if mode in allowed else default_mode(kind, as_parent=as_parent)


def next_mode(kind: str, mode: str, *, as_parent: bool) -> str:
    if kind == WEEKLY:
        return WEEKLY_CYCLE[mode]
    return (PARENT_CYCLE if as_parent else STUDENT_CYCLE)[mode]


async def preferences(session: AsyncSession, person_id: int, *, as_parent: bool) -> dict[str, str]:
    """Every kind with the mode in force for the person."""
    chosen = (await q.preferences_of(session, [person_id])).get(person_id, {})
    return {kind: mode_of(chosen, kind, as_parent=as_parent) for kind in KINDS}


async def cycle(
    session: AsyncSession, *, org_id: int, person_id: int, kind: str, as_parent: bool
) -> str:
    """Move ``kind`` to its next mode, store it and return it. ``kind`` must be one of KINDS."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    current = (await preferences(session, person_id, as_parent=as_parent))[kind]
    new = next_mode(kind, current, as_parent=as_parent)
    pref_id = await q.set_preference(session, person_id, kind, new)
    audit.record(
        session,
        org_id=org_id,
        actor_id=person_id,
        action="update",
        entity="notification_preference",
        entity_id=pref_id,
        old={"kind": kind, "mode": current},
        new={"kind": kind, "mode": new},
    )
    return new
