"""Every screen the same in both messengers.

Each role walks the bot in Telegram, tapping every button it is shown (breadth first, a
bounded number of taps); every message the bot wrote or edited is then put through the MAX
translation (bot/max/translate.py) and checked: the same text once rendered, the same buttons
row by row with the same labels and payloads, and nothing MAX refuses (the fake MAX server's
checks: its HTML subset, 4000 characters, keyboard sizes, 1024-byte payloads). Then each role
walks the bot in MAX itself: no screen is refused by MAX's limits, nothing ends in an apology,
and the menu is Telegram's.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import pytest

from bot.max import translate as tr
from storage.models import Person
from tests.factories import College
from tests.fakebot import TgUser, parse_html
from tests.fakemax import MaxUser, check_body, visible_text
from tests.max.conftest import MaxApp

TAPS = 40  # per role and messenger: enough to open every screen one or two taps deep
SHOWING = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto", "sendDocument"}
# Taps that end the walk's usefulness: revoking one's own account.
SKIPPED_PREFIXES = ("ac:r:",)
APOLOGY = "Something went wrong"


def people(college: College) -> dict[str, Person]:
    return {
        "teacher": college.teacher,
        "curator": college.curator,
        "parent": college.parents[college.students[0].id],
        "student": college.students[0].person,
        "deputy": college.deputy,
        "director": college.director,
    }


async def walk_telegram(user: TgUser) -> None:
    await user.command("menu")
    queue: deque[tuple[int, str]] = deque()
    seen: set[str] = set()

    def offer(message: Any) -> None:
        for row in message.raw.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data and data not in seen and not data.startswith(SKIPPED_PREFIXES):
                    seen.add(data)
                    queue.append((message.message_id, data))

    for message in user.bot_messages:
        offer(message)
    taps = 0
    while queue and taps < TAPS:
        message_id, data = queue.popleft()
        before = {m.message_id: m.text for m in user.bot_messages}
        await user.click_data(message_id, data, expect_reply=False)
        taps += 1
        for message in user.bot_messages:
            if before.get(message.message_id) != message.text or message.message_id == message_id:
                offer(message)


async def walk_max(user: MaxUser) -> int:
    await user.send("/menu")
    queue: deque[tuple[str, str]] = deque()
    seen: set[str] = set()

    def offer() -> None:
        for message in user.bot_messages:
            for row in message.buttons:
                for button in row:
                    data = button.get("payload")
                    if button["type"] != "callback" or not data or data in seen:
                        continue
                    if data.startswith(SKIPPED_PREFIXES):
                        continue
                    seen.add(data)
                    queue.append((message.mid, button["text"]))

    offer()
    taps = 0
    while queue and taps < TAPS:
        mid, label = queue.popleft()
        message = next((m for m in user.bot_messages if m.mid == mid), None)
        if message is None or message.button(label) is None:
            continue  # edited since into another screen: its buttons were offered anew
        await user.click(label, message)
        taps += 1
        offer()
    return taps


def telegram_buttons(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    expected = []
    for row in (markup or {}).get("inline_keyboard", []):
        out = []
        for button in row:
            if "callback_data" in button:
                out.append(
                    {"type": "callback", "text": button["text"], "payload": button["callback_data"]}
                )
            elif "url" in button:
                out.append({"type": "link", "text": button["text"], "url": button["url"]})
            elif "web_app" in button:
                out.append(
                    {"type": "link", "text": button["text"], "url": button["web_app"]["url"]}
                )
            else:
                raise AssertionError(f"a button kind MAX cannot show: {button}")
        if out:
            expected.append(out)
    return expected


@pytest.mark.parametrize("role", ["teacher", "curator", "parent", "student", "deputy", "director"])
async def test_every_screen_a_role_opens_in_telegram_is_the_same_in_max(
    max_app: MaxApp, college: College, role: str
) -> None:
    person = people(college)[role]
    user = await max_app.tg.link(person, language="en")
    mark = len(max_app.tg.api.requests)
    await walk_telegram(user)

    checked = 0
    for request in max_app.tg.api.requests[mark:]:
        if request.method not in SHOWING or request.status != 200:
            continue
        params = request.params
        text = params.get("text") or params.get("caption") or ""
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        keyboard = tr.keyboard(markup)
        assert keyboard.dropped == ()
        body: dict[str, Any] = {"format": "html", "attachments": []}
        if request.method != "editMessageReplyMarkup":
            body["text"] = text
        if keyboard.attachment:
            body["attachments"].append(keyboard.attachment)
        check_body(body)  # what MAX would refuse fails here
        assert tr.buttons_of(body["attachments"]) == telegram_buttons(markup)
        if text:
            shown_in_telegram, _entities = parse_html(text)
            assert visible_text(text) == shown_in_telegram
        checked += 1
    assert checked >= 3, "the walk showed the role's screens"


@pytest.mark.parametrize("role", ["teacher", "curator", "parent", "student", "deputy", "director"])
async def test_every_screen_a_role_opens_in_max_is_shown_there(
    max_app: MaxApp, college: College, role: str
) -> None:
    person = people(college)[role]
    in_telegram = await max_app.tg.link(person, language="en")
    await in_telegram.command("menu")
    in_max = await max_app.link(person)

    taps = await walk_max(in_max)

    assert taps >= 1
    wrote = [c for c in max_app.api.calls if c.path in ("/messages", "/answers")]
    assert wrote, "the bot wrote in MAX"
    # Nothing refused; a 429 (two answers a second in a dialog) is waited out and sent again.
    refused = [
        (c.method, c.path, c.error)
        for c in max_app.api.calls
        if c.status >= 400 and c.status != 429
    ]
    assert refused == []
    answered = {c.params["callback_id"] for c in max_app.api.calls if c.path == "/answers"}
    assert answered == set(max_app.api.notifications)
    assert not any(APOLOGY in text for text in in_max.texts), in_max.texts
    menu = in_max.bot_messages[0]
    assert [label for row in menu.button_labels for label in row] == in_telegram.last.button_labels
    assert menu.visible == in_telegram.last.text
