"""Announcements: choosing the groups and the kinds of recipients, the preview, the author's
progress message, and the recipient's "Acknowledge" button."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from core.i18n import _, __
from keyboards.builder import KeyboardBuilder
from keyboards.callbacks import Id, MenuAction, MenuCb
from keyboards.menu import add_menu_item
from screens.vocabulary import audience_label
from services.announcements.service import ANNOUNCING, Kind

GROUPS_PER_PAGE = 45  # three to a row; a keyboard holds at most 100 buttons
WHOLE_COLLEGE = "all"


class AnnouncementAction(StrEnum):
    """What a button of an announcement does.
    The values are short: they travel in the 64-byte payload."""

    ACK = "ack"
    ACKS = "acks"
    CANCEL = "cancel"
    GROUP = "grp"
    GROUPS = "groups"
    KIND = "kind"
    KINDS = "kinds"
    PAGE = "page"
    SEND = "send"
    START = "new"
    TEXT = "text"


class AnnCb(CallbackData, prefix="an"):
    """Steps of a draft: ``new``; ``grp`` (toggle group ``val`` or the whole college),
    ``page`` (of groups, ``val``), ``groups`` (back to them), ``kinds``, ``kind`` (toggle
    ``val``), ``text`` (ask for the text), ``send``, ``cancel``. Of a sent announcement
    ``ann``: ``ack`` (a recipient acknowledges), ``acks`` (the author's list)."""

    act: AnnouncementAction
    ann: Id = 0
    val: str = ""


add_menu_item(10, ANNOUNCING, __("📣 Announcement"), AnnCb(act=AnnouncementAction.START))


def _mark(on: bool) -> str:
    return "☑ " if on else "☐ "


def groups_keyboard(
    groups: Sequence[tuple[int, str]],
    chosen: Collection[int],
    *,
    org_wide: bool,
    page: int = 0,
) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    pages = max((len(groups) - 1) // GROUPS_PER_PAGE + 1, 1)
    page = min(max(page, 0), pages - 1)
    shown = groups[page * GROUPS_PER_PAGE : (page + 1) * GROUPS_PER_PAGE]
    sizes: list[int] = []
    if org_wide:
        builder.button(
            text=_mark(not chosen) + _("🏫 Whole college"),
            callback_data=AnnCb(act=AnnouncementAction.GROUP, val=WHOLE_COLLEGE),
        )
        sizes.append(1)
    for group_id, name in shown:
        builder.button(
            text=_mark(group_id in chosen) + name,
            callback_data=AnnCb(act=AnnouncementAction.GROUP, val=str(group_id)),
        )
    sizes += [3] * (len(shown) // 3) + ([len(shown) % 3] if len(shown) % 3 else [])
    if pages > 1:
        builder.button(
            text="◀", callback_data=AnnCb(act=AnnouncementAction.PAGE, val=str((page - 1) % pages))
        )
        builder.button(
            text=f"{page + 1}/{pages}",
            callback_data=AnnCb(act=AnnouncementAction.PAGE, val=str(page)),
        )
        builder.button(
            text="▶", callback_data=AnnCb(act=AnnouncementAction.PAGE, val=str((page + 1) % pages))
        )
        sizes.append(3)
    builder.button(text=_("Next ➡"), callback_data=AnnCb(act=AnnouncementAction.KINDS))
    builder.button(text=_("✖ Cancel"), callback_data=AnnCb(act=AnnouncementAction.CANCEL))
    sizes += [1, 1]
    builder.adjust(*sizes)
    return builder.as_markup()


def kinds_keyboard(
    kinds: Sequence[Kind], chosen: Collection[str], *, can_go_back: bool
) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for kind in kinds:
        builder.button(
            text=_mark(kind.value in chosen) + audience_label(kind),
            callback_data=AnnCb(act=AnnouncementAction.KIND, val=kind.value),
        )
    builder.button(text=_("Next ➡"), callback_data=AnnCb(act=AnnouncementAction.TEXT))
    if can_go_back:
        builder.button(text=_("⬅ Groups"), callback_data=AnnCb(act=AnnouncementAction.GROUPS))
    builder.button(text=_("✖ Cancel"), callback_data=AnnCb(act=AnnouncementAction.CANCEL))
    builder.adjust(1)
    return builder.as_markup()


def text_prompt_keyboard() -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    builder.button(text=_("⬅ Recipients"), callback_data=AnnCb(act=AnnouncementAction.KINDS))
    builder.button(text=_("✖ Cancel"), callback_data=AnnCb(act=AnnouncementAction.CANCEL))
    builder.adjust(1)
    return builder.as_markup()


def preview_keyboard(*, can_send: bool) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    if can_send:
        builder.button(text=_("📤 Send"), callback_data=AnnCb(act=AnnouncementAction.SEND))
    builder.button(text=_("⬅ Recipients"), callback_data=AnnCb(act=AnnouncementAction.KINDS))
    builder.button(text=_("✖ Cancel"), callback_data=AnnCb(act=AnnouncementAction.CANCEL))
    builder.adjust(1)
    return builder.as_markup()


def progress_keyboard(announcement_id: int) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    builder.button(
        text=_("👀 Who acknowledged"),
        callback_data=AnnCb(act=AnnouncementAction.ACKS, ann=announcement_id),
    )
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(1)
    return builder.as_markup()


def ack_keyboard(announcement_id: int, *, done: bool = False) -> InlineKeyboardMarkup:
    """Under each recipient's message; once pressed it says so (a press again is harmless)."""
    builder = KeyboardBuilder()
    label = _("✅ Acknowledged") if done else _("✔ Acknowledge")
    builder.button(text=label, callback_data=AnnCb(act=AnnouncementAction.ACK, ann=announcement_id))
    return builder.as_markup()


def ack_markup(announcement_id: int) -> dict[str, Any]:
    """The acknowledge keyboard as the outbox stores it (JSON), in the current locale."""
    return ack_keyboard(announcement_id).model_dump(mode="json", exclude_none=True)


def menu_keyboard() -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    return builder.as_markup()
