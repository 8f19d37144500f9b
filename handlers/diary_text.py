"""Texts of the diary screens (HTML), each kept within one Telegram message.

A teacher may write 500 characters of topic and 2000 of homework per lesson, so a day, let
alone a week, can outgrow Telegram's 4096. A screen is rendered in full first; when that is
too long, people's texts are shortened step by step (the marks and grades always stay) and a
note says so, and the screen names the lessons shortened so their full text is one tap away.
Everything people typed, and every name from the store, is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from babel.numbers import format_decimal

from core.i18n import _, current_locale, fmt_date, fmt_time, ngettext
from services.diary.service import (
    AttendanceSummary,
    DiaryDay,
    DiaryLesson,
    DiaryWeek,
    GradeMark,
    GradesSummary,
    StudentCard,
)
from storage.models import AbsenceReason, CalendarKind, GradeKind, Mark

LIMIT = 4096  # Telegram's limit of a message's text
CLIPS = (None, 600, 200, 60, 0)  # characters kept of each text: all, …, none
GRADES_SHOWN = 12  # per discipline, when the grades screen must be shortened


def utf16_len(text: str) -> int:
    """Telegram counts UTF-16 units; the HTML source is never shorter than what it shows."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Screen:
    text: str
    shortened: tuple[int, ...] = ()  # lessons whose texts were shortened


