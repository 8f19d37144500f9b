"""The diary screens, each kept within one Telegram message.

A teacher may write 500 characters of topic and 2000 of homework per lesson, so a day, let
alone a week, can outgrow Telegram's 4096. A screen is rendered in full first; when that is
too long, people's texts are shortened step by step (the marks and grades always stay) and a
note says so, and the screen names the lessons shortened so their full text is one tap away.
Everything people typed, and every name from the store, is escaped (screens/markup.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from babel.numbers import format_decimal

from core.i18n import _, current_locale, fmt_date, fmt_time, ngettext
from screens.markup import Markup, bold, format_html, join, oneline, strike, text
from screens.vocabulary import grade_label, kind_label
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
    text: Markup
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

    def __call__(self, typed: str, lesson_id: int) -> Markup:
        typed = typed.strip()
        if self.limit is None or len(typed) <= self.limit:
            return text(typed)
        self.lost(lesson_id)
        return text(typed[: self.limit].rstrip() + "…") if self.limit else Markup()


def _fit(render: Callable[[_Clipper], list[Markup]], note: str) -> Screen:
    """The first rendering that fits, from the fullest; as a last resort whole lines are
    dropped from the end (every line is complete HTML on its own)."""
    lines: list[Markup] = []
    for limit in CLIPS:
        clip = _Clipper(limit)
        lines = render(clip)
        if clip.shortened:
            lines = [*lines, Markup(), format_html("✂ {}", note)]
        screen = join(lines)
        if utf16_len(screen) <= LIMIT:
            return Screen(screen, tuple(clip.shortened))
    tail = [Markup("…"), Markup(), format_html("✂ {}", note)]
    while lines and utf16_len(join(lines + tail)) > LIMIT:
        lines.pop()
    return Screen(join(lines + tail), tuple(clip.shortened))


def whose(card: StudentCard) -> Markup:
    if card.group_name:
        return format_html("{} ({})", oneline(card.name), oneline(card.group_name))
    return oneline(card.name)


def _grade(grade: GradeMark, clip: _Clipper, lesson_id: int) -> Markup:
    shown = bold(grade_label(grade.value))
    if grade.kind is not GradeKind.CURRENT:
        shown = format_html("{} ({})", shown, kind_label(grade.kind))
    comment = clip(grade.comment, lesson_id)
    return format_html("{} «{}»", shown, comment) if comment else shown


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


def _distance(data: dict[str, object]) -> Markup:
    platform = oneline(str(data.get("platform", "")))
    at = str(data.get("time", ""))
    if data.get("mode") == "online":
        return format_html(
            _("💻 Distance lesson, online on {platform} at {time}"), platform=platform, time=at
        )
    return format_html(
        _("💻 Distance lesson, tasks on {platform} from {time}"), platform=platform, time=at
    )


def lesson_lines(lesson: DiaryLesson, clip: _Clipper) -> list[Markup]:
    head = format_html(
        "{}. {}–{} · {}",
        lesson.pair_no,
        fmt_time(lesson.starts),
        fmt_time(lesson.ends),
        bold(oneline(lesson.discipline)),
    )
    if lesson.room:
        head = format_html(
            "{} · {}", head, format_html(_("room {room}"), room=oneline(lesson.room))
        )
    if lesson.cancelled:
        return [format_html("🚫 {} · {}", strike(head), _("cancelled"))]
    lines = [head]
    indent = "    "

    def clip_text(typed: str) -> Markup:
        return clip(typed, lesson.lesson_id).replace("\n", "\n" + indent)

    if lesson.distance:
        lines.append(indent + _distance(lesson.distance))
    if topic := clip_text(lesson.topic):
        lines.append(indent + format_html(_("Topic: {topic}"), topic=topic))
    homework = clip_text(lesson.homework)
    if homework or lesson.homework_file:
        shown = homework + (" 📎" if lesson.homework_file else "")
        lines.append(indent + format_html(_("Homework: {text}"), text=shown.strip()))
    if lesson.grades:
        grades = join((_grade(g, clip, lesson.lesson_id) for g in lesson.grades), ", ")
        lines.append(indent + format_html(_("Grades: {grades}"), grades=grades))
    if mark := mark_label(lesson.mark, lesson.reason):
        lines.append(format_html("{}{}", indent, mark))
    return lines


def _day_off(day: DiaryDay) -> Markup | None:
    if day.day_off is None:
        return None
    label = _("🏖 Vacation") if day.day_off.kind is CalendarKind.VACATION else _("🎉 Day off")
    name = oneline(day.day_off.name)
    return format_html("{}: {}", label, name) if name else text(label)


def day_lines(day: DiaryDay, clip: _Clipper) -> list[Markup]:
    lines: list[Markup] = []
    if off := _day_off(day):
        lines.append(off)
    for lesson in day.lessons:
        lines.extend(lesson_lines(lesson, clip))
    if not day.lessons:
        lines.append(text(_("No lessons.")))
    return lines


def _day_title(day: date, today: date) -> Markup:
    title = fmt_date(day, "EEEE, d MMMM")
    if day == today:
        return format_html(_("{day} (today)"), day=title)
    if (day - today).days == 1:
        return format_html(_("{day} (tomorrow)"), day=title)
    return text(title)


def day_screen(card: StudentCard, day: DiaryDay, today: date) -> Screen:
    def render(clip: _Clipper) -> list[Markup]:
        head = [
            format_html(_("📖 <b>Diary</b> · {whose}"), whose=whose(card)),
            bold(_day_title(day.date, today)),
            Markup(),
        ]
        return head + day_lines(day, clip)

    return _fit(render, _("Long texts are shortened. Open a lesson to read it in full."))


def lesson_screen(card: StudentCard, lesson: DiaryLesson) -> Screen:
    def render(clip: _Clipper) -> list[Markup]:
        return [
            format_html(_("📖 <b>Diary</b> · {whose}"), whose=whose(card)),
            bold(fmt_date(lesson.date, "EEEE, d MMMM")),
            Markup(),
            *lesson_lines(lesson, clip),
        ]

    return _fit(render, _("Long texts are shortened to fit into one message."))


def week_screen(card: StudentCard, week: DiaryWeek, today: date) -> Screen:
    last = week.days[-1].date

    def render(clip: _Clipper) -> list[Markup]:
        lines = [
            format_html(_("📆 <b>Diary for the week</b> · {whose}"), whose=whose(card)),
            format_html(
                _("{first} – {last}"),
                first=fmt_date(week.monday, "d MMMM"),
                last=fmt_date(last, "d MMMM y"),
            ),
        ]
        for day in week.days:
            lines += [Markup(), bold(_day_title(day.date, today)), *day_lines(day, clip)]
        return lines

    return _fit(render, _("Long texts are shortened. Open a day to read it in full."))


def _average(value: float) -> str:
    return format_decimal(value, format="0.00", locale=current_locale())


def _period_line(name: str) -> Markup:
    return format_html(_("Period: {period}"), period=oneline(name))


def _no_period(title: Markup) -> Screen:
    return Screen(join([title, "", _("The learning calendar has no period yet.")]))


def grades_screen(card: StudentCard, summary: GradesSummary) -> Screen:
    title = format_html(_("📊 <b>Grades</b> · {whose}"), whose=whose(card))
    if summary.period is None:
        return _no_period(title)
    period = summary.period

    def render(clip: _Clipper) -> list[Markup]:
        lines = [title, _period_line(period.name), Markup()]
        if not summary.disciplines:
            lines.append(text(_("No lessons in this period yet.")))
        for line in summary.disciplines:
            values = list(line.values)
            if clip.limit is not None and len(values) > GRADES_SHOWN:
                clip.lost(line.discipline_id)
                values = values[-GRADES_SHOWN:]
            shown = " ".join(grade_label(v) for v in values) or _("no grades yet")
            if len(values) < len(line.values):
                shown = "… " + shown
            row = format_html("{}: {}", bold(oneline(line.name)), shown)
            if line.average is not None:
                row += " · " + format_html(_("average {value}"), value=_average(line.average))
            if line.attestation is not None:
                row += " · " + format_html(
                    _("period grade {value}"), value=grade_label(line.attestation)
                )
            lines.append(row)
        lines += [
            Markup(),
            text(_("The average counts grades 2 to 5; pass and fail are not averaged.")),
        ]
        return lines

    screen = _fit(render, _("Only the latest grades of each discipline are shown."))
    return Screen(screen.text)


def _count(n: int) -> str:
    return ngettext("{n} lesson", "{n} lessons", n).format(n=n)


def attendance_screen(card: StudentCard, summary: AttendanceSummary) -> Screen:
    title = format_html(_("🗓 <b>Attendance</b> · {whose}"), whose=whose(card))
    if summary.period is None:
        return _no_period(title)
    period = summary.period

    def render(clip: _Clipper) -> list[Markup]:
        hours = ngettext("{n} hour", "{n} hours", summary.absent_hours).format(
            n=summary.absent_hours
        )
        lines = [
            title,
            _period_line(period.name),
            Markup(),
            format_html(
                _("Missed: {lessons} ({hours})"), lessons=_count(summary.absences), hours=hours
            ),
            "    " + format_html(_("illness: {n}"), n=_count(summary.illness)),
            "    " + format_html(_("excused: {n}"), n=_count(summary.excused)),
            "    " + format_html(_("unexcused: {n}"), n=_count(summary.unexcused)),
            "    " + format_html(_("no reason yet: {n}"), n=_count(summary.unexplained)),
            format_html(_("Late: {n}"), n=_count(summary.late)),
        ]
        misses = summary.unexplained_lessons
        if misses:
            lines += [Markup(), text(_("Absences without a reason yet:"))]
            # Shortened: the latest 60, 20, 6, then none.
            keep = len(misses) if clip.limit is None else clip.limit // 10
            shown = misses[len(misses) - keep :] if keep else ()
            if len(shown) < len(misses):
                clip.lost(0)
            lines += [
                format_html("• {} — {}", fmt_date(m.date, "d MMMM, EEE"), oneline(m.discipline))
                for m in shown
            ]
        return lines

    screen = _fit(render, _("Only the latest absences are listed."))
    return Screen(screen.text)


def homework_caption(discipline: str, day: date) -> Markup:
    return format_html(
        _("Homework · {discipline} · {date}"), discipline=discipline, date=fmt_date(day, "d MMMM")
    )
