"""The background jobs' bot sends each request to the chat's messenger: a workbook for a
person in MAX goes to MAX, one for a person in Telegram to Telegram."""

from __future__ import annotations

from aiogram.types import BufferedInputFile

from bot.max.routing import routing_bot
from tests.max.conftest import MaxApp


async def test_a_file_goes_to_the_chat_s_messenger(max_app: MaxApp) -> None:
    in_max = max_app.stranger("Regina")
    in_telegram = max_app.tg.stranger("Roman")
    bot = routing_bot(max_app.tg.bot, max_app.bot)
    book = BufferedInputFile(b"PK workbook", filename="region-2026-11.xlsx")

    await bot.send_document(in_max.stored_id, book, caption="The region in November")
    await bot.send_document(in_telegram.chat_id, book, caption="The region in November")

    [sent] = in_max.bot_messages
    [file] = sent.files
    assert max_app.api.uploads[file["payload"]["token"]] == b"PK workbook"
    assert "The region in November" in sent.visible
    document = in_telegram.last.document
    assert document is not None and document.content == b"PK workbook"
    assert routing_bot(max_app.tg.bot, None) is max_app.tg.bot


async def test_a_telegram_file_is_read_through_the_telegram_bot(max_app: MaxApp) -> None:
    """The background jobs' bot reads a file of Telegram from the Telegram server it was
    given (its address included), as the Telegram bot would."""
    stored = max_app.tg.api.add_file(b"%PDF-1.4 plan", "document", "plan.pdf")
    bot = routing_bot(max_app.tg.bot, max_app.bot)
    found = await bot.get_file(stored.file_id)
    assert found.file_path is not None
    content = await bot.download_file(found.file_path)
    assert content is not None and content.read() == b"%PDF-1.4 plan"
