"""Distance days (R9): the deputy director declares that chosen groups (or all) study at a
distance on some days, on a platform. The lessons of those groups on those days are then
expected to carry their distance format (PRODUCT.md R9), and the teachers who did not record it
are reminded; the groups' students and parents are told through an announcement.

Refused, with nothing stored: dates in the wrong order, days before today, more than
``LONGEST`` days, a group of another college (or closed), a chosen group without a lesson on
those days, and "all groups" when no group has a lesson then. With "all groups" the groups
without lessons on those days (practice, a session) are left out and named.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied, Invalid
from core.i18n import _
from services import policy
from services.access import Actor
from services.announcements import service as announcements
from services.announcements.service import AckMarkup, Audience, Kind, MessageText
from storage import announcements as groups_q
from storage import audit
from storage import distance as q
from storage.models import Announcement, Role

AUTHOR_ROLE = Role.DEPUTY  # the role the announcement is signed with
LONGEST = 14  # days: a storm or an epidemic week, declared again if it lasts
PLATFORM_MAX = 255

_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
_RANGE = re.compile(r"^\s*(\d{1,2}\.\d{1,2}\.\d{4})\s*[-–—]\s*(\d{1,2}\.\d{1,2}\.\d{4})\s*$")


def _date(typed: str) -> date:
    found = _DATE.match(typed)
    if found is None:
        raise Invalid(bad_days())
    day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise Invalid(_("There is no such date. Please check the day and the month.")) from None


def bad_days() -> str:
    return _("Please type a date, 03.12.2026, or two dates, 03.12.2026 – 04.12.2026.")


def parse_days(typed: str, today: date) -> tuple[date, date]:
    """One date or two (first – last), checked: in order, from today, at most ``LONGEST``."""
    pair = _RANGE.match(typed)
    first, last = (_date(pair[1]), _date(pair[2])) if pair else (_date(typed),) * 2
    if first > last:
        raise Invalid(_("The first date is after the last one. Please type them in order."))
    if first < today:
        raise Invalid(_("Distance days are declared from today on."))
    if (last - first).days + 1 > LONGEST:
        raise Invalid(_("Please declare at most {days} days at a time.").format(days=LONGEST))
    return first, last


def clean_platform(typed: str | None) -> str:
    cleaned = " ".join((typed or "").split())
    if not cleaned:
        raise Invalid(_("Please type the platform: its name or a link."))
    if len(cleaned) > PLATFORM_MAX:
        raise Invalid(
            _("The platform is too long: at most {limit} characters.").format(limit=PLATFORM_MAX)
        )
    return cleaned


def no_such_group() -> str:
    return _("There is no such group in your college.")


def _require(actor: Actor) -> None:
    policy.require(
        actor,
        policy.Action.DECLARE_DISTANCE,
        policy.Target(actor.org_id),
        _("Distance days are declared by the deputy director."),
    )


async def choosable_groups(session: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    _require(actor)
    return await groups_q.active_groups(session, actor.org_id)


@dataclass(frozen=True)
class Plan:
    """What a declaration would store: the days, the groups with lessons then (by name), the
    groups left out for having none (only with "all groups"), the platform."""

    first: date
    last: date
    groups: list[tuple[int, str]]
    left_out: list[str]
    platform: str
    everyone: bool  # "all groups"


async def plan(
    session: AsyncSession,
    actor: Actor,
    first: date,
    last: date,
    group_ids: Collection[int] | None,
    platform: str,
) -> Plan:
    """The declaration checked against the college; ``group_ids`` None: all groups."""
    _require(actor)
    if first > last:
        raise Invalid(_("The first date is after the last one. Please type them in order."))
    platform = clean_platform(platform)
    if group_ids is None:
        chosen = await groups_q.active_groups(session, actor.org_id)
    else:
        if not group_ids:
            raise Invalid(_("Choose at least one group."))
        chosen = await groups_q.active_groups(session, actor.org_id, set(group_ids))
        if len(chosen) != len(set(group_ids)):
            raise Denied(no_such_group())
    busy = await q.groups_with_lessons(session, actor.org_id, [g for g, _n in chosen], first, last)
    idle = [name for gid, name in chosen if gid not in busy]
    if group_ids is not None and idle:
        raise Invalid(
            _("{groups}: no classes on these days, so nothing to hold at a distance.").format(
                groups=", ".join(idle)
            )
        )
    with_lessons = [(gid, name) for gid, name in chosen if gid in busy]
    if not with_lessons:
        raise Invalid(_("There are no classes on these days, so nothing to hold at a distance."))
    return Plan(first, last, with_lessons, idle, platform, group_ids is None)


async def declare(
    session: AsyncSession,
    actor: Actor,
    chosen: Plan,
    now: datetime,
    *,
    announcement_text: str,
    progress_chat_id: int,
    progress_message_id: int,
    ack_markup: AckMarkup,
    message_text: MessageText,
    default_locale: str,
) -> Announcement | None:
    """Store the distance days (checked again) and announce them to the groups' students and
    parents with a linked account; None when nobody is linked yet (stored all the same)."""
    group_ids = None if chosen.everyone else [gid for gid, _n in chosen.groups]
    chosen = await plan(session, actor, chosen.first, chosen.last, group_ids, chosen.platform)
    audience = Audience.of([gid for gid, _n in chosen.groups], [Kind.STUDENTS, Kind.PARENTS])
    author = announcements.author_of(actor, AUTHOR_ROLE)
    announcement: Announcement | None = None
    if (await announcements.reach(session, author, audience)).linked:
        announcement = await announcements.publish(
            session,
            author,
            audience,
            announcement_text,
            None,
            now,
            progress_chat_id=progress_chat_id,
            progress_message_id=progress_message_id,
            ack_markup=ack_markup,
            message_text=message_text,
            default_locale=default_locale,
        )
    rows = [
        {
            "org_id": actor.org_id,
            "group_id": gid,
            "first_day": chosen.first,
            "last_day": chosen.last,
            "platform": chosen.platform,
            "declared_by": actor.person_id,
            "announcement_id": announcement.id if announcement else None,
            "created_at": now,
        }
        for gid, _n in chosen.groups
    ]
    await q.add(session, rows)
    audit.record(
        session,
        org_id=actor.org_id,
        actor_id=actor.person_id,
        action="create",
        entity="distance_days",
        entity_id=None,
        new={
            "first_day": chosen.first.isoformat(),
            "last_day": chosen.last.isoformat(),
            "groups": [gid for gid, _n in chosen.groups],
            "platform": chosen.platform,
        },
    )
    return announcement
