"""Replies first: a person using the bot during a college-wide announcement is answered at
once; the announcement waits a moment for their chat and still reaches everyone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.interactions import Interactions
from handlers.sender import Sender
from services.announcements.service import Kind
from storage.models import Role
from tests.announcements.kit import link_all, outbox, publish
from tests.botapp import BotApp, start_app
from tests.factories import College
from tests.fakebot import FakeBotAPI, TgUser

Factory = async_sessionmaker[AsyncSession]
TEXT = "The college is closed on Monday."
TAPS_MAX = 2000  # a bound for a broken sender that never delivers
# Telegram's per-chat second, and a margin: the person's own replies keep within it.
MENU_EVERY = 1.2


@pytest.fixture
async def limited(session_factory: Factory, db_url: str) -> AsyncIterator[BotApp]:
    """The bot against a fake Bot API that answers 429 to any message beyond Telegram's
    limits (one a second per private chat, 30 a second overall)."""
    async with FakeBotAPI(enforce_limits=True) as api:
        yield await start_app(api, session_factory, db_url)


def got_announcement(user: TgUser) -> bool:
    return any(TEXT in m.text for m in user.bot_messages)


async def use_the_bot_while_it_announces(
    app: BotApp, college: College, sender: Sender
) -> tuple[TgUser, list[TgUser], int]:
    """While an announcement to the whole college fans out, the teacher presses "My lessons"
    without pause and types /menu whenever a second has passed since the last (each /menu is
    answered with a new message, which Telegram counts in the chat: any message of the outbox
    sent among them would break the chat's limit). They stop once everyone else has it.
    Returns the teacher, the others and how many times /menu was answered."""
    people = [
        college.teacher,
        college.other_teacher,
        college.curator,
        *(s.person for s in college.students + college.other_students),
        *college.parents.values(),
    ]
    users = await link_all(app, people)
    teacher, others = (
        users[college.teacher.id],
        [u for pid, u in users.items() if pid != college.teacher.id],
    )
    deputy = await app.link(college.deputy)
    await teacher.command("menu")
    menu = teacher.last
    lessons = menu.button("📅 My lessons")
    assert lessons is not None
    loop = asyncio.get_running_loop()
    last_menu = loop.time()
    await publish(app.session_factory, college.deputy, Role.DEPUTY, [], list(Kind), TEXT)
    recipients = {m.chat_id for m in await outbox(app.session_factory)}
    assert teacher.chat_id in recipients
    others = [u for u in others if u.chat_id in recipients]
    stop = asyncio.Event()
    sending = asyncio.create_task(sender.run(stop))
    answered = 1
    try:
        for _ in range(TAPS_MAX):
            if all(got_announcement(u) for u in others):
                break
            if loop.time() - last_menu > MENU_EVERY:
                await teacher.command("menu")
                menu, last_menu = teacher.last, loop.time()
                answered += 1
            await teacher.click_data(menu, lessons["callback_data"])
        await app.api.wait_until(lambda: got_announcement(teacher), what="the teacher's copy")
    finally:
        stop.set()
        await sending
    assert deputy.chat_id not in {u.chat_id for u in users.values()}
    return teacher, others, answered


async def test_a_person_pressing_buttons_during_an_announcement_is_answered_at_once(
    limited: BotApp, college: College
) -> None:
    app = limited
    sender = Sender(app.bot, app.session_factory)

    teacher, others, answered = await use_the_bot_while_it_announces(app, college, sender)

    assert app.api.rate_limit_hits == {}  # no 429 anywhere, the teacher's chat included
    sent = app.api.calls("sendMessage", chat_id=teacher.chat_id)
    assert all(call.ok for call in sent)  # each answered at the first try
    assert len(sent) == answered + 1 and answered > 1  # every /menu, and the announcement
    assert all(got_announcement(u) for u in others)
    # Their copy waited until they paused: it came after their last menu.
    texts = [m.text for m in teacher.bot_messages]
    assert TEXT in texts[-1] and sum(TEXT in t for t in texts) == 1


async def test_the_sender_in_another_process_yields_the_chat_too(
    limited: BotApp, college: College, db_url: str
) -> None:
    """Replicas on PostgreSQL: the updates reach one process, the sender runs in another; the
    store tells the sender who is talking with the bot."""
    if not db_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL store; SQLite serves one process")
    app = limited
    elsewhere = Sender(app.bot, app.session_factory, registry=Interactions())

    teacher, others, _ = await use_the_bot_while_it_announces(app, college, elsewhere)

    assert app.api.rate_limit_hits == {}
    assert all(got_announcement(u) for u in others)
    assert TEXT in teacher.bot_messages[-1].text
