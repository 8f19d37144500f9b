"""The teacher's own week ("My week", issue 10 point 3): what is missing in their lessons now,
with a button to each, and what they did late this week, before anyone else sees it.

"Missing" is exactly what the morning digest would remind them of (R1 registers and R2 topics
within the edit window, R9 formats, R3 sheets near the period's end), asked for at any time, and
the work programmes and КТП of this academic year they still lack (R8) whatever the season.
"Late" counts this week's lessons (Monday to today) whose register, topic or format was done
after its deadline (services/monitoring/indicators.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.errors import Denied
from core.i18n import _
from services import policy
from services.access import Actor
from services.monitoring import indicators
from services.monitoring.indicators import Rule, Tally
from services.monitoring.span import Span
from services.policy import Action
from services.reminders import rules
from services.reminders.items import Digest, Section
from services.reminders.items import Rule as Remind


@dataclass(frozen=True)
class MyWeek:
    span: Span  # Monday to today
    missing: Digest
    late: dict[Rule, int]
    lessons: int  # held this week


async def my_week(session: AsyncSession, actor: Actor, settings: Settings, now: datetime) -> MyWeek:
    if not policy.holds(actor, Action.MARK_REGISTER):
        raise Denied(_("This is for teachers."))
    today = actor.today(now)
    ctx = rules.Context(actor.org_id, actor.tz, actor.calendar, settings, now, today)
    digest = Digest(actor.person_id, today)
    digest.sections.extend((await rules.teacher_morning(session, ctx)).get(actor.person_id, []))
    if not any(s.rule is Remind.DOCUMENTS for s in digest.sections):
        documents = (await rules.document_gaps(session, ctx)).get(actor.person_id, [])
        if documents:
            digest.sections.append(Section(Remind.DOCUMENTS, tuple(documents)))
    span = Span(today - timedelta(days=today.weekday()), today)
    week = await indicators.of_teacher(session, actor, actor.person_id, span, today, actor.name)
    tallies: dict[Rule, Tally] = week.college.rules
    return MyWeek(span, digest, {rule: t.late for rule, t in tallies.items()}, week.college.lessons)
