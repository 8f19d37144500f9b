"""Sign-in to the journal grid by Telegram only: the Mini App's ``initData``, signed with the
bot token's HMAC (aiogram's ``safe_parse_webapp_init_data``) and not older than the
configured age, names the Telegram user; the user is mapped to the person exactly as the
bot maps an update's sender (``identify``), and the actor is made as for a chat press."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from services.access import Actor
from services.people.identity import Actors, Identity, identify, preferred_locale

INIT_DATA_HEADER = "X-Telegram-Init-Data"
# Clocks differ a little: a sign-in dated this far ahead of ours is still taken.
CLOCK_SKEW = timedelta(minutes=2)


class Unauthorised(Exception):
    """The request carries no valid, fresh sign-in of this bot (401)."""


class NotLinked(Exception):
    """A valid sign-in of a Telegram user who is not (or no longer) a person of the journal."""


def signed_user(token: str, raw: str, now: datetime, max_age: timedelta) -> WebAppInitData:
    """The sign-in if ``raw`` is signed with ``token`` and fresh, else Unauthorised."""
    if not raw or len(raw) > 4096:
        raise Unauthorised
    try:
        data = safe_parse_webapp_init_data(token, raw, loads=orjson.loads)
    except ValueError:
        raise Unauthorised from None
    signed_at = data.auth_date
    if data.user is None or signed_at > now + CLOCK_SKEW or now - signed_at > max_age:
        raise Unauthorised
    return data


@dataclass(frozen=True)
class Visitor:
    identity: Identity
    actor: Actor
    locale: str


async def visitor(
    session: AsyncSession,
    data: WebAppInitData,
    settings: Settings,
    actors: Actors,
    now: datetime,
) -> Visitor:
    """The person behind the signed Telegram user, else NotLinked."""
    assert data.user is not None
    _account, identity = await identify(session, data.user.id, now)
    if identity is None or not identity.memberships:
        raise NotLinked
    actor = await actors.of(session, identity, settings)
    return Visitor(identity, actor, locale_of(identity, data, settings.default_locale))


def locale_of(identity: Identity | None, data: WebAppInitData, default: str) -> str:
    """The language the bot would speak to this person in."""
    language = data.user.language_code if data.user else None
    return preferred_locale(identity, language, default)


class PerPerson:
    """At most ``limit`` requests a minute from one Telegram user."""

    def __init__(self, limit: int, span: float = 60.0) -> None:
        self.limit = limit
        self.span = span
        self._seen: dict[int, deque[float]] = {}

    def allow(self, user_id: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        times = self._seen.setdefault(user_id, deque())
        while times and times[0] <= now - self.span:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        if len(self._seen) > 10_000:  # forget the quiet ones now and then
            for uid in [u for u, t in self._seen.items() if not t or t[-1] <= now - self.span]:
                del self._seen[uid]
        return True
