"""The answer to a failure nobody foresaw. The update's changes are already undone (its
transaction was not committed); the person gets an apology in their language, and the log gets
what is needed to find the fault: the update's id, where it failed and the kind of error. The
error's own message is left out, as it may quote what the person typed or the store holds."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from core.i18n import _, use_locale

log = logging.getLogger(__name__)

HANDLERS_DIR = Path(__file__).resolve().parent


def _where(exc: BaseException) -> str:
    """The innermost handler function the failure passed through, else the innermost frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().parent == HANDLERS_DIR]
    if not (ours or frames):
        return "?"
    frame = (ours or frames)[-1]
    return f"{Path(frame.filename).stem}.{frame.name}"


async def apologise(event: ErrorEvent, bot: Bot, locale: str | None = None) -> bool:
    exc, update = event.exception, event.update
    stack = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
    log.error(
        "update %s failed in %s: %s\n%s", update.update_id, _where(exc), type(exc).__name__, stack
    )
    with use_locale(locale or ""):  # the college's language when the person's is unknown
        text = _("Something went wrong, and nothing was changed. Please try again.")
    query, message = update.callback_query, update.message
    try:
        if query is not None:
            try:
                await bot.answer_callback_query(query.id, text, show_alert=True)
            except TelegramAPIError:  # already answered: the failure came after the handler
                await bot.send_message(query.from_user.id, text)
        elif message is not None:
            await bot.send_message(message.chat.id, text)
    except TelegramAPIError as failure:
        log.warning(
            "update %s: the apology was not delivered: %s", update.update_id, type(failure).__name__
        )
    return True
