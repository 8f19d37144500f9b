"""MAX's webhook: MAX posts each update to ``MAX_WEBHOOK_URL`` (``POST /subscriptions``), with
``MAX_WEBHOOK_SECRET`` in its ``X-Max-Bot-Api-Secret`` header; a proxy forwards the posts to
``WEBHOOK_HOST:MAX_WEBHOOK_PORT``. As for Telegram (bot/web.py), an update is answered 200
once it is handled and committed, so an update a stopped process did not finish is delivered
again; the update ids made from MAX's message and callback ids recognise a second delivery.

A listener of its own, beside Telegram's (which may be polling): MAX's and Telegram's posts
never share a path or a secret.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiohttp import web

from bot.max import translate as tr
from bot.max.app import feed
from bot.max.session import MaxSession
from core.config import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Max-Bot-Api-Secret"


def max_webhook_path(settings: Settings) -> str:
    assert settings.max_webhook_url is not None
    return urlsplit(settings.max_webhook_url).path or "/"


def create_max_web_app(
    bot: Bot, dp: Dispatcher, settings: Settings, **data: Any
) -> web.Application:
    assert settings.max_webhook_secret is not None
    secret = settings.max_webhook_secret.get_secret_value()

    async def receive(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=401, text="Unauthorized")
        try:
            raw = await request.json()
        except ValueError:
            raw = None
        if not isinstance(raw, dict):  # not an update: nothing to deliver again
            return web.Response(status=400, text="Bad Request")
        try:
            await feed(bot, dp, raw, **data)
        except Exception:  # logged; 500 makes MAX deliver it again
            log.exception("MAX: an update of kind %s failed", raw.get("update_type"))
            return web.Response(status=500)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(max_webhook_path(settings), receive)
    return app


async def serve_max_webhook(
    bot: Bot, dp: Dispatcher, settings: Settings, stop: asyncio.Event, **data: Any
) -> None:
    """Listen, subscribe with MAX, serve until ``stop``."""
    session = bot.session
    assert isinstance(session, MaxSession)
    assert settings.max_webhook_url is not None and settings.max_webhook_secret is not None
    runner = web.AppRunner(create_max_web_app(bot, dp, settings, **data), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.webhook_host, settings.max_webhook_port)
        await site.start()
        await session.call(
            "POST",
            "/subscriptions",
            body={
                "url": settings.max_webhook_url,
                "update_types": list(tr.UPDATE_TYPES),
                "secret": settings.max_webhook_secret.get_secret_value(),
            },
        )
        log.info(
            "MAX webhook mode: listening on %s:%s", settings.webhook_host, settings.max_webhook_port
        )
        await stop.wait()
    finally:
        await runner.cleanup()


async def drop_subscriptions(session: MaxSession) -> None:
    """MAX sends no updates to long polling while a webhook is subscribed: a bot moved back
    to polling removes its subscriptions."""
    found = await session.call("GET", "/subscriptions")
    for item in found.get("subscriptions") or []:
        if item.get("url"):
            log.warning("MAX long polling: removing the webhook subscribed earlier")
            await session.call("DELETE", "/subscriptions", params={"url": item["url"]})
