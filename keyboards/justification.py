"""Buttons of absence justifications: the sender's dates and steps, the curator's decision.

The curator's buttons travel through the outbox as JSON (``as_outbox``), so they are plain
callback buttons; every press re-checks on the server who may decide.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __
from keyboards.callbacks import Id, MenuAction, MenuCb
from keyboards.curator import REASON_CODES
from keyboards.menu import add_menu_item
from screens.vocabulary import reason_word
from services.absences.justifications import APPROVAL_REASONS
from services.policy import Action


class SendAction(StrEnum):
    """A step of sending a certificate.
    The values are short: they travel in the 64-byte payload."""

    DATES = "d"
    SKIP_COMMENT = "skip"
    START = "new"
    STOP = "x"


class SendCb(CallbackData, prefix="js"):
    """The sender's side: ``new`` (start, for student ``sid``; 0: the one in use), ``d``
    (quick dates ``v``: t, y, yt), ``skip`` (no comment), ``x`` (stop)."""

    act: SendAction
    sid: Id = 0
    v: str = ""


class DecideAction(StrEnum):
    """What a curator does with a certificate.
    The values are short: they travel in the 64-byte payload."""

    APPROVE = "ok"
    ASK_REJECT = "rq"
    BACK = "bk"
    PHOTO = "pic"
    REJECT = "no"


class DecideCb(CallbackData, prefix="jd"):
    """The curator's side, about certificate ``id``: ``ok`` (approve with reason ``r``),
    ``rq`` (ask to confirm a rejection), ``no`` (reject), ``bk`` (back to the decision
    buttons), ``pic`` (show the photo)."""

    act: DecideAction
    id: Id
    r: str = ""


add_menu_item(70, Action.JUSTIFY_ABSENCE, __("📄 Send a certificate"), SendCb(act=SendAction.START))


def _stop(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("✖ Cancel"), callback_data=SendCb(act=SendAction.STOP))


def dates_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Today"), callback_data=SendCb(act=SendAction.DATES, v="t"))
    builder.button(text=_("Yesterday"), callback_data=SendCb(act=SendAction.DATES, v="y"))
    builder.button(
        text=_("Yesterday and today"), callback_data=SendCb(act=SendAction.DATES, v="yt")
    )
    _stop(builder)
    builder.adjust(2, 1, 1)
    return builder.as_markup()


def comment_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Skip the comment"), callback_data=SendCb(act=SendAction.SKIP_COMMENT))
    _stop(builder)
    builder.adjust(1)
    return builder.as_markup()


def file_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    _stop(builder)
    return builder.as_markup()


def done_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    return builder.as_markup()


def approve_label(reason_code: str) -> str:
    reason = next(r for r, c in REASON_CODES.items() if c == reason_code)
    return _("✅ Approve: {reason}").format(reason=reason_word(reason))


def decision_keyboard(justification_id: int, *, photo: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for reason in APPROVAL_REASONS:
        code = REASON_CODES[reason]
        builder.button(
            text=approve_label(code),
            callback_data=DecideCb(act=DecideAction.APPROVE, id=justification_id, r=code),
        )
    builder.button(
        text=_("❌ Reject"),
        callback_data=DecideCb(act=DecideAction.ASK_REJECT, id=justification_id),
    )
    if photo:
        builder.button(
            text=_("🖼 Show the photo"),
            callback_data=DecideCb(act=DecideAction.PHOTO, id=justification_id),
        )
    builder.adjust(1)
    return builder.as_markup()


def reject_keyboard(justification_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("❌ Yes, reject"),
        callback_data=DecideCb(act=DecideAction.REJECT, id=justification_id),
    )
    builder.button(
        text=_("⬅ Back"), callback_data=DecideCb(act=DecideAction.BACK, id=justification_id)
    )
    builder.adjust(1)
    return builder.as_markup()


def as_outbox(markup: InlineKeyboardMarkup) -> dict[str, Any]:
    """The keyboard as the outbox stores it (handlers/sender.py reads it back)."""
    return markup.model_dump(mode="json", exclude_none=True)
