"""The teacher's screens: the day's lessons, the lesson card with its register, grades.

The lesson card *is* the register: one message per lesson whose student buttons cycle marks,
so a teacher marks three absentees with three taps and finishes with a fourth.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from core.i18n import _, __, fmt_date, fmt_time
from keyboards.builder import KeyboardBuilder
from keyboards.callbacks import Id, MenuAction, MenuCb
from keyboards.menu import add_menu_item
from screens.vocabulary import MARK_ICONS, grade_label, kind_label
from services.journal.grades import LessonGrades, StudentGrades
from services.journal.register import RegisterView
from services.journal.teacher_day import LessonCard
from services.policy import Action
from storage.models import GradeKind, Mark

MARK_CODES = {Mark.PRESENT: "p", Mark.ABSENT: "a", Mark.LATE: "l"}
MARKS_BY_CODE = {code: mark for mark, code in MARK_CODES.items()}
GRADE_VALUES = ("2", "3", "4", "5", "pass", "fail")
KIND_CODES = {
    GradeKind.CURRENT: "c",
    GradeKind.TEST: "t",
    GradeKind.PRACTICAL: "p",
    GradeKind.LAB: "l",
    GradeKind.ORAL: "o",
    GradeKind.EXAM: "e",
}
KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}


class DayCb(CallbackData, prefix="td"):
    """Lessons of a day (``day`` as YYYYMMDD; empty: today): the teacher's own, or with
    ``g`` a group id, that group's, for the deputy director and the director."""

    day: str = ""
    g: Id = 0


class GroupsCb(CallbackData, prefix="gj"):
    """The college's groups, to open a group's journal (deputy director, director)."""


class LessonAction(StrEnum):
    """What a button of a lesson does.
    The values are short: they travel in the 64-byte payload."""

    ALL_PRESENT = "all"
    CARD = "card"
    CLEAR_DISTANCE = "distclear"
    CLEAR_HOMEWORK = "hwclear"
    DISTANCE = "dist"
    DONE = "done"
    GRADES = "grades"
    HOMEWORK = "hw"
    HOURS_1 = "h1"
    HOURS_2 = "h2"
    HOURS_3 = "h3"
    HOURS_4 = "h4"
    HOURS_5 = "h5"
    HOURS_6 = "h6"
    NEW_MESSAGE = "new"
    OFFLINE = "doff"
    ONLINE = "don"
    TOPIC = "topic"


HOURS_ACTIONS = frozenset(a for a in LessonAction if a.name.startswith("HOURS_"))


class LessonCb(CallbackData, prefix="ls"):
    """A lesson screen: ``card`` (the register), ``new`` (the register in a new message, for
    buttons under messages that must stay, such as reminders), ``grades``, ``topic``, ``hw``,
    ``hwclear``, ``dist``, ``distclear``, ``all`` (everyone present), ``done`` (finalise)."""

    id: Id
    do: LessonAction = LessonAction.CARD


class MarkCb(CallbackData, prefix="rg"):
    """A register tap: the student and the mark the device showed (p, a, l)."""

    lesson: Id
    student: Id
    seen: str


class GradeCb(CallbackData, prefix="gr"):
    """Grades of one student on one lesson. ``grade`` 0 is a new grade; ``kind`` a code of
    KIND_CODES; ``act``: ``open``, a value (2–5, pass, fail), ``del``, ``note``."""

    lesson: Id
    student: Id
    grade: Id = 0
    kind: str = "c"
    act: str = "open"


class GridLink:
    """Where the journal grid (the Mini App) is served, set once when the dispatcher is made
    from ``WEBAPP_URL``; None: no grid buttons. The address carries the lesson's id only,
    never a person's data."""

    url: str | None = None

    def of_lesson(self, lesson_id: int) -> str | None:
        if not self.url:
            return None
        return f"{self.url}{'&' if '?' in self.url else '?'}lesson={lesson_id}"


grid_link = GridLink()

LESSON_LINK_PREFIX = "lesson-"
LESSON_LINK_PATTERN = r"^lesson-\d{1,12}$"


def lesson_link(bot_username: str, lesson_id: int) -> str:
    """A deep link that opens the lesson card (re-authorised when opened)."""
    return f"https://t.me/{bot_username}?start={LESSON_LINK_PREFIX}{lesson_id}"


