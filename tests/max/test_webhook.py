"""MAX's webhook: the bot subscribes, MAX posts updates with the secret, the bot answers 200
once the update is handled; a post without the secret is refused; polling again removes the
subscription."""

from __future__ import annotations

import asyncio
import contextlib

from pydantic import SecretStr

from bot.max.session import MaxSession
from bot.max.webhook import drop_subscriptions, serve_max_webhook
from tests.factories import College
from tests.fakebot.process import free_port
from tests.max.conftest import MaxApp


async def test_updates_come_by_webhook_with_the_secret_only(
    max_app: MaxApp, college: College
) -> None:
    port = free_port()
    settings = max_app.tg.settings.model_copy(
        update={
            "max_webhook_url": f"http://127.0.0.1:{port}/max/hook",
            "max_webhook_secret": SecretStr("s3cret-max"),
            "max_webhook_port": port,
        }
    )
    max_app.api._attached = None  # updates over HTTP from here on
    stop = asyncio.Event()
    i18n = max_app.tg.dp["i18n"]
    task = asyncio.create_task(
        serve_max_webhook(max_app.bot, max_app.tg.dp, settings, stop, i18n=i18n)
    )
    try:
        await max_app.api.wait_for(lambda: bool(max_app.api.subscriptions), within=10)
        [subscription] = max_app.api.subscriptions
        assert subscription["url"].endswith("/max/hook") and subscription["secret"] == "s3cret-max"

        user = await max_app.link(college.parents[college.students[0].id])
        await user.send("/menu")
        assert user.last.buttons  # the menu came, answered inside MAX's post

        forged = {"update_type": "bot_started", "timestamp": 1, "user": user.user, "payload": "x"}
        assert await max_app.api.post_update(forged, secret="wrong") == 401
        shown = len(user.bot_messages)
        assert await max_app.api.post_update(["not", "an update"]) == 400  # type: ignore[arg-type]
        assert len(user.bot_messages) == shown
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    session = max_app.bot.session
    assert isinstance(session, MaxSession)
    await drop_subscriptions(session)
    assert max_app.api.subscriptions == []
