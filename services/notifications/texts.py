"""The texts of notifications and digests, in the current locale (wrap calls in
``use_locale``). Parents see the child's first name only (§1.3); everything from the store or
typed by people is escaped, so it reads as text and never as markup."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from core.i18n import _, fmt_date
from services.notifications.facts import Fact
from services.notifications.prefs import ATTENDANCE, GRADES
from storage.models import AbsenceReason, GradeKind, Mark
from storage.notify import WeekGrade, WeekMark

_FIRST_LETTER = re.compile(r"^((?:<[^>]*>)*)(.)", re.S)
ICONS = {"grade+": "📘", "grade~": "✏️", "grade-": "🗑", "absent": "🚫", "late": "⏰"}


def esc(text: str) -> str:
    return html.escape(" ".join(text.split()))


def day_label(day: date) -> str:
    return fmt_date(day, "d MMMM")


def grade_label(value: str | None, kind: str | None = None) -> str:
    label = {"pass": _("pass"), "fail": _("fail")}.get(value or "", esc(value or ""))
    kinds = {
        GradeKind.TEST.value: _("test"),
        GradeKind.PRACTICAL.value: _("practical"),
        GradeKind.LAB.value: _("lab"),
        GradeKind.ORAL.value: _("oral"),
        GradeKind.EXAM.value: _("exam"),
    }
    return f"{label} ({kinds[kind]})" if kind in kinds else label


def mark_label(mark: str | None) -> str:
    return {Mark.ABSENT.value: _("absent"), Mark.LATE.value: _("late")}.get(
        mark or "", _("present")
    )


def reason_label(reason: str | None) -> str:
    return {
        AbsenceReason.ILLNESS.value: _("illness"),
        AbsenceReason.EXCUSED.value: _("excused"),
        AbsenceReason.UNEXCUSED.value: _("unexcused"),
    }.get(reason or "", esc(reason or ""))


def _icon(fact: Fact) -> str:
    if fact.kind == GRADES:
        return ICONS["grade+" if fact.was is None else "grade-" if fact.now is None else "grade~"]
    if fact.kind == ATTENDANCE:
        return ICONS.get(fact.now or "", "✅")
    return "📝"


def what(fact: Fact) -> str:
    """What happened, as a phrase that follows a name: "new grade <b>5</b>"."""
    if fact.kind == GRADES:
        grade = f"<b>{grade_label(fact.now, fact.grade_kind)}</b>"
        if fact.was is None:
            return _("new grade {grade}").format(grade=grade)
        if fact.now is None:
            return _("grade {old} removed").format(old=grade_label(fact.was, fact.grade_kind))
        return _("grade changed from {old} to {grade}").format(
            old=grade_label(fact.was), grade=grade
        )
    if fact.kind == ATTENDANCE:
        if fact.now is None:
            return _("present after all (the register was corrected)")
        mark = f"<b>{mark_label(fact.now)}</b>"
        if fact.was is None:
            return mark
        return _("{mark} (corrected; earlier: {old})").format(mark=mark, old=mark_label(fact.was))
    if fact.now is None:
        return _("reason of the absence removed")
    reason = f"<b>{reason_label(fact.now)}</b>"
    if fact.was is None:
        return _("reason of the absence recorded: {reason}").format(reason=reason)
    return _("reason of the absence changed to {reason}").format(reason=reason)


def _lesson(fact: Fact) -> str:
    discipline = esc(fact.discipline)
    day = day_label(fact.lesson_date) if fact.lesson_date else "?"
    if fact.pair_no:
        return _("{discipline}, lesson of {date}, pair {pair}").format(
            discipline=discipline, date=day, pair=fact.pair_no
        )
    return _("{discipline}, lesson of {date}").format(discipline=discipline, date=day)


def _capital(text: str) -> str:
    """The first letter upper case, tags before it left alone."""
    return _FIRST_LETTER.sub(lambda m: m.group(1) + m.group(2).upper(), text, count=1)


def notice(fact: Fact, child: str | None) -> str:
    """The message about one fact: to a parent (``child`` = the first name) or to the student
    themself (``child`` None)."""
    phrase = what(fact)
    head = (
        _("{name}: {what}").format(name=esc(child), what=phrase)
        if child is not None
        else _capital(phrase)
    )
    lines = [f"{_icon(fact)} {head}", _lesson(fact)]
    if fact.comment and fact.now is not None:
        lines.append(_("Comment: {comment}").format(comment=esc(fact.comment)))
    return "\n".join(lines)


def digest_line(fact: Fact) -> str:
    day = day_label(fact.lesson_date) if fact.lesson_date else "?"
    return f"{_icon(fact)} {esc(fact.discipline)}, {day}: {what(fact)}"


@dataclass(frozen=True)
class Section:
    """One student's part of a digest; ``name`` None when the student reads it themself."""

    name: str | None
    facts: Sequence[Fact] = ()
    grades: Sequence[WeekGrade] = ()
    marks: Sequence[WeekMark] = ()


def daily_digest(day: date, sections: Sequence[Section]) -> str:
    parts = [_("🗓 <b>Journal summary for {date}</b>").format(date=day_label(day))]
    for section in sections:
        lines = [f"<b>{esc(section.name)}</b>"] if section.name is not None else []
        lines += [digest_line(fact) for fact in section.facts]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def weekly_digest(first: date, last: date, sections: Sequence[Section]) -> str:
    parts = [
        _("📊 <b>Week from {first} to {last}</b>").format(
            first=day_label(first), last=day_label(last)
        )
    ]
    for section in sections:
        lines = [f"<b>{esc(section.name)}</b>"] if section.name is not None else []
        lines += _week_grades(section.grades) + _week_marks(section.marks)
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _week_grades(grades: Sequence[WeekGrade]) -> list[str]:
    if not grades:
        return [_("No grades this week.")]
    by_discipline: dict[str, list[str]] = {}
    for grade in grades:
        label = grade_label(grade.value, grade.kind.value)
        by_discipline.setdefault(grade.discipline, []).append(label)
    lines = [_("Grades:")]
    lines += [f"• {esc(name)}: {', '.join(values)}" for name, values in by_discipline.items()]
    return lines


def _week_marks(marks: Sequence[WeekMark]) -> list[str]:
    if not marks:
        return [_("No absences or lateness this week.")]
    lines = [_("Absences and lateness:")]
    for mark in marks:
        label = mark_label(mark.mark.value)
        if mark.reason is not None:
            label = _("{mark} ({reason})").format(mark=label, reason=reason_label(mark.reason))
        lines.append(
            _("• {date}, {discipline}, pair {pair}: {mark}").format(
                date=day_label(mark.day),
                discipline=esc(mark.discipline),
                pair=mark.pair_no,
                mark=label,
            )
        )
    return lines
