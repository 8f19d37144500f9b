"""The daily clean-up (README, *Retention*): what the journal no longer needs is removed.

* Outbox messages once delivered (or given up), and journal events once processed, after
  ``retention.delivered_days``: their texts and payloads name students and grades.
* Conversation drafts untouched for ``retention.drafts_days`` (a half-typed comment).
* Failed invite attempts after ``retention.invite_attempts_days`` (kept only to throttle
  guessing).
* People who left (no role for ``retention.leavers_days``): where their college's setting
  (services/college_settings.py; ``retention.leavers`` is the default of a college that set
  nothing) is ``erase``, their phone, e-mail and birth date are erased and their Telegram
  accounts and notification choices dropped; ``keep`` (the default) keeps them. Names stay on the
  journal's records either way: registers and grades are the college's documents.
* Staff roles whose last day has passed end, and people left with no role lose their
  accounts (services/people/leaving.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Retention
from services import college_settings
from services.people import leaving
from storage import audit
from storage import retention as q


@dataclass(frozen=True)
class Swept:
    roles_ended: int
    messages: int
    events: int
    drafts: int
    attempts: int
    people_erased: int


async def sweep(session: AsyncSession, cfg: Retention, *, now: datetime, today: date) -> Swept:
    roles = await leaving.end_due_roles(session, today, now)
    kept_since = now - timedelta(days=cfg.delivered_days)
    messages = await q.drop_delivered(session, kept_since)
    events = await q.drop_processed_events(session, kept_since)
    drafts = await q.drop_drafts(session, now - timedelta(days=cfg.drafts_days))
    attempts = await q.drop_invite_attempts(session, now - timedelta(days=cfg.invite_attempts_days))
    erased = 0
    leavers = await q.leavers(session, today - timedelta(days=cfg.leavers_days))
    policies = await college_settings.values_of(
        session, {person.org_id for person in leavers}, college_settings.LEAVERS, cfg.leavers
    )
    for person in leavers:
        if policies[person.org_id] == "erase":
            await q.forget_person(session, person.id)
            audit.record(
                session,
                org_id=person.org_id,
                actor_id=None,
                action="update",
                entity="person",
                entity_id=person.id,
                old={},
                new={"personal_data": "erased"},
                source="job",
            )
            erased += 1
    return Swept(roles, messages, events, drafts, attempts, erased)
