"""Parents of a student who has turned 18 (§1.6).

The college's setting (services/college_settings.py; ``ADULTS__PARENTS`` is the default of a
college that set nothing) says what happens on the 18th birthday:
``student_decides`` (the default: the student allows or stops their parents' access on one
screen, and may change it later; until they allow it, parents see nothing dated after the
birthday), ``keep`` (parents keep access) or ``end`` (parents see nothing after it). Every
choice is in the audit log. Parents are told once, kindly, when the birthday closes their
view; a student with no birth date on file is not taken for an adult.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied
from core.i18n import _, use_locale
from services import college_settings
from services.access import Actor
from storage import adults as q
from storage import audit
from storage import outbox as out
from storage.models import ParentAccessChoice
from storage.notify import active_accounts

ADULT_AGE = 18
STUDENT_DECIDES, KEEP, END = "student_decides", "keep", "end"
TOLD_KIND = "adult.parents"


def coming_of_age(birth: date) -> date:
    """The 18th birthday (1 March for someone born on 29 February)."""
    try:
        return birth.replace(year=birth.year + ADULT_AGE)
    except ValueError:
        return date(birth.year + ADULT_AGE, 3, 1)


def parents_see_until(
    birth: date | None, allowed: bool | None, mode: str, today: date
) -> date | None:
    """The last day parents see, or None when nothing is hidden from them."""
    if birth is None or mode == KEEP:
        return None
    birthday = coming_of_age(birth)
    if birthday > today or (mode == STUDENT_DECIDES and allowed):
        return None
    return birthday


async def modes_of(session: AsyncSession, org_ids: Collection[int], default: str) -> dict[int, str]:
    """Each college's setting; ``default`` (the deployment's) where it set nothing."""
    return await college_settings.values_of(session, org_ids, college_settings.ADULTS, default)


async def mode_of(session: AsyncSession, org_id: int, default: str) -> str:
    return (await modes_of(session, [org_id], default))[org_id]


async def parents_cut_off(
    session: AsyncSession, student_ids: Collection[int], default: str, today: date
) -> dict[int, date]:
    """The students whose parents see nothing after a day, with that day. Each student's
    college decides; ``default`` is the deployment's setting."""
    rows = await q.ages(session, student_ids)
    modes = await modes_of(session, {row.org_id for row in rows}, default)
    cut: dict[int, date] = {}
    for row in rows:
        until = parents_see_until(row.birth_date, row.allowed, modes[row.org_id], today)
        if until is not None:
            cut[row.student_id] = until
    return cut


@dataclass(frozen=True)
class Choice:
    adult: bool
    birthday: date | None
    allowed: bool | None  # None: not decided yet
    mode: str


def not_a_student() -> str:
    return _("This screen is for students.")


def not_yet() -> str:
    return _("You will decide this yourself when you turn 18.")


async def current(session: AsyncSession, actor: Actor, default: str, today: date) -> Choice:
    """The student's screen; ``default`` is the deployment's setting, their college's wins."""
    if actor.student_id is None:
        raise Denied(not_a_student())
    mode = await mode_of(session, actor.org_id, default)
    [row] = await q.ages(session, [actor.student_id])
    birthday = coming_of_age(row.birth_date) if row.birth_date else None
    adult = birthday is not None and birthday <= today
    return Choice(adult, birthday, row.allowed, mode)


async def choose(
    session: AsyncSession, actor: Actor, allowed: bool, *, default: str, now: datetime
) -> Choice:
    """The adult student allows or stops their parents' access; audited."""
    today = actor.today(now)
    found = await current(session, actor, default, today)
    mode = found.mode
    if mode != STUDENT_DECIDES:
        raise Denied(_("The college decides this for every student; ask the administrator."))
    if not found.adult:
        raise Denied(not_yet())
    assert actor.student_id is not None
    choice = await q.choice_of(session, actor.student_id)
    old = {"allowed": choice.allowed if choice else None}
    if choice is None:
        choice = ParentAccessChoice(student_id=actor.student_id, allowed=allowed, decided_at=now)
        session.add(choice)
    else:
        choice.allowed, choice.decided_at = allowed, now
    await session.flush()
    audit.record(
        session,
        org_id=actor.org_id,
        actor_id=actor.person_id,
        action="update",
        entity="parent_access",
        entity_id=actor.student_id,
        old=old,
        new={"allowed": allowed},
    )
    return Choice(True, found.birthday, allowed, mode)


async def tell_parents(
    session: AsyncSession,
    *,
    default: str,
    today: date,
    now: datetime,
    default_locale: str,
    render: Callable[[str, bool], str],
) -> int:
    """Once per parent's chat: the student has turned 18 and their view now stops at the
    birthday. ``render(first_name, student_decides)`` gives the text. Each student's college
    decides; ``default`` is the deployment's setting."""
    try:
        born_by = today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February: those born on 28 February turned 18 yesterday
        born_by = date(today.year - ADULT_AGE, 2, 28)
    candidates = await q.students_born_by(session, born_by)
    cut = await parents_cut_off(session, candidates, default, today)
    rows = await q.ages(session, list(cut))
    modes = await modes_of(session, {row.org_id for row in rows}, default)
    queued = 0
    for row in rows:
        mode = modes[row.org_id]
        accounts = await active_accounts(session, await q.parents_of(session, row.student_id))
        for person_id, found in accounts.items():
            for account in found:
                with use_locale(account.language or default_locale):
                    text = render(row.first_name, mode == STUDENT_DECIDES)
                queued += await out.enqueue_once(
                    session,
                    org_id=row.org_id,
                    dedup_key=f"{TOLD_KIND}:{row.student_id}:{account.chat_id}",
                    person_id=person_id,
                    chat_id=account.chat_id,
                    kind=TOLD_KIND,
                    subject=f"student:{row.student_id}",
                    text=text,
                    not_before=now,
                    created_at=now,
                )
    return queued
