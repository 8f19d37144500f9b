"""The diary's buttons: a day, a week, grades, attendance, homework files.

Buttons carry the student they are about, so an old message keeps showing the same child
after the parent switches to another one; the server re-checks the student on every press.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __, fmt_date
from keyboards.builder import KeyboardBuilder
from keyboards.callbacks import Id, MenuAction, MenuCb
from keyboards.menu import add_menu_item
from services.diary.service import DiaryDay, DiaryLesson, DiaryWeek
from services.policy import Action

LABEL_MAX = 48
WEEK_FILES_MAX = 24  # Telegram takes 100 buttons; the rest of the files are a day away
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


class DiaryAction(StrEnum):
    """What a button of the diary shows.
    The values are short: they travel in the 64-byte payload."""

    ATTENDANCE = "att"
    DAY = "day"
    FILE = "file"
    GRADES = "grades"
    LESSON = "lesson"
    TODAY = "today"
    TOMORROW = "tomorrow"
    WEEK = "week"


class DiaryCb(CallbackData, prefix="dy"):
    """``act``: ``today``, ``tomorrow``, ``day`` and ``week`` (``day`` YYYYMMDD; empty:
    today), ``lesson`` (lesson ``lid`` in full), ``file`` (its homework file), ``grades``,
    ``att`` (attendance).
    ``sid`` is the student; 0 is the one in use (the menu's entries)."""

    act: DiaryAction
    sid: Id = 0
    day: str = ""
    lid: Id = 0


add_menu_item(80, Action.READ_DIARY, __("📖 Diary"), DiaryCb(act=DiaryAction.TODAY))
add_menu_item(81, Action.READ_DIARY, __("📊 Grades"), DiaryCb(act=DiaryAction.GRADES))
add_menu_item(82, Action.READ_DIARY, __("🗓 Attendance"), DiaryCb(act=DiaryAction.ATTENDANCE))


def day_code(day: date) -> str:
    return day.strftime("%Y%m%d")


def parse_day(code: str) -> date | None:
    """The date of a button, or None when it is not one (a forged or broken payload). Dates
    far away are refused too, so paging never runs off the calendar."""
    if len(code) != 8 or not code.isdigit():
        return None
    try:
        day = date(int(code[:4]), int(code[4:6]), int(code[6:]))
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def _clip(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def _file_buttons(
    builder: InlineKeyboardBuilder,
    sid: int,
    lessons: list[DiaryLesson],
    with_day: bool,
    limit: int = WEEK_FILES_MAX,
) -> int:
    count = 0
    for lesson in lessons:
        if not lesson.homework_file or lesson.cancelled:
            continue
        if count == limit:
            break
        when = fmt_date(lesson.date, "EEE") + " " if with_day else ""
        builder.button(
            text=_clip(f"📎 {when}{lesson.discipline}"),
            callback_data=DiaryCb(act=DiaryAction.FILE, sid=sid, lid=lesson.lesson_id),
        )
        count += 1
    return count


def _footer(builder: InlineKeyboardBuilder, sid: int) -> list[int]:
    builder.button(text=_("📊 Grades"), callback_data=DiaryCb(act=DiaryAction.GRADES, sid=sid))
    builder.button(
        text=_("🗓 Attendance"), callback_data=DiaryCb(act=DiaryAction.ATTENDANCE, sid=sid)
    )
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    return [2, 1]


def day_keyboard(sid: int, day: DiaryDay, shortened: Sequence[int] = ()) -> InlineKeyboardMarkup:
    """Files of the day's homework, the lessons shortened on screen (to read in full), then
    paging by day, today, tomorrow and the week."""
    builder = KeyboardBuilder()
    sizes: list[int] = []
    for lesson in day.lessons:
        if lesson.lesson_id in shortened:
            builder.button(
                text=_clip(f"📝 {lesson.discipline}"),
                callback_data=DiaryCb(act=DiaryAction.LESSON, sid=sid, lid=lesson.lesson_id),
            )
            sizes.append(1)
    sizes += [1] * _file_buttons(builder, sid, list(day.lessons), with_day=False)
    before, after = day.date - timedelta(days=1), day.date + timedelta(days=1)
    builder.button(
        text="◀ " + fmt_date(before, "EEE d"),
        callback_data=DiaryCb(act=DiaryAction.DAY, sid=sid, day=day_code(before)),
    )
    builder.button(
        text=fmt_date(after, "EEE d") + " ▶",
        callback_data=DiaryCb(act=DiaryAction.DAY, sid=sid, day=day_code(after)),
    )
    builder.button(text=_("📖 Today"), callback_data=DiaryCb(act=DiaryAction.TODAY, sid=sid))
    builder.button(text=_("Tomorrow"), callback_data=DiaryCb(act=DiaryAction.TOMORROW, sid=sid))
    builder.button(
        text=_("📆 Week"),
        callback_data=DiaryCb(act=DiaryAction.WEEK, sid=sid, day=day_code(day.date)),
    )
    sizes += [2, 3, *_footer(builder, sid)]
    builder.adjust(*sizes)
    return builder.as_markup()


def lesson_keyboard(sid: int, lesson: DiaryLesson) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    files = _file_buttons(builder, sid, [lesson], with_day=False)
    builder.button(
        text="⬅ " + fmt_date(lesson.date, "EEE d MMMM"),
        callback_data=DiaryCb(act=DiaryAction.DAY, sid=sid, day=day_code(lesson.date)),
    )
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(*([1] * files), 1, 1)
    return builder.as_markup()


def week_keyboard(sid: int, week: DiaryWeek) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for day in week.days:
        builder.button(
            text=fmt_date(day.date, "EEE d"),
            callback_data=DiaryCb(act=DiaryAction.DAY, sid=sid, day=day_code(day.date)),
        )
    n = len(week.days)
    sizes = [3] * (n // 3) + ([n % 3] if n % 3 else [])
    lessons = [lesson for day in week.days for lesson in day.lessons]
    sizes += [1] * _file_buttons(builder, sid, lessons, with_day=True)
    earlier, later = week.monday - timedelta(days=7), week.monday + timedelta(days=7)
    builder.button(
        text=_("◀ Previous week"),
        callback_data=DiaryCb(act=DiaryAction.WEEK, sid=sid, day=day_code(earlier)),
    )
    builder.button(
        text=_("Next week ▶"),
        callback_data=DiaryCb(act=DiaryAction.WEEK, sid=sid, day=day_code(later)),
    )
    builder.button(text=_("📖 Today"), callback_data=DiaryCb(act=DiaryAction.TODAY, sid=sid))
    sizes += [2, 1, *_footer(builder, sid)]
    builder.adjust(*sizes)
    return builder.as_markup()


def summary_keyboard(sid: int) -> InlineKeyboardMarkup:
    """Under grades and attendance: back to the diary, across, the menu."""
    builder = KeyboardBuilder()
    builder.button(text=_("📖 Today"), callback_data=DiaryCb(act=DiaryAction.TODAY, sid=sid))
    builder.button(text=_("📆 Week"), callback_data=DiaryCb(act=DiaryAction.WEEK, sid=sid))
    sizes = [2, *_footer(builder, sid)]
    builder.adjust(*sizes)
    return builder.as_markup()
