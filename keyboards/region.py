"""Regional monitoring's buttons: the period, a college of the region, the workbook.

Buttons carry the span and a college's id only; every press re-checks that the college is in
the specialist's scope (services/monitoring/region.py)."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __
from keyboards import monitoring as monitoring_kb
from keyboards.callbacks import MenuAction, MenuCb
from keyboards.menu import add_menu_item
from keyboards.monitoring import periods_keyboard
from services.monitoring.region import Region
from services.monitoring.span import Span, code
from services.policy import Action

LABEL_MAX = 48


class RegionAction(StrEnum):
    """What a button of regional monitoring does.
    The values are short: they travel in the 64-byte payload."""

    CHOOSE = "ch"
    PRESET = "pr"
    SUMMARY = "su"
    COLLEGE = "co"
    BOOK = "bk"
    TYPE = "ty"


class RegionCb(CallbackData, prefix="rn"):
    """``ch`` (the period choice), ``pr`` (preset ``p``), ``su`` (the region in span ``sp``),
    ``co`` (college ``org`` in ``sp``), ``bk`` (the workbook of ``sp``), ``ty`` (type the
    dates)."""

    act: RegionAction = RegionAction.CHOOSE
    p: str = ""
    sp: str = ""
    org: int = 0


add_menu_item(95, Action.SEE_REGION, __("🗺 Region"), RegionCb())

R = RegionAction


def _menu(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))


def period_keyboard() -> InlineKeyboardMarkup:
    return periods_keyboard(lambda kind: RegionCb(act=R.PRESET, p=kind), RegionCb(act=R.TYPE))


def typing_keyboard() -> InlineKeyboardMarkup:
    return monitoring_kb.typing_keyboard(RegionCb(act=R.CHOOSE))


def summary_keyboard(region: Region) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    sp = code(region.span)
    for line in region.colleges:
        builder.button(
            text=f"🏫 {line.name}"[:LABEL_MAX],
            callback_data=RegionCb(act=R.COLLEGE, sp=sp, org=line.key),
        )
    builder.button(text=_("📊 Workbook (XLSX)"), callback_data=RegionCb(act=R.BOOK, sp=sp))
    builder.button(text=_("🗓 Another period"), callback_data=RegionCb(act=R.CHOOSE))
    _menu(builder)
    builder.adjust(1)
    return builder.as_markup()


def college_keyboard(span: Span) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("⬅ Region"), callback_data=RegionCb(act=R.SUMMARY, sp=code(span)))
    return builder.as_markup()
