"""Texts of the curator's screens: unexplained absences, the reason choice, invite links."""

from __future__ import annotations

from collections.abc import Sequence

from core.i18n import _, fmt_date, ngettext
from screens.invite_sheet import roles_text
from screens.markup import Markup, bold, format_html, join
from screens.vocabulary import reason_word
from services.absences.dates import DateRange
from services.absences.unexplained import DayAbsences, ReasonResult, StudentAbsences
from services.people.invite_sheet import InviteRow
from storage.absences import AbsenceRow, StudentInfo
from storage.models import Group

STUDENTS_MAX = 40  # the screen lists as many as get buttons; Telegram takes 100 buttons
DAYS_MAX = 14
TEXT_DAYS_MAX = 31


def lessons_count(count: int) -> str:
    return ngettext("{count} lesson", "{count} lessons", count).format(count=count)


def _lesson(row: AbsenceRow) -> Markup:
    return format_html("{}. {}", row.pair_no, row.discipline)


def _groups(groups: Sequence[Group]) -> Markup:
    return join((g.name for g in groups), ", ")


def overview_text(
    groups: Sequence[Group], students: Sequence[StudentAbsences], waiting: int
) -> str:
    lines: list[str] = [
        format_html(_("<b>Unexplained absences</b> · {groups}"), groups=_groups(groups))
    ]
    if not groups:
        lines.append(_("You are not a curator of any group now."))
        return join(lines)
    if not students:
        lines.append(_("Every absence in your groups has a reason. 👍"))
    for s in students[:STUDENTS_MAX]:
        days = s.days
        span = DateRange(days[0], days[-1]).short()
        lines.append(
            format_html(
                _("{name}: {lessons}, {span}"),
                name=s.name,
                lessons=lessons_count(len(s.absences)),
                span=span,
            )
        )
    if len(students) > STUDENTS_MAX:
        lines.append(
            format_html(_("…and {count} more students."), count=len(students) - STUDENTS_MAX)
        )
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
    return join(lines)


def days_text(days: Sequence[DayAbsences]) -> str:
    lines: list[str] = [format_html(_("<b>Unexplained absences by day</b>"))]
    if not days:
        lines.append(_("Every absence in your groups has a reason. 👍"))
    for d in days[:DAYS_MAX]:
        names = join((format_html("{} ({})", s.name, len(s.absences)) for s in d.students), ", ")
        lines.append(format_html("{}: {}", bold(fmt_date(d.day)), names))
    if len(days) > DAYS_MAX:
        lines.append(format_html(_("…and {count} earlier days."), count=len(days) - DAYS_MAX))
    return join(lines)


def day_text(day: DayAbsences) -> str:
    lines: list[str] = [format_html(_("<b>Unexplained absences, {day}</b>"), day=fmt_date(day.day))]
    if not day.students:
        lines.append(_("Nothing is left unexplained on this day."))
    for s in day.students:
        lessons = join((_lesson(row) for row in s.absences), "; ")
        lines.append(format_html("{}: {}", s.name, lessons))
    if day.students:
        lines.append("")
        lines.append(_("Choose a student to set the reason for the whole day."))
    return join(lines)


def student_text(student: StudentInfo, absences: StudentAbsences) -> str:
    lines: list[str] = [format_html("{} · {}", bold(student.short_name), student.group_name)]
    days = absences.days
    if not days:
        lines.append(_("No unexplained absences."))
        lines.append(_("For a certificate that covers several days, choose “Several days”."))
        return join(lines)
    lines.append(_("Unexplained absences:"))
    for day in days[-TEXT_DAYS_MAX:]:
        lessons = join((_lesson(row) for row in absences.on(day)), "; ")
        lines.append(format_html("• {}: {}", fmt_date(day), lessons))
    if len(days) > TEXT_DAYS_MAX:
        lines.append(format_html(_("…and {count} earlier days."), count=len(days) - TEXT_DAYS_MAX))
    lines.append("")
    lines.append(_("Set a reason for one lesson, a whole day, or several days."))
    return join(lines)


