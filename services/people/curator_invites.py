"""Invite links a curator hands out to their group (R5): new personal links for the group's
students and parents who have no linked account yet. New codes revoke the people's unused older
ones (services/people/invites.py), so the screens ask before issuing.

A link identifies a person with all their roles, so a curator never gets one for somebody
already linked (a new link would add a second account behind the owner's back) or for
somebody holding a staff role (a teacher who is also a parent of the group): those links come
from the administrator only."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied
from core.i18n import _
from services import policy
from services.access import Actor
from services.people import invite_sheet
from services.people.invite_sheet import InviteRow
from storage.models import Group


def not_your_group() -> str:
    return _("This group is not among your groups.")


async def curated_group(session: AsyncSession, actor: Actor, group_id: int) -> Group:
    """The group if the actor is its curator now, else Denied."""
    group = await session.get(Group, group_id)
    if group is None or not policy.can(
        actor, policy.Action.ISSUE_INVITES, policy.Target.group(group)
    ):
        raise Denied(not_your_group())
    return group


async def issue_group_links(
    session: AsyncSession, actor: Actor, group_id: int, terms: invite_sheet.Terms
) -> tuple[Group, list[InviteRow]]:
    """Fresh links for the students and parents of the curator's group without a linked
    account and without a staff role. The caller commits."""
    group = await curated_group(session, actor, group_id)
    return group, await invite_sheet.group_not_linked(session, actor, group, terms, staff=False)
