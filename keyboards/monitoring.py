"""Monitoring's buttons: the teacher's own week, the period choice, the summary's teachers
furthest behind, a teacher's lessons, the workbook and the chart.

Buttons carry the span and ids only; every press re-checks the right and that the teacher or
lesson is of the person's college (services/monitoring/indicators.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __
from keyboards.callbacks import MenuAction, MenuCb
from keyboards.menu import add_menu_item
from keyboards.reminders import digest_keyboard
from screens.monitoring import LESSONS_SHOWN
from services.monitoring.indicators import Monitoring
from services.monitoring.my_week import MyWeek
from services.monitoring.span import Preset, Span, code
from services.policy import Action
from storage.models import Group

LABEL_MAX = 48


class MonitoringAction(StrEnum):
    """What a button of monitoring does.
    The values are short: they travel in the 64-byte payload."""

    CHOOSE = "ch"
    PRESET = "pr"
    TYPE = "ty"
    SUMMARY = "su"
    TEACHER = "te"
    LESSON = "le"
    BOOK = "bk"
    CHART = "cr"
    MY_WEEK = "wk"


class MonCb(CallbackData, prefix="mo"):
    """``ch`` (the period choice), ``pr`` (preset ``p``), ``ty`` (type dates), ``su`` (the
    summary of span ``sp``), ``te`` (teacher ``tid`` in ``sp``), ``le`` (lesson ``lid``, back
    to ``tid`` in ``sp``), ``bk`` (the workbook of ``sp``), ``cr`` (the chart of ``sp``),
    ``wk`` (the teacher's own week)."""

    act: MonitoringAction = MonitoringAction.CHOOSE
    p: str = ""
    sp: str = ""
    tid: int = 0
    lid: int = 0


add_menu_item(21, Action.MARK_REGISTER, __("🗓 My week"), MonCb(act=MonitoringAction.MY_WEEK))
add_menu_item(90, Action.SEE_MONITORING, __("📈 Monitoring"), MonCb())

A = MonitoringAction


def _menu(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))


def periods_keyboard(
    preset: Callable[[Preset], CallbackData], typed: CallbackData
) -> InlineKeyboardMarkup:
    """The period choice of monitoring and of the region: the presets, typed dates, the menu."""
    builder = InlineKeyboardBuilder()
    for kind, label in (
        (Preset.WEEK, _("Last 7 days")),
        (Preset.MONTH, _("This month")),
        (Preset.SEMESTER, _("This semester")),
    ):
        builder.button(text=label, callback_data=preset(kind))
    builder.button(text=_("📆 Other dates…"), callback_data=typed)
    _menu(builder)
    builder.adjust(3, 1, 1)
    return builder.as_markup()


def period_keyboard() -> InlineKeyboardMarkup:
    return periods_keyboard(lambda kind: MonCb(act=A.PRESET, p=kind), MonCb(act=A.TYPE))


def summary_keyboard(m: Monitoring) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    sp = code(m.span)
    for line in m.furthest_behind:
        builder.button(
            text=f"👤 {line.name} · {line.behind}"[:LABEL_MAX],
            callback_data=MonCb(act=A.TEACHER, sp=sp, tid=line.key),
        )
    builder.button(text=_("📊 Workbook (XLSX)"), callback_data=MonCb(act=A.BOOK, sp=sp))
    builder.button(text=_("🖼 Chart"), callback_data=MonCb(act=A.CHART, sp=sp))
    builder.button(text=_("🗓 Another period"), callback_data=MonCb(act=A.CHOOSE))
    _menu(builder)
    builder.adjust(1)
    return builder.as_markup()


def teacher_keyboard(m: Monitoring, teacher_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    sp = code(m.span)
    for j in [j for j in m.lessons if j.behind][:LESSONS_SHOWN]:
        r = j.row
        builder.button(
            text=f"{r.day:%d.%m} · {r.pair_no}. {r.group} · {r.discipline}"[:LABEL_MAX],
            callback_data=MonCb(act=A.LESSON, sp=sp, tid=teacher_id, lid=r.lesson_id),
        )
    builder.button(text=_("⬅ Summary"), callback_data=MonCb(act=A.SUMMARY, sp=sp))
    builder.adjust(1)
    return builder.as_markup()


def lesson_keyboard(span: Span, teacher_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("⬅ The teacher"),
        callback_data=MonCb(act=A.TEACHER, sp=code(span), tid=teacher_id),
    )
    builder.adjust(1)
    return builder.as_markup()


def my_week_keyboard(week: MyWeek) -> InlineKeyboardMarkup:
    """A button to each missing item (they open in a new message, so the week stays), then
    the menu."""
    return digest_keyboard(week.missing)


def typing_keyboard(back: CallbackData | None = None) -> InlineKeyboardMarkup:
    """Under "type the dates": back to the period choice."""
    builder = InlineKeyboardBuilder()
    builder.button(text=_("⬅ Back"), callback_data=back or MonCb(act=A.CHOOSE))
    return builder.as_markup()


class OverviewAction(StrEnum):
    """What a button of the curator's group overview does.
    The values are short: they travel in the 64-byte payload."""

    GROUPS = "gr"
    PERIOD = "pe"
    SHOW = "sh"
    STATEMENT = "st"
    TYPE = "ty"


class GroupCb(CallbackData, prefix="go"):
    """``gr`` (the curator's groups), ``pe`` (the period choice for ``group``), ``sh`` (the
    overview of ``group`` for span ``sp``), ``st`` (its statement as XLSX), ``ty`` (type the
    dates for ``group``)."""

    act: OverviewAction = OverviewAction.GROUPS
    group: int = 0
    sp: str = ""


add_menu_item(55, Action.READ_GROUP_OVERVIEW, __("👥 My group"), GroupCb())

G = OverviewAction


def overview_groups_keyboard(groups: Sequence[Group]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for group in groups:
        builder.button(text=group.name, callback_data=GroupCb(act=G.PERIOD, group=group.id))
    _menu(builder)
    builder.adjust(2)
    return builder.as_markup()


def overview_period_keyboard(
    group_id: int, this_month: Span, last_month: Span, semester: Span
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for label, span in (
        (_("This month"), this_month),
        (_("Last month"), last_month),
        (_("This semester"), semester),
    ):
        builder.button(text=label, callback_data=GroupCb(act=G.SHOW, group=group_id, sp=code(span)))
    builder.button(text=_("📆 Other dates…"), callback_data=GroupCb(act=G.TYPE, group=group_id))
    builder.button(text=_("⬅ Back"), callback_data=GroupCb(act=G.GROUPS))
    builder.adjust(1)
    return builder.as_markup()


def overview_typing_keyboard(group_id: int) -> InlineKeyboardMarkup:
    return typing_keyboard(GroupCb(act=G.PERIOD, group=group_id))


def overview_keyboard(group_id: int, span: Span) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    sp = code(span)
    builder.button(
        text=_("🖨 Group statement (XLSX)"),
        callback_data=GroupCb(act=G.STATEMENT, group=group_id, sp=sp),
    )
    builder.button(text=_("🗓 Another period"), callback_data=GroupCb(act=G.PERIOD, group=group_id))
    _menu(builder)
    builder.adjust(1)
    return builder.as_markup()
