"""Work programmes and КТП (R8): the teacher's pairs, one pair's documents, upload and fetch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __
from keyboards.callbacks import Id, MenuAction, MenuCb
from keyboards.menu import add_menu_item
from screens.vocabulary import document_kind
from services.journal.documents_overview import DocumentPair
from services.policy import Action
from storage.models import DocumentKind, TeachingDocument

KIND_CODES = {DocumentKind.WORK_PROGRAMME: "wp", DocumentKind.KTP: "ktp"}
KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}


class DocumentAction(StrEnum):
    """What a button of the teaching documents does.
    The values are short: they travel in the 64-byte payload."""

    GET = "get"
    LIST = "list"
    NEW_MESSAGE = "new"
    PAIR = "pair"
    UPLOAD = "up"


class DocCb(CallbackData, prefix="dc"):
    """``list`` (the teacher's pairs), ``pair`` (one pair's documents; ``new``: the same in a
    new message, from a reminder), ``up`` (ask for an upload of ``kind``), ``get`` (send the
    current document of ``kind``)."""

    act: DocumentAction = DocumentAction.LIST
    group: Id = 0
    disc: Id = 0
    kind: str = ""


add_menu_item(40, Action.UPLOAD_WORK_PROGRAMMES, __("📎 Work programmes"), DocCb())


def pairs_keyboard(pairs: Sequence[DocumentPair]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for pair in pairs:
        mark = "⚠" if pair.missing else "✅"
        builder.button(
            text=f"{mark} {pair.group_name} {pair.discipline_name}"[:60],
            callback_data=DocCb(
                act=DocumentAction.PAIR, group=pair.group_id, disc=pair.discipline_id
            ),
        )
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(1)
    return builder.as_markup()


def pair_keyboard(
    group_id: int, discipline_id: int, current: Mapping[DocumentKind, TeachingDocument]
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind, code in KIND_CODES.items():
        label = document_kind(kind)
        if kind in current:
            builder.button(
                text=_("📄 Get: {kind}").format(kind=label),
                callback_data=DocCb(
                    act=DocumentAction.GET, group=group_id, disc=discipline_id, kind=code
                ),
            )
            upload = _("🔄 Replace: {kind}").format(kind=label)
        else:
            upload = _("📤 Upload: {kind}").format(kind=label)
        builder.button(
            text=upload,
            callback_data=DocCb(
                act=DocumentAction.UPLOAD, group=group_id, disc=discipline_id, kind=code
            ),
        )
    builder.button(text=_("⬅ Work programmes"), callback_data=DocCb())
    builder.adjust(1)
    return builder.as_markup()


def back_to_pair(group_id: int, discipline_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("⬅ Back"),
        callback_data=DocCb(act=DocumentAction.PAIR, group=group_id, disc=discipline_id),
    )
    return builder.as_markup()
