"""Invite sheets: one row per person with their personal deep link (screens/invite_sheet.py
writes them as CSV or XLSX).

People with several roles get one link (a link identifies a person, not a role); the row lists
all their roles in scope of the export. Parents' rows name their children's groups so a curator
can hand out the sheet by group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor
from services.people import invites
from storage import people as q
from storage.journal import name_key
from storage.models import Group, Membership, Person, Role


@dataclass(frozen=True)
class InviteRow:
    external_id: str
    full_name: str
    roles: tuple[Role, ...]
    groups: str
    link: str
    expires: str
    other_link: str = ""  # the same code's link in the other messenger (docs/max.md)


async def build_rows(
    session: AsyncSession,
    org_id: int,
    *,
    bot_username: str,
    now: datetime,
    ttl: timedelta,
    tz: ZoneInfo,
    other_bot: str = "",
    roles: Sequence[Role] = (),
    group_names: Sequence[str] = (),
    actor_id: int | None = None,
    source: str = "cli",
    unlinked_only: bool = False,
    no_staff: bool = False,
    person_ids: Sequence[int] = (),
    issue: bool = True,
) -> list[InviteRow]:
    """Issue fresh codes for the selected people and describe them row by row (``issue``
    false: describe them only, with no link: who is still not linked)."""
    group_ids: list[int] = []
    if group_names:
        groups = await q.groups_by_names(session, org_id, group_names)
        group_ids = [g.id for g in groups]
        if not group_ids:
            return []
    pairs = await q.people_for_invites(
        session,
        org_id,
        roles=roles,
        group_ids=group_ids,
        unlinked_only=unlinked_only,
        no_staff=no_staff,
        person_ids=person_ids,
    )
    by_person: dict[int, tuple[Person, list[Membership]]] = {}
    for person, membership in pairs:
        by_person.setdefault(person.id, (person, []))[1].append(membership)
    if not by_person:
        return []
    student_ids = {m.student_id for _p, ms in by_person.values() for m in ms if m.student_id}
    students = {s.id: g for s, g in await q.students_with_groups(session, list(student_ids))}
    curated = {m.group_id for _p, ms in by_person.values() for m in ms if m.group_id}
    curated_names = await q.group_names(session, list(curated))
    people = sorted(
        (p for p, _ms in by_person.values()),
        key=lambda p: name_key(p.last_name, p.first_name, p.middle_name),
    )
    if issue:
        issued = await invites.issue(
            session, people, now=now, ttl=ttl, actor_id=actor_id, source=source
        )
    else:
        issued = [invites.IssuedInvite(p, "", now) for p in people]
    rows = []
    for item in issued:
        person, memberships = by_person[item.person.id]
        rows.append(
            InviteRow(
                external_id=person.external_id,
                full_name=person.full_name,
                roles=tuple(sorted({m.role for m in memberships})),
                groups=", ".join(sorted(_groups_of(memberships, students, curated_names))),
                link=invites.deep_link(bot_username, item.code) if issue else "",
                expires=item.expires_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if issue else "",
                other_link=invites.deep_link(other_bot, item.code) if issue and other_bot else "",
            )
        )
    return rows


def _groups_of(
    memberships: list[Membership],
    students: dict[int, Group | None],
    group_names: dict[int, str],
) -> set[str]:
    names: set[str] = set()
    for m in memberships:
        if m.group_id in group_names:
            names.add(group_names[m.group_id])
        child_group = students.get(m.student_id) if m.student_id else None
        if child_group is not None:
            names.add(child_group.name)
    return names


@dataclass(frozen=True)
class Terms:
    """What every link issued in the bot needs: the bot's name, the time, how long it is
    valid (handlers/ui.py ``invite_terms``)."""

    bot_username: str
    now: datetime
    ttl: timedelta
    other_bot: str = ""  # the bot's address in the other messenger, if the journal runs there


async def issued_by(
    session: AsyncSession, actor: Actor, terms: Terms, **scope: Any
) -> list[InviteRow]:
    """Fresh links an actor issues in the bot, in their college, audited as theirs; ``scope``
    selects the people as ``build_rows`` does."""
    return await build_rows(
        session,
        actor.org_id,
        bot_username=terms.bot_username,
        other_bot=terms.other_bot,
        now=terms.now,
        ttl=terms.ttl,
        tz=actor.tz,
        actor_id=actor.person_id,
        source="bot",
        **scope,
    )


async def group_not_linked(
    session: AsyncSession, actor: Actor, group: Group, terms: Terms, *, staff: bool
) -> list[InviteRow]:
    """Links for the group's people without a linked account: its students and parents, and
    with ``staff`` also its curators and anyone holding a staff role (the administrator's)."""
    return await issued_by(
        session,
        actor,
        terms,
        roles=() if staff else (Role.STUDENT, Role.PARENT),
        group_names=[group.name],
        unlinked_only=True,
        no_staff=not staff,
    )
