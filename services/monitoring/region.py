"""Regional monitoring (§4.1): the colleges of a specialist's region side by side, a
college's teachers, the monthly workbook, and the scope itself (``journal-bot regional``).

Only aggregates leave a college here: shares and counts per college and per teacher, never a
student. Each college is judged in its own time zone and by its own working days. A college
outside the specialist's scope is refused and nothing is read for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied, Invalid
from core.i18n import _
from services import policy
from services.access import Actor
from services.calendar.workdays import WorkCalendar, load_work_calendar
from services.monitoring import indicators, items, span
from services.monitoring.indicators import Line, Monitoring
from services.monitoring.span import Preset, Span
from services.policy import Action
from storage import region as q
from storage.models import Organisation, Person
from storage.monitoring import Combo, LessonCounts, colleges_combo_counts


def preset_span(actor: Actor, kind: Preset, today: date) -> Span:
    """A preset period of the region's monitoring (colleges' semesters differ: the semester
    preset is the last six months) as monitoring reads it."""
    return span.checked(span.preset(kind, today, None), today, actor.calendar)


@dataclass(frozen=True)
class Region:
    span: Span
    total: Line
    colleges: list[Line]  # key: the college's id


def require(actor: Actor) -> None:
    if not policy.can(actor, Action.SEE_REGION):
        raise Denied(_("This is for the regional specialist."))


def merge(lines: Sequence[Line], name: str) -> Line:
    return indicators.merge(lines, 0, name)


async def _college(
    session: AsyncSession,
    org: Organisation,
    span: Span,
    now: datetime,
    *,
    book: bool = False,
    lines: bool = True,
    combos: dict[Combo, LessonCounts] | None = None,
) -> Monitoring:
    """``book``: with the rules judged item by item (R3–R8), as the workbook shows them;
    ``lines=False``: the college's line only; ``combos``: its absences and grades, read."""
    cal = await load_work_calendar(session, org.id)
    today = now.astimezone(ZoneInfo(org.timezone)).date()
    name = org.short_name or org.name
    found = await indicators.of_org(
        session, org.id, org.timezone, cal, span, today, name, lines=lines, combos=combos
    )
    if book:
        items.add_items(found, await items.judged(session, org.id, org.timezone, cal, span, today))
    return found


async def region_of(
    session: AsyncSession, person_id: int, span: Span, now: datetime, *, book: bool = False
) -> Region:
    """The region of a specialist, whose right the caller checked (a job, or ``region``);
    ``book``: with R3–R8, for the workbook."""
    colleges = []
    scope = await q.scope(session, person_id)
    # The marks and grades of all the colleges in two queries, not two per college.
    counts = await colleges_combo_counts(session, [o.id for o in scope], span.first, span.last)
    for org in scope:
        # Side by side only the colleges' lines are shown: no teacher's, group's, discipline's.
        line = (
            await _college(
                session, org, span, now, book=book, lines=False, combos=counts.get(org.id, {})
            )
        ).college
        line.key = org.id
        colleges.append(line)
    return Region(span, merge(colleges, _("Region")), colleges)


async def region(
    session: AsyncSession, actor: Actor, span: Span, now: datetime, *, book: bool = False
) -> Region:
    require(actor)
    return await region_of(session, actor.person_id, span, now, book=book)


async def college(
    session: AsyncSession, actor: Actor, org_id: int, span: Span, now: datetime
) -> Monitoring:
    """A college of the specialist's region: its figures and its teachers'."""
    require(actor)
    found = next((org for org in await q.scope(session, actor.person_id) if org.id == org_id), None)
    if found is None:
        raise Denied(_("This college is not in your region."))
    return await _college(session, found, span, now)


def previous_month(today: date) -> Span:
    last = today.replace(day=1) - timedelta(days=1)
    return Span(last.replace(day=1), last)


def first_working_day(today: date, cal: WorkCalendar) -> bool:
    """Whether ``today`` is the month's first staff working day."""
    day = today.replace(day=1)
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return day == today


async def assign(
    session: AsyncSession, home: str, external_id: str, codes: Sequence[str]
) -> tuple[Person, list[Organisation]]:
    """Make the person (``external_id`` of the college ``home``) the regional specialist of
    exactly the colleges ``codes``; refused, changing nothing, for an unknown code."""
    orgs = await q.orgs_by_code(session, [home, *codes])
    if home not in orgs:
        raise Invalid(_("No college with the code {code}.").format(code=home))
    unknown = [code for code in codes if code not in orgs]
    if unknown:
        raise Invalid(_("No college with the code {code}.").format(code=", ".join(unknown)))
    person = await q.person_by_external_id(session, orgs[home].id, external_id)
    if person is None:
        raise Invalid(_("No person {id} in {code}.").format(id=external_id, code=home))
    await q.ensure_regional_role(session, person)
    await q.set_scope(session, person.id, sorted({orgs[code].id for code in codes}))
    return person, await q.scope(session, person.id)


async def scope_of(
    session: AsyncSession, home: str, external_id: str
) -> tuple[Person, list[Organisation]]:
    orgs = await q.orgs_by_code(session, [home])
    if home not in orgs:
        raise Invalid(_("No college with the code {code}.").format(code=home))
    person = await q.person_by_external_id(session, orgs[home].id, external_id)
    if person is None:
        raise Invalid(_("No person {id} in {code}.").format(id=external_id, code=home))
    return person, await q.scope(session, person.id)


# --- the monthly workbook -------------------------------------------------------------------

MONTHLY_HOUR = 9  # the specialist's college time, on the month's first working day
MONTHLY_RULE = "RGN"


@dataclass(frozen=True)
class Monthly:
    """Last month's workbook due to one specialist now."""

    person_id: int
    chat_id: int
    locale: str | None
    key: str
    day: date
    region: Region


def first_working_day_of(today: date, cal: WorkCalendar) -> date:
    day = today.replace(day=1)
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return day


async def monthly_due(session: AsyncSession, now: datetime) -> list[Monthly]:
    """The workbooks of the previous month not yet sent: from ``MONTHLY_HOUR`` of the
    month's first working day (of the specialist's own college) on, so a bot stopped that day
    sends it when it is back."""
    due = []
    for person, account in await q.specialists(session):
        home = await session.get(Organisation, person.org_id)
        if home is None:
            continue
        local = now.astimezone(ZoneInfo(home.timezone))
        cal = await load_work_calendar(session, home.id)
        first = first_working_day_of(local.date(), cal)
        if local.date() < first or (local.date() == first and local.hour < MONTHLY_HOUR):
            continue
        span = previous_month(local.date())
        key = f"{MONTHLY_RULE}:{person.id}:{span.first:%Y-%m}"
        if await q.sent(session, key):
            continue
        found = await region_of(session, person.id, span, now, book=True)
        locale = account.language or person.locale
        due.append(Monthly(person.id, account.chat_id, locale, key, local.date(), found))
    return due


async def record_sent(session: AsyncSession, monthly: Monthly) -> None:
    await q.record_sent(session, monthly.key, MONTHLY_RULE, monthly.person_id, monthly.day)
