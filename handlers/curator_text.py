"""Texts of the curator's screens: unexplained absences, the reason choice, invite links."""

from __future__ import annotations

import html
from collections.abc import Sequence

from core.i18n import _, fmt_date, ngettext
from keyboards.curator import DAYS_MAX, STUDENTS_MAX, reason_word
from services.absences.dates import DateRange
from services.absences.unexplained import DayAbsences, ReasonResult, StudentAbsences
from services.people.invite_sheet import InviteRow
from storage.absences import AbsenceRow, StudentInfo
from storage.models import Group

TEXT_DAYS_MAX = 31


def _esc(value: str) -> str:
    return html.escape(value, quote=False)


def lessons_count(count: int) -> str:
    return ngettext("{count} lesson", "{count} lessons", count).format(count=count)


def _lesson(row: AbsenceRow) -> str:
    return f"{row.pair_no}. {_esc(row.discipline)}"


def _groups(groups: Sequence[Group]) -> str:
    return ", ".join(_esc(g.name) for g in groups)


def overview_text(
    groups: Sequence[Group], students: Sequence[StudentAbsences], waiting: int
) -> str:
    lines = [_("<b>Unexplained absences</b> · {groups}").format(groups=_groups(groups))]
    if not groups:
        lines.append(_("You are not a curator of any group now."))
        return "\n".join(lines)
    if not students:
        lines.append(_("Every absence in your groups has a reason. 👍"))
    for s in students[:STUDENTS_MAX]:
        days = s.days
        span = DateRange(days[0], days[-1]).short()
        lines.append(
            _("{name}: {lessons}, {span}").format(
                name=_esc(s.name), lessons=lessons_count(len(s.absences)), span=span
            )
        )
    if len(students) > STUDENTS_MAX:
        lines.append(_("…and {count} more students.").format(count=len(students) - STUDENTS_MAX))
    if students:
        lines.append("")
        lines.append(_("Choose a student to set the reasons."))
    if waiting:
        lines.append(
            ngettext(
                "📄 {count} certificate is waiting for your decision.",
                "📄 {count} certificates are waiting for your decision.",
                waiting,
            ).format(count=waiting)
        )
    return "\n".join(lines)


def days_text(days: Sequence[DayAbsences]) -> str:
    lines = [_("<b>Unexplained absences by day</b>")]
    if not days:
        lines.append(_("Every absence in your groups has a reason. 👍"))
    for d in days[:DAYS_MAX]:
        names = ", ".join(f"{_esc(s.name)} ({len(s.absences)})" for s in d.students)
        lines.append(f"<b>{fmt_date(d.day)}</b>: {names}")
    if len(days) > DAYS_MAX:
        lines.append(_("…and {count} earlier days.").format(count=len(days) - DAYS_MAX))
    return "\n".join(lines)


def day_text(day: DayAbsences) -> str:
    lines = [_("<b>Unexplained absences, {day}</b>").format(day=fmt_date(day.day))]
    if not day.students:
        lines.append(_("Nothing is left unexplained on this day."))
    for s in day.students:
        lessons = "; ".join(_lesson(row) for row in s.absences)
        lines.append(f"{_esc(s.name)}: {lessons}")
    if day.students:
        lines.append("")
        lines.append(_("Choose a student to set the reason for the whole day."))
    return "\n".join(lines)


def student_text(student: StudentInfo, absences: StudentAbsences) -> str:
    lines = [f"<b>{_esc(student.short_name)}</b> · {_esc(student.group_name)}"]
    days = absences.days
    if not days:
        lines.append(_("No unexplained absences."))
        lines.append(_("For a certificate that covers several days, choose “Several days”."))
        return "\n".join(lines)
    lines.append(_("Unexplained absences:"))
    for day in days[-TEXT_DAYS_MAX:]:
        lessons = "; ".join(_lesson(row) for row in absences.on(day))
        lines.append(f"• {fmt_date(day)}: {lessons}")
    if len(days) > TEXT_DAYS_MAX:
        lines.append(_("…and {count} earlier days.").format(count=len(days) - TEXT_DAYS_MAX))
    lines.append("")
    lines.append(_("Set a reason for one lesson, a whole day, or several days."))
    return "\n".join(lines)


