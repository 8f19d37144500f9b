"""Buttons of a deadline digest: one per item that has a screen to open, in the digest's
order, up to ``MAX_BUTTONS``, then the menu.

A lesson opens the teacher's lesson card (the register, with the topic and the distance
format a tap away), an attestation item its sheet, a documents item the pair's documents.
Every screen re-checks on the server that the person may open it.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import _
from keyboards.attestation import AttCb
from keyboards.callbacks import MenuCb
from keyboards.documents import DocCb
from keyboards.journal import LessonCb
from services.reminder_items import Digest, DocumentItem, LessonItem, SheetItem
from services.reminder_texts import ORDER

MAX_BUTTONS = 8
LABEL_MAX = 60


def _target(item: object) -> tuple[str, CallbackData] | None:
    if isinstance(item, LessonItem):
        label = f"📖 {item.day:%d.%m} · {item.group} · {item.discipline}"
        return label, LessonCb(id=item.lesson_id)
    if isinstance(item, SheetItem):
        label = f"📝 {item.group} · {item.discipline}"
        cb = AttCb(
            group=item.group_id,
            sub=item.subgroup_id or 0,
            disc=item.discipline_id,
            period=item.period_id,
        )
        return label, cb
    if isinstance(item, DocumentItem):
        label = f"📎 {item.group} · {item.discipline}"
        return label, DocCb(act="pair", group=item.group_id, disc=item.discipline_id)
    return None


def digest_keyboard(digest: Digest) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    seen: set[str] = set()
    for section in sorted(digest.sections, key=lambda s: ORDER.index(s.rule)):
        for item in section.items:
            target = _target(item)
            if target is None:
                continue
            label, cb = target
            data = cb.pack()
            if data in seen:
                continue  # a lesson missing both its register and its topic: one button
            seen.add(data)
            builder.button(text=label[:LABEL_MAX], callback_data=data)
            if len(seen) == MAX_BUTTONS:
                break
        if len(seen) == MAX_BUTTONS:
            break
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action="home"))
    builder.adjust(1)
    return builder.as_markup()


def digest_markup(digest: Digest) -> dict[str, Any]:
    """The keyboard as the outbox stores it (services/delivery.py validates it back)."""
    return digest_keyboard(digest).model_dump(exclude_none=True)
