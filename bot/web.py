"""Webhook mode: the HTTP application Telegram posts updates to, with the health probes.

``create_web_app`` builds the one aiohttp application of the process; the journal grid (the
Telegram Mini App, webapp/) is mounted on it when ``WEBAPP_URL`` is set. ``serve_webhook``
runs it until SIGTERM.

An update is answered ``200`` only once it has been handled and its transaction committed
(aiogram's ``handle_in_background=False``): a replica killed with -9 mid-update never said
200, so Telegram delivers the update again, to another replica or to this one restarted, and
nothing is lost. Telegram waits for the handler meanwhile, which takes tens of milliseconds;
a slow one may make it deliver the update a second time, and that is harmless: the update id is
recorded in the same transaction as the update's effects, so the second delivery changes
nothing. The response is always empty: replies go through the bot's session (with its 429
retries), never inside the HTTP response, where a failure would go unseen. See docs/deploy.md.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any
from urllib.parse import urlsplit

import orjson
from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from core.config import Settings
from storage.db import head_revision, store_revision
from webapp.app import add_mini_app

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# How long a stopping process waits for the updates it is handling (systemd allows 90 s,
# Kubernetes 30 s before SIGKILL).
DRAIN_SECONDS = 25.0
READY_TIMEOUT = 5.0  # a store slower than this to answer "SELECT" is not ready


class UpdateReceiver(SimpleRequestHandler):
    """aiogram's receiver (it compares the secret header on every request, refusing with
    401) that answers 200 after the update is handled, and can also stop taking updates and
    wait for the ones it is still handling."""

    closing = False

    def __init__(self, dispatcher: Dispatcher, bot: Bot, **kwargs: Any) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, **kwargs)
        self._handling: set[asyncio.Task[Any]] = set()  # the updates being handled now

    async def handle(self, request: web.Request) -> web.Response:
        if self.closing:
            # A connection kept alive still brings posts after the listener closed: 503 makes
            # Telegram (or the proxy) deliver the update again, to another replica.
            return web.Response(status=503, text="stopping")
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            return web.Response(body="Unauthorized", status=401)
        update = await request.json(loads=orjson.loads)
        # A task of its own, so a stop can wait for it (and cancel it after the drain time)
        # without waiting for the connection it came on.
        task = asyncio.create_task(self._handle_update(update))
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)
        await task
        return web.json_response({}, dumps=self.bot.session.json_dumps)

    async def _handle_update(self, update: dict[str, Any]) -> None:
        # An update slower than aiogram's 55 s is left running and answered 200 then, before
        # Telegram's 60 s run out.
        result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(
            self.bot, update, **self.data
        )
        if isinstance(result, TelegramMethod):
            # Our handlers send their replies themselves; one returning a method has it sent
            # through the session too, as polling does, rather than in the HTTP response.
            await self.dispatcher.silent_call_request(bot=self.bot, result=result)

    @property
    def in_flight(self) -> int:
        return len(self._handling)

    async def finish(self, within: float) -> int:
        """Wait for the updates being handled, at most ``within`` seconds; returns how many
        were still running then (they are cancelled, so their transactions roll back and
        Telegram, having had no 200, delivers them again)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while tasks := set(self._handling):
            remaining = deadline - loop.time()
            if remaining <= 0:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                return len(tasks)
            await asyncio.wait(tasks, timeout=remaining)
        return 0


RECEIVER = web.AppKey("receiver", UpdateReceiver)
ENGINE = web.AppKey("engine", AsyncEngine)
HEAD = web.AppKey("head", str)


def webhook_path(settings: Settings) -> str:
    """The path Telegram posts to: the path of ``WEBHOOK_URL`` (the proxy keeps it)."""
    assert settings.webhook_url is not None
    return urlsplit(settings.webhook_url).path or "/"


def create_web_app(
    bot: Bot, dispatcher: Dispatcher, settings: Settings, engine: AsyncEngine, **data: Any
) -> web.Application:
    """The application: updates at ``webhook_path``, ``GET /healthz`` and ``GET /readyz``.
    ``data`` reaches every handler and the dispatcher's start-up, as with polling."""
    if settings.webhook_secret is None:
        raise ValueError("WEBHOOK_SECRET is required in webhook mode")
    app = web.Application()
    receiver = UpdateReceiver(
        dispatcher,
        bot,
        secret_token=settings.webhook_secret.get_secret_value(),
        **data,
    )
    app[RECEIVER] = receiver
    app[ENGINE] = engine
    app[HEAD] = head_revision() or ""
    # Not receiver.register(): it would close the bot's session when the application stops,
    # and the outbox sender still needs it then.
    app.router.add_post(webhook_path(settings), receiver.handle)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if settings.webapp_url:  # the journal grid, on the same server (docs/deploy.md)
        add_mini_app(app, settings, dispatcher["session_factory"])
    setup_application(app, dispatcher, bot=bot, **data)  # the dispatcher's start-up (commands)
    return app


async def healthz(request: web.Request) -> web.Response:
    """The process is up and serving HTTP."""
    return web.Response(text="ok")


async def readyz(request: web.Request) -> web.Response:
    """Ready for updates: the store answers and is at the migration this code expects.
    A store at another revision (a newer version has migrated it) is not ready either, so a
    proxy sends the updates to the replicas of the new version."""
    if request.app[RECEIVER].closing:
        return web.Response(status=503, text="stopping")
    head = request.app[HEAD]
    try:
        found = await asyncio.wait_for(store_revision(request.app[ENGINE]), READY_TIMEOUT)
    except Exception as exc:  # any failure to reach the store is "not ready", not a 500
        log.warning("not ready: the store does not answer (%s)", type(exc).__name__)
        return web.Response(status=503, text="store unreachable")
    if found != head:
        return web.Response(status=503, text=f"store at migration {found}, expected {head}")
    return web.Response(text="ready")


async def serve_webhook(
    bot: Bot, dispatcher: Dispatcher, settings: Settings, engine: AsyncEngine, **data: Any
) -> None:
    """Listen, register the webhook with Telegram, and serve until SIGTERM or SIGINT; then stop
    taking updates and finish the ones being handled. The caller stops the background work
    and closes the sessions afterwards."""
    app = create_web_app(bot, dispatcher, settings, engine, **data)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
        await site.start()
        # Listening first, so Telegram's first delivery finds us. Every replica registers the
        # same address; pending updates are kept (drop_pending_updates is false).
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=dispatcher.resolve_used_update_types(),
            drop_pending_updates=False,
        )
        log.info(
            "webhook mode: listening on %s:%s, updates at %s",
            settings.webhook_host,
            settings.webhook_port,
            webhook_path(settings),
        )
        await stop.wait()
        app[RECEIVER].closing = True
        log.info("stopping: no new updates, finishing %d in flight", app[RECEIVER].in_flight)
        # The webhook stays registered: the other replicas (or this one restarted) take the
        # updates Telegram delivers meanwhile.
        for running in list(runner.sites):
            await running.stop()
        unfinished = await app[RECEIVER].finish(DRAIN_SECONDS)
    finally:
        # The signal handlers stay: a second SIGTERM must not cut short the rest of the stop
        # (the outbox sender finishing its messages); SIGKILL is there for that.
        await runner.cleanup()
    unfinished += await app[RECEIVER].finish(1.0)  # any a kept-alive connection brought late
    if unfinished:
        log.warning("stopped with %d updates unfinished (rolled back)", unfinished)