def scope_label(rows: Sequence[AbsenceRow], lesson_id: int, dates: DateRange | None) -> str:
    if lesson_id:
        row = next((r for r in rows if r.lesson_id == lesson_id), None)
        if row is None:
            return _("one lesson")
        return _("{day}, lesson {lesson}").format(day=fmt_date(row.day), lesson=_lesson(row))
    if dates is not None and dates.first == dates.last:
        return _("{day}, the whole day").format(day=fmt_date(dates.first))
    return dates.label() if dates is not None else ""


def ask_text(student: StudentInfo, rows: Sequence[AbsenceRow], what: str) -> str:
    lines = [
        _("<b>Reason of the absence</b>"),
        _("Student: {name} ({group})").format(
            name=_esc(student.short_name), group=_esc(student.group_name)
        ),
        _("For: {what}").format(what=what),
    ]
    if not rows:
        lines.append(_("There are no unexplained absences here."))
        return "\n".join(lines)
    lines.append(
        _("Unexplained: {lessons} on {days}.").format(
            lessons=lessons_count(len(rows)),
            days=ngettext("{count} day", "{count} days", len({r.day for r in rows})).format(
                count=len({r.day for r in rows})
            ),
        )
    )
    lines.append(_("Choose the reason:"))
    return "\n".join(lines)


def reason_set(result: ReasonResult) -> str:
    return _("Reason “{reason}” set for {lessons}.").format(
        reason=reason_word(result.reason), lessons=lessons_count(result.count)
    )


def nothing_set() -> str:
    return _("Nothing changed: these absences already have a reason.")


def range_prompt(student: StudentInfo) -> str:
    return _(
        "Type the dates of the certificate for {name}, for example 24.11–26.11, or one day: "
        "24.11. Send /cancel to stop."
    ).format(name=_esc(student.short_name))


def paper_dates_prompt(student: StudentInfo) -> str:
    return _(
        "<b>Paper certificate</b> for {name}. Type the dates it covers, for example "
        "24.11–26.11, or one day: 24.11. Send /cancel to stop."
    ).format(name=_esc(student.short_name))


def paper_received_prompt(dates: str) -> str:
    return _(
        "Certificate for {dates}. When was it brought to you? Press “Today” or type the date, "
        "for example 26.11."
    ).format(dates=dates)


def paper_recorded(deadline: str) -> str:
    return _(
        "Recorded. Please decide on it by {date}: the reasons are set when you approve it."
    ).format(date=deadline)


# --- invite links ----------------------------------------------------------------------


def invite_choose_group() -> str:
    return _("<b>Invite links</b>\nWhich group?")


def invite_confirm(group: Group) -> str:
    return _(
        "<b>Invite links: {group}</b>\nIssue new links for the students and parents of "
        "{group}? Old unused links will stop working. Links already used stay linked."
    ).format(group=_esc(group.name))


def invite_none(group: Group) -> str:
    return _("There are no students or parents in {group} to issue links for.").format(
        group=_esc(group.name)
    )


def invite_done(group: Group, rows: Sequence[InviteRow]) -> str:
    return ngettext(
        "✅ Issued {count} new link for {group}. The list and a file to print follow.",
        "✅ Issued {count} new links for {group}. The list and a file to print follow.",
        len(rows),
    ).format(count=len(rows), group=_esc(group.name))


def invite_list(group: Group, rows: Sequence[InviteRow]) -> str:
    """Every person with their link; each link works once, for that person only."""
    lines = [
        _("<b>Invite links: {group}</b>").format(group=_esc(group.name)),
        _("Each link works once and only for the person named. Hand them out privately."),
    ]
    for row in rows:
        lines.append("")
        lines.append(f"<b>{_esc(row.full_name)}</b> · {_esc(row.roles)}")
        lines.append(_esc(row.link))
    return "\n".join(lines)


def invite_file_caption(group: Group, rows: Sequence[InviteRow]) -> str:
    expires = rows[0].expires if rows else ""
    return _("Invite links of {group} to print. Valid until {date}.").format(
        group=_esc(group.name), date=expires
    )
