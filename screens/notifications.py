"""Notifications and digests, in the current locale (wrap calls in ``use_locale``). Parents
see the child's first name only (§1.3); everything from the store or typed by people is
escaped (screens/markup.py), so it reads as text and never as markup."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from core.config import Notifications
from core.i18n import _, fmt_date, fmt_time
from screens.markup import Markup, bold, format_html, join, oneline
from screens.vocabulary import grade_label, kind_label, mark_word, reason_word
from services.notifications.digests import Section
from services.notifications.facts import Fact
from services.notifications.prefs import ATTENDANCE, GRADES
from storage.models import AbsenceReason, GradeKind, Mark
from storage.notify import WeekGrade, WeekMark

KINDS = {kind.value: kind for kind in GradeKind if kind is not GradeKind.CURRENT}
MARKS = {mark.value: mark for mark in Mark}
REASONS = {reason.value: reason for reason in AbsenceReason}
MONDAY = date(2024, 1, 1)  # any Monday: weekday names come from it
ICONS = {"grade+": "📘", "grade~": "✏️", "grade-": "🗑", "absent": "🚫", "late": "⏰"}


def day_label(day: date) -> str:
    return fmt_date(day, "d MMMM")


def _grade(value: str | None, kind: str | None = None) -> str:
    """A grade with its kind when it is not a current one: "5 (test)"."""
    label = grade_label(" ".join((value or "").split()))
    return f"{label} ({kind_label(KINDS[kind])})" if kind in KINDS else label


def _mark(mark: str | None) -> str:
    return mark_word(MARKS.get(mark or ""))


def _reason(reason: str | None) -> str:
    known = REASONS.get(reason or "")
    return reason_word(known) if known is not None else " ".join((reason or "").split())


def _icon(fact: Fact) -> str:
    if fact.kind == GRADES:
        return ICONS["grade+" if fact.was is None else "grade-" if fact.now is None else "grade~"]
    if fact.kind == ATTENDANCE:
        return ICONS.get(fact.now or "", "✅")
    return "📝"


def what(fact: Fact) -> Markup:
    """What happened, as a phrase that follows a name: "new grade <b>5</b>"."""
    if fact.kind == GRADES:
        grade = bold(_grade(fact.now, fact.grade_kind))
        if fact.was is None:
            return format_html(_("new grade {grade}"), grade=grade)
        if fact.now is None:
            return format_html(_("grade {old} removed"), old=_grade(fact.was, fact.grade_kind))
        return format_html(
            _("grade changed from {old} to {grade}"), old=_grade(fact.was), grade=grade
        )
    if fact.kind == ATTENDANCE:
        if fact.now is None:
            return format_html(_("present after all (the register was corrected)"))
        mark = bold(_mark(fact.now))
        if fact.was is None:
            return mark
        return format_html(_("{mark} (corrected; earlier: {old})"), mark=mark, old=_mark(fact.was))
    if fact.now is None:
        return format_html(_("reason of the absence removed"))
    reason = bold(_reason(fact.now))
    if fact.was is None:
        return format_html(_("reason of the absence recorded: {reason}"), reason=reason)
    return format_html(_("reason of the absence changed to {reason}"), reason=reason)


def _lesson(fact: Fact) -> Markup:
    discipline = oneline(fact.discipline)
    day = day_label(fact.lesson_date) if fact.lesson_date else "?"
    if fact.pair_no:
        return format_html(
            _("{discipline}, lesson of {date}, pair {pair}"),
            discipline=discipline,
            date=day,
            pair=fact.pair_no,
        )
    return format_html(_("{discipline}, lesson of {date}"), discipline=discipline, date=day)


def _capital(phrase: Markup) -> Markup:
    """The first letter upper case, tags before it left alone."""
    tags = ""
    rest = str(phrase)
    while rest.startswith("<") and ">" in rest:
        tag, rest = rest.split(">", 1)
        tags += tag + ">"
    return Markup(tags + rest[:1].upper() + rest[1:])


def notice(fact: Fact, child: str | None) -> Markup:
    """The message about one fact: to a parent (``child`` = the first name) or to the student
    themself (``child`` None)."""
    phrase = what(fact)
    head = (
        format_html(_("{name}: {what}"), name=oneline(child), what=phrase)
        if child is not None
        else _capital(phrase)
    )
    lines = [format_html("{} {}", _icon(fact), head), _lesson(fact)]
    if fact.comment and fact.now is not None:
        lines.append(format_html(_("Comment: {comment}"), comment=oneline(fact.comment)))
    return join(lines)


def digest_line(fact: Fact) -> Markup:
    day = day_label(fact.lesson_date) if fact.lesson_date else "?"
    return format_html("{} {}, {}: {}", _icon(fact), oneline(fact.discipline), day, what(fact))


def _name_line(section: Section) -> list[Markup]:
    return [bold(oneline(section.name))] if section.name is not None else []


def daily_digest(day: date, sections: Sequence[Section]) -> Markup:
    parts = [format_html(_("🗓 <b>Journal summary for {date}</b>"), date=day_label(day))]
    for section in sections:
        parts.append(join(_name_line(section) + [digest_line(fact) for fact in section.facts]))
    return join(parts, "\n\n")


def weekly_digest(first: date, last: date, sections: Sequence[Section]) -> Markup:
    parts = [
        format_html(
            _("📊 <b>Week from {first} to {last}</b>"),
            first=day_label(first),
            last=day_label(last),
        )
    ]
    for section in sections:
        lines = _name_line(section) + _week_grades(section.grades) + _week_marks(section.marks)
        parts.append(join(lines))
    return join(parts, "\n\n")


def _week_grades(grades: Sequence[WeekGrade]) -> list[Markup]:
    if not grades:
        return [format_html(_("No grades this week."))]
    by_discipline: dict[str, list[str]] = {}
    for grade in grades:
        label = _grade(grade.value, grade.kind.value)
        by_discipline.setdefault(grade.discipline, []).append(label)
    lines = [format_html(_("Grades:"))]
    lines += [
        format_html("• {}: {}", oneline(name), ", ".join(values))
        for name, values in by_discipline.items()
    ]
    return lines


def _week_marks(marks: Sequence[WeekMark]) -> list[Markup]:
    if not marks:
        return [format_html(_("No absences or lateness this week."))]
    lines = [format_html(_("Absences and lateness:"))]
    for mark in marks:
        label = _mark(mark.mark.value)
        if mark.reason is not None:
            label = _("{mark} ({reason})").format(mark=label, reason=_reason(mark.reason))
        lines.append(
            format_html(
                _("• {date}, {discipline}, pair {pair}: {mark}"),
                date=day_label(mark.day),
                discipline=oneline(mark.discipline),
                pair=mark.pair_no,
                mark=label,
            )
        )
    return lines


def settings_text(cfg: Notifications, *, as_parent: bool) -> Markup:
    """The notification settings screen above its buttons."""
    who = (
        _("Grades and attendance of your children come here as they are entered in the journal.")
        if as_parent
        else _("You can get your grades and attendance here as they are entered in the journal.")
    )
    return join(
        [
            format_html(_("🔔 <b>Notifications</b>")),
            who,
            format_html(
                _("Tap a line to change it: immediately, in the daily digest at {hour}, or off."),
                hour=fmt_time(cfg.digest_hour),
            ),
            format_html(
                _("The weekly summary, when it is on, comes every {weekday} at {hour}."),
                weekday=fmt_date(MONDAY + timedelta(days=cfg.weekly_weekday), "EEEE"),
                hour=fmt_time(cfg.digest_hour),
            ),
            format_html(
                _("Between {start} and {end} messages wait until morning."),
                start=fmt_time(cfg.quiet_from),
                end=fmt_time(cfg.quiet_to),
            ),
        ]
    )
