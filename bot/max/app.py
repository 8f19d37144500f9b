"""The MAX bot: made from the settings, fed by long polling (``GET /updates``) or by MAX's
webhook (``POST /subscriptions``, bot/max/webhook.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.max import translate as tr
from bot.max.session import MaxAPIError, MaxSession
from core.config import Settings
from core.messenger import MAX_BASE

log = logging.getLogger(__name__)

# aiogram wants a bot token of the form "<id>:<secret>"; MAX's token is kept by the session.
MAX_BOT_ID = MAX_BASE
POLL_ERROR_PAUSE = 5.0


def create_max_bot(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    session: MaxSession | None = None,
) -> Bot:
    from bot.app import wire_session

    if settings.max_bot_token is None:
        raise ValueError("MAX_BOT_TOKEN is required")
    session = session or MaxSession(
        settings.max_bot_token.get_secret_value(), session_factory, settings.max_api_url
    )
    wire_session(session)
    return Bot(
        token=f"{MAX_BOT_ID}:max",
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


async def feed(bot: Bot, dp: Dispatcher, raw: dict[str, Any], **data: Any) -> None:
    """One MAX update through the dispatcher (an error is logged, as aiogram's polling does)."""
    session = bot.session
    assert isinstance(session, MaxSession)
    update = await session.to_update(bot, raw)
    if update is None:
        return
    await dp.feed_update(bot, update, **data)


async def poll_max(
    bot: Bot,
    dp: Dispatcher,
    *,
    polling_timeout: int = 30,
    stop: asyncio.Event | None = None,
    **data: Any,
) -> None:
    """Long polling of MAX's ``GET /updates``: each batch is handled, one update after
    another per person, before the marker moves on (a process stopped mid-batch gets the
    batch again; the update ids recognise what was already handled)."""
    session = bot.session
    assert isinstance(session, MaxSession)
    stop = stop or asyncio.Event()
    marker: int | None = None
    log.info("MAX: long polling started")
    while not stop.is_set():
        try:
            answer = await session.call(
                "GET",
                "/updates",
                params={
                    "marker": marker,
                    "timeout": polling_timeout,
                    "limit": 100,
                    "types": ",".join(tr.UPDATE_TYPES),
                },
                seconds=polling_timeout + 10,
            )
        except asyncio.CancelledError:
            raise
        except MaxAPIError as exc:
            pause = float(exc.retry_after or POLL_ERROR_PAUSE)
            log.warning("MAX: getting updates failed (%s); again in %s s", exc, pause)
            await _wait(stop, pause)
            continue
        except Exception as exc:
            log.warning("MAX: getting updates failed (%s); again soon", type(exc).__name__)
            await _wait(stop, POLL_ERROR_PAUSE)
            continue
        updates = answer.get("updates") or []
        await _handle_batch(bot, dp, updates, data)
        if answer.get("marker") is not None:
            marker = int(answer["marker"])


async def _handle_batch(
    bot: Bot, dp: Dispatcher, updates: list[dict[str, Any]], data: dict[str, Any]
) -> None:
    """Updates of different people at once, each person's in order."""
    by_person: dict[Any, list[dict[str, Any]]] = {}
    for raw in updates:
        by_person.setdefault(_person_of(raw), []).append(raw)

    async def one_person(items: list[dict[str, Any]]) -> None:
        for raw in items:
            try:
                await feed(bot, dp, raw, **data)
            except Exception:
                log.exception("MAX: an update of kind %s failed", raw.get("update_type"))

    await asyncio.gather(*(one_person(items) for items in by_person.values()))


def _person_of(raw: dict[str, Any]) -> Any:
    for path in (("user",), ("callback", "user"), ("message", "sender")):
        found: Any = raw
        for key in path:
            found = found.get(key) if isinstance(found, dict) else None
        if isinstance(found, dict) and "user_id" in found:
            return found["user_id"]
    return None


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
