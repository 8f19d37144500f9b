"""The test rig itself: the fake Bot API answers like Telegram, users act like people."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)

from tests.fakebot import FakeBotAPI, RateLimits, TgUser, parse_html
from tests.fakebot.process import REPO_ROOT, BotProcess

ANNA = 1001


def like_keyboard(label: str, data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=label, callback_data=data)]]
    )


def make_router() -> Router:
    """A tiny bot: greets with a button, echoes text, reads uploaded files back."""
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        name = message.from_user.first_name if message.from_user else "?"
        await message.answer(
            f"Welcome, <b>{name}</b>! Payload: {command.args or '-'}",
            reply_markup=like_keyboard("Like", "like"),
        )

    @router.message(Command("menu"))
    async def menu(message: Message) -> None:
        keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Diary")]])
        await message.answer("Menu", reply_markup=keyboard)

    @router.callback_query(F.data == "like")
    async def like(callback: CallbackQuery) -> None:
        assert isinstance(callback.message, Message)
        await callback.message.edit_text("Liked", reply_markup=like_keyboard("Unlike", "unlike"))
        await callback.answer("Thanks!")

    @router.callback_query()
    async def unknown(callback: CallbackQuery) -> None:
        await callback.answer("This button is out of date.", show_alert=True)

    @router.message(F.document)
    async def document(message: Message, bot: Bot) -> None:
        assert message.document is not None
        data = await bot.download(message.document)
        assert data is not None
        content = data.read()
        await message.answer(f"Got {message.document.file_name}: {len(content)} bytes")
        await message.answer_document(
            BufferedInputFile(content.upper(), "echo.txt"), caption="Back"
        )

    @router.message(F.photo)
    async def photo(message: Message, bot: Bot) -> None:
        assert message.photo
        data = await bot.download(message.photo[-1])
        assert data is not None
        await message.answer(f"Photo of {len(data.read())} bytes, caption {message.caption!r}")

    @router.message(F.text)
    async def echo(message: Message) -> Message:
        return await message.answer(f"You said: {html.escape(message.text or '')}")

    return router


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
def bot(api: FakeBotAPI) -> Bot:
    return api.make_bot()


@pytest.fixture(params=["feed_update", "polling"])
async def running(request: pytest.FixtureRequest, api: FakeBotAPI, bot: Bot) -> AsyncIterator[str]:
    """The tiny bot, fed in-process or polling the fake server in a background task."""
    dp = Dispatcher()
    dp.include_router(make_router())
    if request.param == "feed_update":
        api.attach(dp, bot)
        yield request.param
        return
    task = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=5)
    )
    await api.wait_for_call("getUpdates")
    yield request.param
    await dp.stop_polling()
    await task


# --- the rig in both delivery modes --------------------------------------------------------


async def test_echo_reply_is_what_the_user_sees(api: FakeBotAPI, running: str) -> None:
    anna = TgUser(api, ANNA, "Anna")
    sent = await anna.send("hello & <b>")
    assert sent.text == "hello & <b>"
    assert anna.last.text == "You said: hello & <b>"
    assert anna.last.html == "You said: hello &amp; &lt;b&gt;"
    assert [m.from_bot for m in anna.messages] == [False, True]
    [call] = api.calls("sendMessage", chat_id=ANNA)
    assert call.params["parse_mode"] == "HTML"


async def test_command_button_click_edits_the_message(api: FakeBotAPI, running: str) -> None:
    anna = TgUser(api, ANNA, "Anna")
    await anna.command("start", "invite-42")
    greeting = anna.last
    assert greeting.text == "Welcome, Anna! Payload: invite-42"
    assert greeting.entities == [{"type": "bold", "offset": 9, "length": 4}]
    assert greeting.buttons == [["Like"]]

    toast = await anna.click("Like")

    assert toast == "Thanks!"
    assert greeting.text == "Liked" and greeting.edited
    assert anna.last is greeting and anna.last.button_labels == ["Unlike"]
    assert len(anna.bot_messages) == 1
    assert [a.text for a in anna.alerts] == ["Thanks!"]


async def test_forged_button_data_gets_an_alert(api: FakeBotAPI, running: str) -> None:
    anna = TgUser(api, ANNA, "Anna")
    await anna.command("start")
    answer = await anna.click_data(anna.last, "lesson:999999:delete")
    assert answer == "This button is out of date."
    assert anna.alerts[-1].show_alert
    assert anna.last.text.startswith("Welcome")  # nothing else changed


async def test_uploaded_document_is_downloaded_by_the_bot(api: FakeBotAPI, running: str) -> None:
    anna = TgUser(api, ANNA, "Anna")
    await anna.upload_document(b"attendance,ok\n", "marks.csv", caption="today")
    reply, echoed = anna.bot_messages
    assert reply.text == "Got marks.csv: 14 bytes"
    assert echoed.text == "Back"
    assert echoed.document is not None and echoed.document.content == b"ATTENDANCE,OK\n"
    assert echoed.document.file_name == "echo.txt"


async def test_photo_with_caption(api: FakeBotAPI, running: str) -> None:
    parent = TgUser(api, 2002, "Olga")
    await parent.send_photo(b"\xff\xd8fake-jpeg", caption="certificate")
    assert parent.last.text == "Photo of 11 bytes, caption 'certificate'"


async def test_reply_keyboard_press(api: FakeBotAPI, running: str) -> None:
    anna = TgUser(api, ANNA, "Anna")
    await anna.command("menu")
    assert anna.keyboard == [["Diary"]]
    await anna.press("Diary")
    assert anna.last.text == "You said: Diary"
    with pytest.raises(AssertionError, match="no reply-keyboard button 'Grades'"):
        await anna.press("Grades")


async def test_missing_button_fails_clearly(api: FakeBotAPI, running: str) -> None:
    anna = TgUser(api, ANNA, "Anna")
    await anna.command("start")
    with pytest.raises(AssertionError, match=r"button 'Delete'.*\[\['Like'\]\]"):
        await anna.click("Delete")


async def test_silence_is_an_error_unless_expected(api: FakeBotAPI, bot: Bot) -> None:
    dp = Dispatcher()  # no handlers: the bot ignores everything
    api.attach(dp, bot)
    anna = TgUser(api, ANNA, "Anna")
    with pytest.raises(AssertionError, match="did not answer"):
        await anna.send("anyone?")
    await anna.send("anyone?", expect_reply=False)
    assert anna.bot_messages == []


# --- Telegram's rules --------------------------------------------------------------------


async def test_text_length_counts_without_tags(api: FakeBotAPI, bot: Bot) -> None:
    TgUser(api, ANNA)
    await bot.send_message(ANNA, "<b>" + "я" * 4096 + "</b>")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(ANNA, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(ANNA, "  <i> </i> ")
    assert len(api.chat(ANNA).visible) == 1


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<br>line", 'Unsupported start tag "br" at byte offset 0'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ('<a href="https://x.ru">link', 'Can\'t find end tag corresponding to start tag "a"'),
        ('<a href="https://x.ru>link</a>', "Unclosed start tag at byte offset 0"),
        ("Иванов <b", "Unclosed start tag at byte offset 13"),
    ],
)
async def test_bad_html_is_rejected(api: FakeBotAPI, bot: Bot, html: str, error: str) -> None:
    TgUser(api, ANNA)
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as caught:
        await bot.send_message(ANNA, html)
    assert error in caught.value.message


def test_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html(
        '  🎓 <b>Группа &lt;ИС-21&gt;</b> <a href="https://x.ru/?a=1&amp;b=2">x</a> '
    )
    assert text == "🎓 Группа <ИС-21> x"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 14},
        {"type": "text_link", "url": "https://x.ru/?a=1&b=2", "offset": 18, "length": 1},
    ]
    assert parse_html("AT&T &nbsp;")[0] == "AT&T &nbsp;"  # unknown entities stay literal
    # Quotes as numeric references (how the bot escapes them) read as quotes; a lone "&" is
    # text, as Telegram takes it.
    assert parse_html("&#34;O&#39;Нил&#34; &lt;b&gt; & 1") == ('"O\'Нил" <b> & 1', [])


async def test_keyboard_limits(api: FakeBotAPI, bot: Bot) -> None:
    TgUser(api, ANNA)
    await bot.send_message(ANNA, "ok", reply_markup=like_keyboard("Go", "я" * 32))  # 64 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(ANNA, "65 bytes", reply_markup=like_keyboard("Go", "x" * 65))
    with pytest.raises(TelegramBadRequest, match="BUTTON_TEXT_INVALID"):
        await bot.send_message(ANNA, "no label", reply_markup=like_keyboard(" ", "go"))
    with pytest.raises(TelegramBadRequest, match="Text buttons are unallowed"):
        await bot.send_message(ANNA, "no data", reply_markup=like_keyboard("Go", ""))


async def test_edit_rules(api: FakeBotAPI, bot: Bot) -> None:
    anna = TgUser(api, ANNA)
    sent = await bot.send_message(ANNA, "<b>Marks</b>", reply_markup=like_keyboard("Save", "s"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<b>Marks</b>",
            chat_id=ANNA,
            message_id=sent.message_id,
            reply_markup=like_keyboard("Save", "s"),
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=ANNA, message_id=sent.message_id + 50)
    await bot.edit_message_text("<b>Marks</b>", chat_id=ANNA, message_id=sent.message_id)
    assert anna.last.buttons == []  # an edit without a keyboard takes the keyboard away
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=ANNA, message_id=sent.message_id)
    api.attach(Dispatcher(), bot)  # a bot that ignores the user
    user_message = await anna.send("mine", expect_reply=False)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=ANNA, message_id=user_message.message_id)


async def test_scripted_429_becomes_retry_after(api: FakeBotAPI) -> None:
    bot = api.make_bot(raw=True)
    TgUser(api, ANNA)
    api.fail_next("sendMessage", chat_id=ANNA, status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(ANNA, "first try")
    assert caught.value.retry_after == 7
    await bot.send_message(ANNA, "second try")
    assert [m.text for m in api.chat(ANNA).visible] == ["second try"]
    assert api.too_many_requests == 1 and [r.status for r in api.errors] == [429]


async def test_scripted_server_errors(api: FakeBotAPI, bot: Bot) -> None:
    TgUser(api, ANNA)
    api.fail_next("sendMessage", status=502, times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Bad Gateway"):
            await bot.send_message(ANNA, "x")
    await bot.send_message(ANNA, "through")


async def test_blocked_user(api: FakeBotAPI, bot: Bot) -> None:
    TgUser(api, ANNA)
    api.block(ANNA)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ANNA, "grade 5")
    api.unblock(ANNA)
    await bot.send_message(ANNA, "grade 5")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(5555, "a parent who never pressed Start")


async def test_wrong_token_is_unauthorized(api: FakeBotAPI) -> None:
    other = Bot("1:wrong", session=api.make_bot().session)
    with pytest.raises(TelegramUnauthorizedError):
        await other.get_me()


async def test_rate_limits_per_chat() -> None:
    async with FakeBotAPI(enforce_limits=True) as api:
        bot = api.make_bot(raw=True)
        TgUser(api, ANNA)
        await bot.send_message(ANNA, "one")
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(ANNA, "two in the same second")
        assert caught.value.retry_after == 1
        for n in range(20):
            await bot.send_message(-100777, f"group {n}")
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(-100777, "21st this minute")
        assert caught.value.retry_after > 1
        assert api.rate_limit_hits == {"private": 1, "group": 1}
        assert api.too_many_requests == 2
        assert len(api.chat(-100777).visible) == 20


async def test_rate_limit_overall() -> None:
    async with FakeBotAPI(enforce_limits=True, limits=RateLimits(overall_per_second=3)) as api:
        bot = api.make_bot(raw=True)
        chats = [TgUser(api, 3000 + n).chat_id for n in range(4)]
        for chat in chats[:3]:
            await bot.send_message(chat, "broadcast")
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(chats[3], "broadcast")
        assert api.rate_limit_hits == {"overall": 1}


# --- server plumbing -----------------------------------------------------------------------


async def test_long_polling_offset_timeout_and_limit(api: FakeBotAPI, bot: Bot) -> None:
    assert await bot.get_updates(timeout=1) == []  # waited, nothing came
    anna = TgUser(api, ANNA)
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await anna.send("waited for", expect_reply=False)  # returns once the poll fetched it
    [first] = await poll
    assert first.message is not None and first.message.text == "waited for"

    sends = [asyncio.create_task(anna.send(t, expect_reply=False)) for t in ("a", "b")]
    await api.wait_until(lambda: api.pending == 3, what="both updates queued")
    [again, a] = await bot.get_updates(limit=2, timeout=0)  # unconfirmed ones come back
    assert again.update_id == first.update_id
    [b] = await bot.get_updates(offset=a.update_id + 1, limit=1, timeout=0)
    assert b.message is not None and b.message.text == "b"
    await asyncio.gather(*sends)
    assert await bot.get_updates(offset=b.update_id + 1, timeout=0) == []


async def test_json_clients_commands_and_files(api: FakeBotAPI, bot: Bot) -> None:
    TgUser(api, ANNA)
    async with aiohttp.ClientSession() as http:
        url = f"{api.base_url}/bot{api.token}/sendMessage"
        async with http.post(
            url, json={"chat_id": ANNA, "text": "<i>json</i>", "parse_mode": "HTML"}
        ) as r:
            body = await r.json()
        assert body["ok"] and body["result"]["entities"][0]["type"] == "italic"
        async with http.post(f"{api.base_url}/bot{api.token}/noSuchMethod") as r:
            assert r.status == 404
    await bot.set_my_commands([{"command": "menu", "description": "Main menu"}], language_code="ru")
    assert [c.command for c in await bot.get_my_commands(language_code="ru")] == ["menu"]
    assert await bot.get_my_commands() == []
    await bot.delete_my_commands(language_code="ru")
    assert await bot.get_my_commands(language_code="ru") == []
    sent = await bot.send_document(ANNA, BufferedInputFile(b"%PDF", "plan.pdf"))
    assert sent.document is not None
    downloaded = await bot.download(sent.document.file_id)
    assert downloaded is not None and downloaded.read() == b"%PDF"
    assert await bot.set_chat_menu_button(chat_id=ANNA)
    assert await bot.close() is True


# --- the real bot as a process -------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.skipif(not (REPO_ROOT / "bot" / "__main__.py").exists(), reason="no bot CLI yet")
async def test_real_bot_process_answers(api: FakeBotAPI, db_url: str, tmp_path: Path) -> None:
    async with BotProcess(api, env={"DATABASE_URL": db_url, "POLLING_TIMEOUT": "5"}) as proc:
        user = TgUser(api, ANNA, "Anna")
        await user.command("start")
        assert user.last.text
    assert proc.returncode == 0, proc.stderr
    assert api.calls("setMyCommands")
    assert "Traceback" not in proc.stderr


async def test_shared_polling_hands_each_update_to_one_poller() -> None:
    """Several bot processes polling one fake (tests/e2e/test_replicas_e2e.py): nobody is cut
    off with 409, and each update reaches exactly one of them."""
    async with FakeBotAPI(shared_polling=True) as api:
        waiting = [asyncio.create_task(api.fetch_updates(None, 100, 2.0)) for _ in range(2)]
        async with api._polls:
            api._queue.extend({"update_id": n, "message": {}} for n in (1, 2, 3))
            api._polls.notify_all()
        got = await asyncio.gather(*waiting)  # a 409 would raise here
        assert sorted(u["update_id"] for batch in got for u in batch) == [1, 2, 3]
        assert await api.fetch_updates(3, 100, 0) == []  # none handed twice
        assert api.doubled == 0 and not api.sent_counts()


async def test_sent_counts_show_a_message_sent_twice(api: FakeBotAPI, bot: Bot) -> None:
    api.open_chat(ANNA)
    await bot.send_message(ANNA, "once")
    await bot.send_message(ANNA, "twice")
    await bot.send_message(ANNA, "twice")
    assert api.sent_counts()[(ANNA, "twice")] == 2
    assert api.doubled == 1


async def test_a_registered_webhook_replaces_polling(api: FakeBotAPI, bot: Bot) -> None:
    await bot.set_webhook(
        "https://bot.example.org/tg", secret_token="s_1", allowed_updates=["message"]
    )
    info = await bot.get_webhook_info()
    assert (info.url, info.allowed_updates) == ("https://bot.example.org/tg", ["message"])
    assert api.webhook is not None and api.webhook.secret_token == "s_1"
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates(timeout=0)
    with pytest.raises(TelegramBadRequest, match="secret token"):
        await bot.set_webhook("https://bot.example.org/tg", secret_token="not allowed!")

    await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates(timeout=0) == []