def scope_label(rows: Sequence[AbsenceRow], lesson_id: int, dates: DateRange | None) -> str:
    if lesson_id:
        row = next((r for r in rows if r.lesson_id == lesson_id), None)
        if row is None:
            return _("one lesson")
        return format_html(_("{day}, lesson {lesson}"), day=fmt_date(row.day), lesson=_lesson(row))
    if dates is not None and dates.first == dates.last:
        return format_html(_("{day}, the whole day"), day=fmt_date(dates.first))
    return dates.label() if dates is not None else ""


def ask_text(student: StudentInfo, rows: Sequence[AbsenceRow], what: str) -> str:
    lines: list[str] = [
        format_html(_("<b>Reason of the absence</b>")),
        format_html(
            _("Student: {name} ({group})"), name=student.short_name, group=student.group_name
        ),
        format_html(_("For: {what}"), what=what),
    ]
    if not rows:
        lines.append(_("There are no unexplained absences here."))
        return join(lines)
    lines.append(
        format_html(
            _("Unexplained: {lessons} on {days}."),
            lessons=lessons_count(len(rows)),
            days=ngettext("{count} day", "{count} days", len({r.day for r in rows})).format(
                count=len({r.day for r in rows})
            ),
        )
    )
    lines.append(_("Choose the reason:"))
    return join(lines)


def reason_set(result: ReasonResult) -> str:
    return format_html(
        _("Reason “{reason}” set for {lessons}."),
        reason=reason_word(result.reason),
        lessons=lessons_count(result.count),
    )


def nothing_set() -> str:
    return _("Nothing changed: these absences already have a reason.")


def range_prompt(student: StudentInfo) -> str:
    return format_html(
        _(
            "Type the dates of the certificate for {name}, for example 24.11–26.11, or one day: "
            "24.11. Send /cancel to stop."
        ),
        name=student.short_name,
    )


def paper_dates_prompt(student: StudentInfo) -> Markup:
    return format_html(
        _(
            "<b>Paper certificate</b> for {name}. Type the dates it covers, for example "
            "24.11–26.11, or one day: 24.11. Send /cancel to stop."
        ),
        name=student.short_name,
    )


def paper_received_prompt(dates: str) -> Markup:
    return format_html(
        _(
            "Certificate for {dates}. When was it brought to you? Press “Today” or type the "
            "date, for example 26.11."
        ),
        dates=dates,
    )


def paper_recorded(deadline: str) -> Markup:
    return format_html(
        _("Recorded. Please decide on it by {date}: the reasons are set when you approve it."),
        date=deadline,
    )


# --- invite links ----------------------------------------------------------------------


def invite_choose_group() -> str:
    return format_html(_("<b>Invite links</b>\nWhich group?"))


def invite_confirm(group: Group) -> str:
    return format_html(
        _(
            "<b>Invite links: {group}</b>\nIssue new links for the students and parents of "
            "{group} who are not linked yet? Old unused links will stop working. People "
            "already linked and staff members get no link here: the administrator issues "
            "theirs."
        ),
        group=group.name,
    )


def invite_none(group: Group) -> str:
    return format_html(
        _("Everyone of {group} who may get a link from you is already linked."),
        group=group.name,
    )


def invite_done(group: Group, rows: Sequence[InviteRow]) -> str:
    return format_html(
        ngettext(
            "✅ Issued {count} new link for {group}. The list and a file to print follow.",
            "✅ Issued {count} new links for {group}. The list and a file to print follow.",
            len(rows),
        ),
        count=len(rows),
        group=group.name,
    )


def invite_list(group: Group, rows: Sequence[InviteRow]) -> str:
    """Every person with their link; each link works once, for that person only."""
    lines: list[str] = [
        format_html(_("<b>Invite links: {group}</b>"), group=group.name),
        _("Each link works once and only for the person named. Hand them out privately."),
    ]
    for row in rows:
        lines.append("")
        lines.append(format_html("{} · {}", bold(row.full_name), roles_text(row)))
        lines.append(row.link)
        if row.other_link:  # the same code, the other messenger
            lines.append(row.other_link)
    return join(lines)


def invite_file_caption(group: Group, rows: Sequence[InviteRow]) -> str:
    expires = rows[0].expires if rows else ""
    return format_html(
        _("Invite links of {group} to print. Valid until {date}."), group=group.name, date=expires
    )
