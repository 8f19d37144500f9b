"""Buttons of a deadline digest: one per item that has a screen to open, in the digest's
order, up to ``MAX_BUTTONS``, then the menu.

A lesson opens the teacher's lesson card (the register, with the topic and the distance
format a tap away), an attestation item its sheet, a documents item the pair's documents, an
unexplained absence the student's absences on the curator's screen, and the documents waiting
for a decision the curator's list of them (each with its decision buttons). Every screen
re-checks on the server that the person may open it.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from core.i18n import _
from keyboards.attestation import AttCb
from keyboards.callbacks import MenuAction, MenuCb
from keyboards.curator import AbsCb, AbsenceAction
from keyboards.documents import DocCb, DocumentAction
from keyboards.journal import LessonAction, LessonCb
from screens.reminders import ORDER
from services.reminders.items import (
    AbsenceItem,
    Digest,
    DocumentItem,
    JustificationItem,
    LessonItem,
    SheetItem,
)

MAX_BUTTONS = 8
LABEL_MAX = 60


def _target(item: object) -> tuple[str, CallbackData] | None:
    if isinstance(item, LessonItem):
        label = f"📖 {item.day:%d.%m} · {item.group} · {item.discipline}"
        return label, LessonCb(id=item.lesson_id, do=LessonAction.NEW_MESSAGE)  # the digest stays
    if isinstance(item, SheetItem):
        label = f"📝 {item.group} · {item.discipline}"
        cb = AttCb(
            group=item.group_id,
            sub=item.subgroup_id or 0,
            disc=item.discipline_id,
            period=item.period_id,
            act="new",  # the digest stays
        )
        return label, cb
    if isinstance(item, DocumentItem):
        label = f"📎 {item.group} · {item.discipline}"
        return label, DocCb(
            act=DocumentAction.NEW_MESSAGE, group=item.group_id, disc=item.discipline_id
        )
    if isinstance(item, AbsenceItem):
        return f"❗ {item.group} · {item.student}", AbsCb(
            act=AbsenceAction.STUDENT, sid=item.student_id, nw=1
        )
    if isinstance(item, JustificationItem):
        return _("📄 Certificates waiting for a decision"), AbsCb(act=AbsenceAction.CERTIFICATES)
    return None


def digest_keyboard(digest: Digest) -> InlineKeyboardMarkup:
    # Built directly: aiogram's builder copies itself per button, and a scan makes hundreds.
    rows: list[list[InlineKeyboardButton]] = []
    seen: set[str] = set()
    items = (
        item
        for section in sorted(digest.sections, key=lambda s: ORDER.index(s.rule))
        for item in section.items
    )
    for item in items:
        target = _target(item)
        if target is None:
            continue
        label, cb = target
        data = cb.pack()
        if data in seen:
            continue  # a lesson missing both its register and its topic: one button
        seen.add(data)
        rows.append([InlineKeyboardButton(text=label[:LABEL_MAX], callback_data=data)])
        if len(rows) == MAX_BUTTONS:
            break
    menu = MenuCb(action=MenuAction.HOME).pack()
    rows.append([InlineKeyboardButton(text=_("☰ Menu"), callback_data=menu)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def digest_markup(digest: Digest) -> dict[str, Any]:
    """The keyboard as the outbox stores it (handlers/sender.py validates it back)."""
    return digest_keyboard(digest).model_dump(exclude_none=True)
