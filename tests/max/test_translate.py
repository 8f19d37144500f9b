"""The MAX translation of keyboards and updates, piece by piece."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot.max import translate as tr
from core.messenger import MAX_BASE, Messenger, file_messenger, messenger_of, start_link
from tests.fakemax import check_body


def test_buttons_keep_labels_and_payloads_a_web_app_is_left_out() -> None:
    """The journal grid signs in with Telegram's initData, which MAX has not: no button."""
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="Open", callback_data="lc:open:12:0")],
            [
                InlineKeyboardButton(text="Site", url="https://college.example/"),
                InlineKeyboardButton(
                    text="📱 Register", web_app=WebAppInfo(url="https://college.example/app")
                ),
            ],
            [InlineKeyboardButton(text="Share", switch_inline_query="x")],
        ]
    )
    keyboard = tr.keyboard(markup)
    assert keyboard.dropped == ("📱 Register", "Share")
    assert tr.buttons_of([keyboard.attachment] if keyboard.attachment else []) == [
        [{"type": "callback", "text": "Open", "payload": "lc:open:12:0"}],
        [
            {"type": "link", "text": "Site", "url": "https://college.example/"},
        ],
    ]
    check_body({"text": "<b>Card</b>", "format": "html", "attachments": [keyboard.attachment]})
    # The outbox keeps keyboards as JSON: the same translation.
    assert tr.keyboard(markup.model_dump(mode="json", exclude_none=True)) == keyboard


def test_ids_files_and_links_name_their_messenger() -> None:
    assert messenger_of(123456789) is Messenger.TELEGRAM
    assert messenger_of(MAX_BASE + 42) is Messenger.MAX
    assert file_messenger("max-image:tok") is Messenger.MAX
    assert file_messenger("AgACAgIAAxkBAAI") is Messenger.TELEGRAM
    assert start_link("journal_bot", "CODE") == "https://t.me/journal_bot?start=CODE"
    assert start_link("max.ru/journal_bot", "CODE") == "https://max.ru/journal_bot?start=CODE"


def test_a_photo_and_a_file_become_the_bot_api_s() -> None:
    image = {"type": "image", "payload": {"photo_id": 7, "token": "t1", "url": "u"}}
    assert tr.attachments_as_content([image])["photo"][0]["file_id"] == "max-image:t1"
    document = {"type": "file", "payload": {"fileId": 9, "token": "t2"}, "filename": "a.pdf"}
    found = tr.attachments_as_content([document])["document"]
    assert found["file_id"] == "max-file:t2" and found["mime_type"] == "application/pdf"


def test_update_ids_are_above_telegram_s_and_stable() -> None:
    first = tr.update_id("message_created", "mid.1")
    assert first >= MAX_BASE and first == tr.update_id("message_created", "mid.1")
    assert first != tr.update_id("message_created", "mid.2")
