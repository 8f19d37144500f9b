"""The teacher's screens of a lesson: the day's lessons, the lesson card with its register,
the grades of a lesson, the topic prompt. Names and typed texts are escaped
(screens/markup.py)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from core.i18n import _, fmt_date, fmt_time, ngettext
from screens.markup import Markup, bold, format_html, join, strike
from screens.vocabulary import MARK_ICONS, grade_label, kind_label
from services.journal.grades import LessonGrades, StudentGrades
from services.journal.register import RegisterView
from services.journal.teacher_day import LessonCard
from storage.models import GradeKind, Lesson, Mark


def _group(name: str, subgroup: str | None) -> str:
    return name + (f" / {subgroup}" if subgroup else "")


def groups_text() -> Markup:
    """Above the groups a deputy or director may look into."""
    return format_html(_("<b>Group journals</b>\nChoose a group."))


def day_text(day: date, cards: list[LessonCard], group: str | None = None) -> Markup:
    if group is None:
        lines = [format_html(_("<b>My lessons</b> · {day}"), day=fmt_date(day))]
    else:
        lines = [
            format_html(_("<b>Journal of {group}</b> · {day}"), group=group, day=fmt_date(day))
        ]
    if not cards:
        lines.append(format_html(_("No lessons on this day.")))
    for card in cards:
        head = format_html(
            "{}. {}–{} {} · {}",
            card.pair_no,
            fmt_time(card.starts),
            fmt_time(card.ends),
            _group(card.group_name, card.subgroup_name),
            card.discipline_name,
        )
        if card.cancelled:
            lines.append(format_html("🚫 {}", strike(head)))
            continue
        todo = [
            _("register ✅") if card.register_done else _("no register ⚠"),
            _("topic ✅") if card.topic_entered else _("no topic ⚠"),
        ]
        if card.grades_count:
            todo.append(
                ngettext("{n} grade", "{n} grades", card.grades_count).format(n=card.grades_count)
            )
        lines.append(format_html("{}\n      {}", head, ", ".join(todo)))
    return join(lines)


def card_text(view: RegisterView, tz: ZoneInfo) -> Markup:
    info, lesson = view.info, view.lesson
    when = format_html(
        _("{day}, pair {pair}, {start}–{end}"),
        day=fmt_date(lesson.date, "EEE d MMMM"),
        pair=lesson.pair_no,
        start=fmt_time(lesson.starts_at.astimezone(tz)),
        end=fmt_time(lesson.ends_at.astimezone(tz)),
    )
    if lesson.room:
        when += format_html(" · {}", format_html(_("room {room}"), room=lesson.room))
    group = _group(info.group_name, info.subgroup_name)
    lines = [format_html("{} · {}", bold(info.discipline_name), group), when]
    if lesson.topic:
        lines.append(format_html(_("Topic: {topic}"), topic=lesson.topic))
    else:
        lines.append(format_html(_("Topic: not entered ⚠")))
    if lesson.homework or lesson.homework_file_id:
        shown = lesson.homework or lesson.homework_file_name or "📎"
        lines.append(format_html(_("Homework: {text}"), text=shown))
    lines.append(Markup())
    lines.append(
        format_html(
            _("✅ present {present} · ❌ absent {absent} · ⏰ late {late}"),
            present=view.present,
            absent=view.absent,
            late=view.late,
        )
    )
    if not view.editable:
        lines.append(format_html("🔒 {}", view.locked or ""))
        lines.extend(
            format_html("{} {}", MARK_ICONS[r.mark], r.name)
            for r in view.rows
            if r.mark is not Mark.PRESENT
        )
    elif view.done:
        lines.append(
            format_html(
                _("Register taken ✅. Taps still correct it; press Done to send corrections.")
            )
        )
    else:
        lines.append(format_html(_("Tap a student: present → absent → late. Then press Done.")))
    return join(lines)


def sheet_text(sheet: LessonGrades) -> Markup:
    info = sheet.info
    head = format_html(
        _("<b>Grades</b> · {discipline} · {group} · {day}"),
        discipline=info.discipline_name,
        group=info.group_name,
        day=fmt_date(info.lesson.date, "d MMMM"),
    )
    if sheet.locked:
        return format_html("{}\n🔒 {}", head, sheet.locked)
    return format_html("{}\n{}", head, _("Choose a student."))


def keypad_text(sheet: LessonGrades, row: StudentGrades, grade_id: int, kind: GradeKind) -> Markup:
    lines = [format_html("{} · {}", bold(row.name), sheet.info.discipline_name)]
    for entry in row.grades:
        line = format_html("{} ({})", grade_label(entry.value), kind_label(entry.kind))
        if entry.comment:
            line += format_html(" — {}", entry.comment)
        lines.append(format_html("{} {}", "▶" if entry.grade_id == grade_id else "•", line))
    if grade_id:
        lines.append(format_html(_("Press a new value, add a comment, or remove this grade.")))
    else:
        lines.append(
            format_html(_("New grade, kind: {kind}. Press a value."), kind=kind_label(kind))
        )
    return join(lines)


def topic_prompt(lesson: Lesson) -> Markup:
    lines = [format_html(_("Send the topic of the lesson."))]
    if lesson.topic:
        lines.append(format_html(_("Now: {topic}"), topic=lesson.topic))
    lines.append(
        format_html(
            _("Hours: {hours}. Other hours can be set after the topic."), hours=lesson.hours
        )
    )
    return join(lines)
