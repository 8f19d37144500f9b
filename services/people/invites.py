"""One-time invite codes that link a Telegram account to a person.

A code is 32 URL-safe characters from ``secrets`` (192 bits), well inside the 64-character
deep-link limit and Telegram's ``[A-Za-z0-9_-]`` alphabet. Only its SHA-256 is stored, so a
leaked database cannot be turned into working links. Issuing new codes for a person revokes
their unused older ones: the newest printed sheet is the valid one. Failed attempts are counted
per Telegram account and throttled, so codes cannot be guessed by hammering ``/start``.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.messenger import Messenger, messenger_of, start_link
from storage import audit
from storage import people as q
from storage.models import Invite, InviteAttempt, Person, TelegramAccount

CODE_BYTES = 24  # 192 bits → 32 characters
DEEP_LINK_LIMIT = 64


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    """The invite's link: ``bot_username`` is a Telegram bot's name or a messenger's address of
    a bot (``max.ru/<name>``, see core/messenger.py)."""
    return start_link(bot_username, code)


@dataclass(frozen=True)
class IssuedInvite:
    person: Person
    code: str
    expires_at: datetime


async def issue(
    session: AsyncSession,
    people: Sequence[Person],
    *,
    now: datetime,
    ttl: timedelta,
    actor_id: int | None = None,
    source: str = "cli",
) -> list[IssuedInvite]:
    """New codes for ``people``; their older unused codes stop working."""
    unique = list({p.id: p for p in people}.values())
    await q.revoke_open_invites(session, [p.id for p in unique], now)
    issued: list[IssuedInvite] = []
    for person in unique:
        code = new_code()
        invite = Invite(
            org_id=person.org_id,
            person_id=person.id,
            code_hash=hash_code(code),
            created_at=now,
            expires_at=now + ttl,
        )
        session.add(invite)
        issued.append(IssuedInvite(person, code, invite.expires_at))
    await session.flush()
    for item in issued:
        audit.record(
            session,
            org_id=item.person.org_id,
            actor_id=actor_id,
            action="create",
            entity="invite",
            entity_id=item.person.id,
            new={"expires_at": item.expires_at},
            source=source,
        )
    return issued


class Outcome(enum.Enum):
    LINKED = "linked"
    ALREADY_LINKED = "already_linked"  # this account already belongs to this very person
    OTHER_PERSON = "other_person"  # this account is linked to someone else
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    THROTTLED = "throttled"
    MESSENGER_OFF = "messenger_off"  # opened in MAX, and the college does not use MAX


@dataclass(frozen=True)
class Redemption:
    outcome: Outcome
    account: TelegramAccount | None = None


def looks_like_code(payload: str) -> bool:
    return 0 < len(payload) <= DEEP_LINK_LIMIT and all(c.isalnum() or c in "-_" for c in payload)


async def redeem(
    session: AsyncSession,
    code: str,
    *,
    telegram_user_id: int,
    chat_id: int,
    username: str,
    language: str | None,
    now: datetime,
    attempts_per_hour: int,
) -> Redemption:
    """Link the Telegram account to the code's person, once. Failures are recorded for
    throttling; success consumes the code in the same transaction. ``language`` is the
    Telegram client's, when the bot speaks it."""
    failures = await q.failed_attempts_since(session, telegram_user_id, now - timedelta(hours=1))
    if failures >= attempts_per_hour:
        return Redemption(Outcome.THROTTLED)

    invite = await q.invite_by_hash(session, hash_code(code)) if looks_like_code(code) else None
    outcome = _invite_problem(invite, now)
    if outcome is not None:
        session.add(InviteAttempt(telegram_user_id=telegram_user_id, at=now))
        return Redemption(outcome)
    assert invite is not None
    if messenger_of(telegram_user_id) is Messenger.MAX:
        from services.college_settings import max_on

        if not await max_on(session, invite.org_id):
            return Redemption(Outcome.MESSENGER_OFF)  # the code still works in Telegram

    account = await q.account_by_telegram_id(session, telegram_user_id)
    if account is not None and account.person_id != invite.person_id and not account.revoked_at:
        return Redemption(Outcome.OTHER_PERSON, account)
    # One conditional update claims the code: of two presses at the same moment, the second
    # finds it used and links nothing.
    if not await q.claim_invite(session, invite.id, telegram_user_id, now):
        return Redemption(Outcome.USED)
    if account is None:
        person = await session.get(Person, invite.person_id)
        account = TelegramAccount(
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            person_id=invite.person_id,
            username=username,
            # The language the person meets first (the college's record of them, else their
            # Telegram's) is kept, so messages sent later speak it too.
            language=(person.locale if person and person.locale else None) or language,
        )
        session.add(account)
        outcome_ok = Outcome.LINKED
    else:
        # A revoked account comes back only by a new invite, as a newly linked one.
        outcome_ok = Outcome.LINKED if account.revoked_at else Outcome.ALREADY_LINKED
        account.person_id = invite.person_id
        account.revoked_at = None
        account.active = True
        account.chat_id = chat_id
    await session.flush()
    audit.record(
        session,
        org_id=invite.org_id,
        actor_id=invite.person_id,
        action="update",
        entity="telegram_account",
        entity_id=account.id,
        old={},
        new={"person_id": invite.person_id, "telegram_user_id": telegram_user_id},
    )
    return Redemption(outcome_ok, account)


def _invite_problem(invite: Invite | None, now: datetime) -> Outcome | None:
    if invite is None or invite.revoked_at is not None:
        return Outcome.UNKNOWN
    if invite.used_at is not None:
        return Outcome.USED
    if invite.expires_at <= now:
        return Outcome.EXPIRED
    return None
