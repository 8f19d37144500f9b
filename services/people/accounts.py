"""A person's linked Telegram accounts: who is told when one more is linked, and revoking one.

A link identifies a person, so whoever holds a fresh link can add an account to them. The
person's existing accounts are therefore told at once (through the outbox) with a button to
revoke the new one; the administrator sees and revokes anyone's accounts. A revoked account
keeps its row (the audit log points at it) but is refused on every press until a new invite
links it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied
from core.i18n import _, use_locale
from core.messenger import Messenger
from services import policy
from services.access import Actor
from storage import audit
from storage import outbox as out
from storage import people as q
from storage.models import Person, TelegramAccount

NOTICE_KIND = "account.linked"


@dataclass(frozen=True)
class Outgoing:
    """One Telegram message for the outbox."""

    text: str
    reply_markup: dict[str, Any] | None = None


@dataclass(frozen=True)
class LinkedAccount:
    id: int
    username: str
    linked_at: datetime
    active: bool  # false while the person has blocked the bot
    messenger: Messenger = Messenger.TELEGRAM


def not_yours() -> str:
    return _("This account is not among the accounts you may manage.")


async def accounts_of(session: AsyncSession, person_id: int) -> list[LinkedAccount]:
    """The person's accounts that are not revoked, oldest first."""
    rows = await q.accounts_of(session, person_id)
    return [LinkedAccount(a.id, a.username, a.created_at, a.active, a.messenger) for a in rows]


async def person_accounts(
    session: AsyncSession, org_id: int, external_id: str
) -> list[LinkedAccount] | None:
    """The accounts of the college's person with that import ID; None: no such person."""
    person = await q.person_by_external_id(session, org_id, external_id)
    return None if person is None else await accounts_of(session, person.id)


async def revoke_by_operator(
    session: AsyncSession, account_id: int, *, now: datetime
) -> TelegramAccount | None:
    """The operator's revoke from the command line; None when there is no such linked
    account."""
    account = await session.get(TelegramAccount, account_id)
    if account is None or account.revoked_at is not None:
        return None
    person = await session.get(Person, account.person_id)
    org_id = person.org_id if person else None
    revoke_account(session, account, now=now, actor_id=None, org_id=org_id, source="cli")
    return account


async def tell_others(
    session: AsyncSession,
    account: TelegramAccount,
    *,
    now: datetime,
    default_locale: str,
    render: Callable[[TelegramAccount], Outgoing],
) -> int:
    """Queue a message about the newly linked ``account`` to every other account of its
    person, each in its language; returns how many were queued."""
    queued = 0
    for other in await q.accounts_of(session, account.person_id):
        if other.id == account.id or not other.active:
            continue
        with use_locale(other.language or default_locale):
            message = render(account)
        queued += await out.enqueue_once(
            session,
            org_id=None,
            dedup_key=f"{NOTICE_KIND}:{account.id}:{other.chat_id}:{now.timestamp():.0f}",
            person_id=account.person_id,
            chat_id=other.chat_id,
            kind=NOTICE_KIND,
            subject=f"account:{account.id}",
            text=message.text,
            reply_markup=message.reply_markup,
            not_before=now,
            created_at=now,
        )
    return queued


async def account_for(session: AsyncSession, actor: Actor, account_id: int) -> TelegramAccount:
    """The account if it is the actor's own or the actor manages the college's accounts."""
    account = await session.get(TelegramAccount, account_id)
    person = await session.get(Person, account.person_id) if account else None
    if account is None or person is None or account.revoked_at is not None:
        raise Denied(not_yours())
    own = account.person_id == actor.person_id
    target = policy.Target(person.org_id)
    if not own and not policy.can(actor, policy.Action.MANAGE_ACCOUNTS, target):
        raise Denied(not_yours())
    return account


async def revoke(
    session: AsyncSession, actor: Actor, account_id: int, *, now: datetime, source: str = "bot"
) -> TelegramAccount:
    """Take the account away from its person; its next press is refused."""
    account = await account_for(session, actor, account_id)
    revoke_account(
        session, account, now=now, actor_id=actor.person_id, org_id=actor.org_id, source=source
    )
    return account


def revoke_account(
    session: AsyncSession,
    account: TelegramAccount,
    *,
    now: datetime,
    actor_id: int | None,
    org_id: int | None,
    source: str = "bot",
) -> None:
    account.revoked_at = now
    account.active = False
    audit.record(
        session,
        org_id=org_id,
        actor_id=actor_id,
        action="update",
        entity="telegram_account",
        entity_id=account.id,
        old={"revoked_at": None},
        new={"revoked_at": now, "person_id": account.person_id},
        source=source,
    )