add_menu_item(20, Action.MARK_REGISTER, __("📅 My lessons"), DayCb())
add_menu_item(25, Action.READ_GROUP_JOURNALS, __("🗂 Group journals"), GroupsCb())


def day_code(day: date) -> str:
    return day.strftime("%Y%m%d")


def lesson_status(card: LessonCard) -> str:
    if card.cancelled:
        return "🚫"
    return ("✅" if card.register_done else "⬜") + ("📝" if card.topic_entered else "")


def day_keyboard(day: date, cards: Sequence[LessonCard], group: int = 0) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for card in cards:
        group_name = card.group_name + (f"/{card.subgroup_name}" if card.subgroup_name else "")
        label = f"{lesson_status(card)} {fmt_time(card.starts)} {group_name} {card.discipline_name}"
        builder.button(text=label[:60], callback_data=LessonCb(id=card.lesson_id))
    builder.adjust(1)
    nav = KeyboardBuilder()
    nav.button(text="◀", callback_data=DayCb(day=day_code(day - timedelta(days=1)), g=group))
    nav.button(text=_("Today"), callback_data=DayCb(g=group))
    nav.button(text="▶", callback_data=DayCb(day=day_code(day + timedelta(days=1)), g=group))
    if group:
        nav.button(text=_("⬅ Groups"), callback_data=GroupsCb())
    nav.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    nav.adjust(3, 2 if group else 1)
    builder.attach(nav)
    return builder.as_markup()