class _Clipper:
    """Shortens people's texts to ``limit`` characters (None: keeps them whole; 0: leaves
    them out) and remembers what lost something."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.shortened: list[int] = []

    def lost(self, key: int) -> None:
        if key not in self.shortened:
            self.shortened.append(key)

    def __call__(self, text: str, lesson_id: int) -> str:
        text = text.strip()
        if self.limit is None or len(text) <= self.limit:
            return html.escape(text)
        self.lost(lesson_id)
        return html.escape(text[: self.limit].rstrip() + "…") if self.limit else ""


def _fit(render: Callable[[_Clipper], list[str]], note: str) -> Screen:
    """The first rendering that fits, from the fullest; as a last resort whole lines are
    dropped from the end (every line is complete HTML on its own)."""
    lines: list[str] = []
    for limit in CLIPS:
        clip = _Clipper(limit)
        lines = render(clip)
        if clip.shortened:
            lines = [*lines, "", "✂ " + note]
        text = "\n".join(lines)
        if utf16_len(text) <= LIMIT:
            return Screen(text, tuple(clip.shortened))
    tail = ["…", "", "✂ " + note]
    while lines and utf16_len("\n".join(lines + tail)) > LIMIT:
        lines.pop()
    return Screen("\n".join(lines + tail), tuple(clip.shortened))


def _name(text: str) -> str:
    """A name from the store on one line, escaped."""
    return html.escape(" ".join(text.split()))


def whose(card: StudentCard) -> str:
    group = f" ({_name(card.group_name)})" if card.group_name else ""
    return _name(card.name) + group


def grade_label(value: str) -> str:
    return {"pass": _("pass"), "fail": _("fail")}.get(value, html.escape(value))


def kind_label(kind: GradeKind) -> str:
    return {
        GradeKind.CURRENT: _("current"),
        GradeKind.TEST: _("test"),
        GradeKind.PRACTICAL: _("practical"),
        GradeKind.LAB: _("lab"),
        GradeKind.ORAL: _("oral"),
        GradeKind.EXAM: _("exam"),
    }[kind]


def _grade(grade: GradeMark, clip: _Clipper, lesson_id: int) -> str:
    text = f"<b>{grade_label(grade.value)}</b>"
    if grade.kind is not GradeKind.CURRENT:
        text += f" ({kind_label(grade.kind)})"
    comment = clip(grade.comment, lesson_id)
    return text + (f" «{comment}»" if comment else "")


def mark_label(mark: Mark | None, reason: AbsenceReason | None) -> str | None:
    if mark is Mark.LATE:
        return _("⏰ late")
    if mark is not Mark.ABSENT:
        return None
    return {
        AbsenceReason.ILLNESS: _("❌ absent: illness"),
        AbsenceReason.EXCUSED: _("❌ absent: excused"),
        AbsenceReason.UNEXCUSED: _("❌ absent: unexcused"),
        None: _("❌ absent: no reason yet"),
    }[reason]


def _distance(data: dict[str, object]) -> str:
    platform = _name(str(data.get("platform", "")))
    at = html.escape(str(data.get("time", "")))
    if data.get("mode") == "online":
        return _("💻 Distance lesson, online on {platform} at {time}").format(
            platform=platform, time=at
        )
    return _("💻 Distance lesson, tasks on {platform} from {time}").format(
        platform=platform, time=at
    )


def lesson_lines(lesson: DiaryLesson, clip: _Clipper) -> list[str]:
    head = (
        f"{lesson.pair_no}. {fmt_time(lesson.starts)}–{fmt_time(lesson.ends)} · "
        f"<b>{_name(lesson.discipline)}</b>"
    )
    if lesson.room:
        head += " · " + _("room {room}").format(room=_name(lesson.room))
    if lesson.cancelled:
        return [f"🚫 <s>{head}</s> · " + _("cancelled")]
    lines = [head]
    indent = "    "

    def clip_text(text: str) -> str:
        return clip(text, lesson.lesson_id).replace("\n", "\n" + indent)

    if lesson.distance:
        lines.append(indent + _distance(lesson.distance))
    if topic := clip_text(lesson.topic):
        lines.append(indent + _("Topic: {topic}").format(topic=topic))
    homework = clip_text(lesson.homework)
    if homework or lesson.homework_file:
        text = homework + (" 📎" if lesson.homework_file else "")
        lines.append(indent + _("Homework: {text}").format(text=text.strip()))
    if lesson.grades:
        grades = ", ".join(_grade(g, clip, lesson.lesson_id) for g in lesson.grades)
        lines.append(indent + _("Grades: {grades}").format(grades=grades))
    if mark := mark_label(lesson.mark, lesson.reason):
        lines.append(indent + mark)
    return lines


def _day_off(day: DiaryDay) -> str | None:
    if day.day_off is None:
        return None
    label = _("🏖 Vacation") if day.day_off.kind is CalendarKind.VACATION else _("🎉 Day off")
    name = _name(day.day_off.name)
    return f"{label}: {name}" if name else label


def day_lines(day: DiaryDay, clip: _Clipper) -> list[str]:
    lines: list[str] = []
    if off := _day_off(day):
        lines.append(off)
    for lesson in day.lessons:
        lines.extend(lesson_lines(lesson, clip))
    if not day.lessons:
        lines.append(_("No lessons."))
    return lines


def _day_title(day: date, today: date) -> str:
    title = fmt_date(day, "EEEE, d MMMM")
    if day == today:
        return _("{day} (today)").format(day=title)
    if (day - today).days == 1:
        return _("{day} (tomorrow)").format(day=title)
    return title


def day_screen(card: StudentCard, day: DiaryDay, today: date) -> Screen:
    def render(clip: _Clipper) -> list[str]:
        head = [
            _("📖 <b>Diary</b> · {whose}").format(whose=whose(card)),
            f"<b>{_day_title(day.date, today)}</b>",
            "",
        ]
        return head + day_lines(day, clip)

    return _fit(render, _("Long texts are shortened. Open a lesson to read it in full."))


def lesson_screen(card: StudentCard, lesson: DiaryLesson) -> Screen:
    def render(clip: _Clipper) -> list[str]:
        return [
            _("📖 <b>Diary</b> · {whose}").format(whose=whose(card)),
            f"<b>{fmt_date(lesson.date, 'EEEE, d MMMM')}</b>",
            "",
            *lesson_lines(lesson, clip),
        ]

    return _fit(render, _("Long texts are shortened to fit into one message."))


def week_screen(card: StudentCard, week: DiaryWeek, today: date) -> Screen:
    last = week.days[-1].date

    def render(clip: _Clipper) -> list[str]:
        lines = [
            _("📆 <b>Diary for the week</b> · {whose}").format(whose=whose(card)),
            _("{first} – {last}").format(
                first=fmt_date(week.monday, "d MMMM"), last=fmt_date(last, "d MMMM y")
            ),
        ]
        for day in week.days:
            lines += ["", f"<b>{_day_title(day.date, today)}</b>", *day_lines(day, clip)]
        return lines

    return _fit(render, _("Long texts are shortened. Open a day to read it in full."))


def _average(value: float) -> str:
    return format_decimal(value, format="0.00", locale=current_locale())


def _period_line(name: str) -> str:
    return _("Period: {period}").format(period=_name(name))


def grades_screen(card: StudentCard, summary: GradesSummary) -> Screen:
    title = _("📊 <b>Grades</b> · {whose}").format(whose=whose(card))
    if summary.period is None:
        return Screen(f"{title}\n\n" + _("The learning calendar has no period yet."))
    period = summary.period

    def render(clip: _Clipper) -> list[str]:
        lines = [title, _period_line(period.name), ""]
        if not summary.disciplines:
            lines.append(_("No lessons in this period yet."))
        for line in summary.disciplines:
            values = list(line.values)
            if clip.limit is not None and len(values) > GRADES_SHOWN:
                clip.lost(line.discipline_id)
                values = values[-GRADES_SHOWN:]
            shown = " ".join(grade_label(v) for v in values) or _("no grades yet")
            if len(values) < len(line.values):
                shown = "… " + shown
            text = f"<b>{_name(line.name)}</b>: {shown}"
            if line.average is not None:
                text += " · " + _("average {value}").format(value=_average(line.average))
            if line.attestation is not None:
                text += " · " + _("period grade {value}").format(
                    value=grade_label(line.attestation)
                )
            lines.append(text)
        lines += ["", _("The average counts grades 2 to 5; pass and fail are not averaged.")]
        return lines

    screen = _fit(render, _("Only the latest grades of each discipline are shown."))
    return Screen(screen.text)


def _count(n: int) -> str:
    return ngettext("{n} lesson", "{n} lessons", n).format(n=n)


def attendance_screen(card: StudentCard, summary: AttendanceSummary) -> Screen:
    title = _("🗓 <b>Attendance</b> · {whose}").format(whose=whose(card))
    if summary.period is None:
        return Screen(f"{title}\n\n" + _("The learning calendar has no period yet."))
    period = summary.period

    def render(clip: _Clipper) -> list[str]:
        hours = ngettext("{n} hour", "{n} hours", summary.absent_hours).format(
            n=summary.absent_hours
        )
        lines = [
            title,
            _period_line(period.name),
            "",
            _("Missed: {lessons} ({hours})").format(lessons=_count(summary.absences), hours=hours),
            "    " + _("illness: {n}").format(n=_count(summary.illness)),
            "    " + _("excused: {n}").format(n=_count(summary.excused)),
            "    " + _("unexcused: {n}").format(n=_count(summary.unexcused)),
            "    " + _("no reason yet: {n}").format(n=_count(summary.unexplained)),
            _("Late: {n}").format(n=_count(summary.late)),
        ]
        misses = summary.unexplained_lessons
        if misses:
            lines += ["", _("Absences without a reason yet:")]
            # Shortened: the latest 60, 20, 6, then none.
            keep = len(misses) if clip.limit is None else clip.limit // 10
            shown = misses[len(misses) - keep :] if keep else ()
            if len(shown) < len(misses):
                clip.lost(0)
            lines += [f"• {fmt_date(m.date, 'd MMMM, EEE')} — {_name(m.discipline)}" for m in shown]
        return lines

    screen = _fit(render, _("Only the latest absences are listed."))
    return Screen(screen.text)
