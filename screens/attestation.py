"""The teacher's attestation screens: the tasks, a sheet with period averages, the keypad's
header. Names are escaped (screens/markup.py)."""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal

from core.i18n import _, current_locale, fmt_date, ngettext
from screens.markup import Markup, bold, format_html, join
from screens.vocabulary import form_label, grade_label
from services.journal.attestation import AttestationRow, AttestationSheet
from services.journal.teacher_day import AttestationTask


@dataclass(frozen=True)
class TaskProgress:
    """A task with how many period grades its sheet holds."""

    task: AttestationTask
    filled: int
    total: int


def average_text(row: AttestationRow) -> str:
    if row.average is None:
        return _("no grades")
    return ngettext(
        "average {average} ({n} grade)", "average {average} ({n} grades)", row.grades_count
    ).format(
        average=format_decimal(row.average, "0.##", locale=current_locale()),
        n=row.grades_count,
    )


def _group(name: str, subgroup: str | None) -> str:
    return name + (f" / {subgroup}" if subgroup else "")


def tasks_text(items: list[TaskProgress]) -> Markup:
    lines = [format_html(_("<b>Intermediate attestation</b>"))]
    if not items:
        lines.append(format_html(_("No period grades are due from you in the open periods.")))
        return join(lines)
    for item in items:
        task = item.task
        lines.append(
            format_html(
                _("{group} · {discipline} · {form}: {filled} of {total}, due {date}"),
                group=_group(task.group_name, task.subgroup_name),
                discipline=task.discipline_name,
                form=form_label(task.form),
                filled=item.filled,
                total=item.total,
                date=fmt_date(task.period.ends_on, "d MMMM"),
            )
        )
    lines.append(format_html(_("Choose a group and discipline to enter period grades.")))
    return join(lines)


def _sheet_head(sheet: AttestationSheet, subgroup: str | None) -> Markup:
    return format_html(
        _("<b>Attestation</b> · {discipline} · {group}\n{period} · {form} · due {date}"),
        discipline=sheet.discipline.name,
        group=_group(sheet.group.name, subgroup),
        period=sheet.period.name,
        form=form_label(sheet.form),
        date=fmt_date(sheet.period.ends_on, "d MMMM"),
    )


def sheet_text(sheet: AttestationSheet, subgroup: str | None) -> Markup:
    lines = [
        _sheet_head(sheet, subgroup),
        format_html(_("Filled: {filled} of {total}"), filled=sheet.filled, total=len(sheet.rows)),
        Markup(),
    ]
    for n, row in enumerate(sheet.rows, 1):
        value = grade_label(row.value) if row.value else "⬜"
        lines.append(format_html("{}. {} — {} → {}", n, row.name, average_text(row), value))
    if sheet.locked:
        lines.append(format_html("\n🔒 {}", sheet.locked))
    elif sheet.rows:
        lines.append(format_html("\n{}", _("Tap a student to enter the period grade.")))
    else:
        lines.append(format_html(_("Nobody studies in this group now.")))
    return join(lines)


def keypad_text(sheet: AttestationSheet, row: AttestationRow) -> Markup:
    lines = [
        format_html("{} · {}", bold(row.name), sheet.discipline.name),
        format_html("{} · {}", form_label(sheet.form), sheet.period.name),
        format_html(_("Current grades in the period: {average}"), average=average_text(row)),
        format_html(
            _("Period grade: {value}"),
            value=grade_label(row.value) if row.value else _("not entered"),
        ),
    ]
    if row.suggested:
        lines.append(format_html(_("⭐ suggested by the average: {value}"), value=row.suggested))
    lines.append(format_html(_("Press a value.")))
    return join(lines)