def groups_keyboard(groups: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for group_id, name in groups:
        builder.button(text=name, callback_data=DayCb(g=group_id))
    builder.adjust(3)
    menu = KeyboardBuilder()
    menu.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.attach(menu)
    return builder.as_markup()


@lru_cache(maxsize=1024)
def _lesson_button(lesson_id: int, text: str, do: LessonAction) -> InlineKeyboardButton:
    """A lesson card's own button (the text in the reader's language), kept as the students'."""
    return InlineKeyboardButton(text=text, callback_data=LessonCb(id=lesson_id, do=do).pack())


@lru_cache(maxsize=4096)
def _student_button(lesson_id: int, student_id: int, name: str, mark: Mark) -> InlineKeyboardButton:
    """A student's button on a register, kept: a tap changes one of the card's buttons, and
    the others are the ones built for the tap before (never changed after they are built)."""
    data = MarkCb(lesson=lesson_id, student=student_id, seen=MARK_CODES[mark])
    return InlineKeyboardButton(text=f"{MARK_ICONS[mark]} {name}", callback_data=data.pack())


def register_keyboard(view: RegisterView, group: int = 0) -> InlineKeyboardMarkup:
    """Built row by row, not with InlineKeyboardBuilder: the builder deep-copies every button
    on every add, which made this keyboard (the hot path of a register tap) cost ~10 ms.
    ``group``: back to that group's day (an overseer's view) instead of the teacher's day."""
    lesson_id = view.lesson.id

    def button(text: str, data: CallbackData) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    def lesson(text: str, do: LessonAction) -> InlineKeyboardButton:
        return _lesson_button(lesson_id, text, do)

    rows: list[list[InlineKeyboardButton]] = []
    if view.editable:
        students = [
            _student_button(lesson_id, row.student_id, row.name, row.mark) for row in view.rows
        ]
        rows.extend(students[i : i + 2] for i in range(0, len(students), 2))
        rows.append(
            [
                lesson(_("✔ All present"), LessonAction.ALL_PRESENT),
                lesson(_("💾 Done"), LessonAction.DONE),
            ]
        )
    rows.append(
        [lesson(_("⭐ Grades"), LessonAction.GRADES), lesson(_("✏ Topic"), LessonAction.TOPIC)]
    )
    rows.append(
        [
            lesson(_("🏠 Homework"), LessonAction.HOMEWORK),
            lesson(_("💻 Distance"), LessonAction.DISTANCE),
        ]
    )
    grid = grid_link.of_lesson(lesson_id)
    if grid is not None:
        rows.append([InlineKeyboardButton(text=_("📊 Journal grid"), web_app=WebAppInfo(url=grid))])
    day = _("⬅ {day}").format(day=fmt_date(view.lesson.date, "d MMM"))
    rows.append([button(day, DayCb(day=day_code(view.lesson.date), g=group))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def grades_keyboard(sheet: LessonGrades) -> InlineKeyboardMarkup:
    lesson_id = sheet.info.lesson.id
    builder = KeyboardBuilder()
    for row in sheet.rows:
        given = ", ".join(grade_label(g.value) for g in row.grades)
        label = f"{row.name} — {given}" if given else row.name
        builder.button(
            text=label[:60], callback_data=GradeCb(lesson=lesson_id, student=row.student_id)
        )
    builder.button(text=_("⬅ Lesson"), callback_data=LessonCb(id=lesson_id))
    builder.adjust(2)
    return builder.as_markup()


def keypad(
    lesson_id: int, row: StudentGrades, grade_id: int, kind: GradeKind
) -> InlineKeyboardMarkup:
    """Values for a new grade (``grade_id`` 0) or for changing one; kinds; existing grades."""
    code = KIND_CODES[kind]
    builder = KeyboardBuilder()
    for value in GRADE_VALUES:
        builder.button(
            text=grade_label(value),
            callback_data=GradeCb(
                lesson=lesson_id, student=row.student_id, grade=grade_id, kind=code, act=value
            ),
        )
    sizes = [4, 2]
    if grade_id == 0:
        for other, other_code in KIND_CODES.items():
            mark = "• " if other is kind else ""
            builder.button(
                text=mark + kind_label(other),
                callback_data=GradeCb(lesson=lesson_id, student=row.student_id, kind=other_code),
            )
        sizes += [3, 3]
        for entry in row.grades:
            builder.button(
                text=_("✏ {value} ({kind})").format(
                    value=grade_label(entry.value), kind=kind_label(entry.kind)
                ),
                callback_data=GradeCb(
                    lesson=lesson_id,
                    student=row.student_id,
                    grade=entry.grade_id,
                    kind=KIND_CODES[entry.kind],
                ),
            )
            sizes.append(1)
    else:
        builder.button(
            text=_("💬 Comment"),
            callback_data=GradeCb(
                lesson=lesson_id, student=row.student_id, grade=grade_id, kind=code, act="note"
            ),
        )
        builder.button(
            text=_("🗑 Remove"),
            callback_data=GradeCb(
                lesson=lesson_id, student=row.student_id, grade=grade_id, kind=code, act="del"
            ),
        )
        sizes.append(2)
    builder.button(
        text=_("⬅ Students"), callback_data=LessonCb(id=lesson_id, do=LessonAction.GRADES)
    )
    sizes.append(1)
    builder.adjust(*sizes)
    return builder.as_markup()


def back_to_lesson(lesson_id: int) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    builder.button(text=_("⬅ Lesson"), callback_data=LessonCb(id=lesson_id))
    return builder.as_markup()


def homework_keyboard(lesson_id: int, has_homework: bool) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    if has_homework:
        builder.button(
            text=_("🗑 Clear homework"),
            callback_data=LessonCb(id=lesson_id, do=LessonAction.CLEAR_HOMEWORK),
        )
    builder.button(text=_("⬅ Lesson"), callback_data=LessonCb(id=lesson_id))
    builder.adjust(1)
    return builder.as_markup()


def distance_keyboard(lesson_id: int, recorded: bool) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    builder.button(
        text=_("🟢 Online"), callback_data=LessonCb(id=lesson_id, do=LessonAction.ONLINE)
    )
    builder.button(
        text=_("📚 Offline (tasks)"), callback_data=LessonCb(id=lesson_id, do=LessonAction.OFFLINE)
    )
    if recorded:
        builder.button(
            text=_("🗑 Not distance"),
            callback_data=LessonCb(id=lesson_id, do=LessonAction.CLEAR_DISTANCE),
        )
    builder.button(text=_("⬅ Lesson"), callback_data=LessonCb(id=lesson_id))
    builder.adjust(1)
    return builder.as_markup()


def hours_keyboard(lesson_id: int, hours: int) -> InlineKeyboardMarkup:
    builder = KeyboardBuilder()
    for n in range(1, 7):
        mark = "• " if n == hours else ""
        builder.button(
            text=_("{mark}{n} h").format(mark=mark, n=n),
            callback_data=LessonCb(id=lesson_id, do=LessonAction(f"h{n}")),
        )
    builder.adjust(6)
    return builder.as_markup()
