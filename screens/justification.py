"""Texts of absence justifications: the sender's steps, the curator's notice, the outcome."""

from __future__ import annotations

from core.i18n import _, fmt_date, ngettext
from screens.curator import lessons_count
from screens.markup import format_html, join
from screens.vocabulary import reason_word
from services.absences.dates import DateRange
from services.absences.justifications import MAX_COMMENT, Decision, JustificationView
from storage.absences import StudentInfo
from storage.models import JustificationStatus


def _student(student: StudentInfo) -> str:
    return f"{student.short_name} ({student.group_name})"


def ask_dates(student: StudentInfo) -> str:
    return join(
        [
            format_html(_("<b>📄 Certificate for {student}</b>"), student=_student(student)),
            _(
                "Which days were missed? Choose below, or type the dates, for example "
                "24.11–26.11 (one day: 24.11)."
            ),
        ]
    )


def ask_comment(dates: DateRange) -> str:
    return join(
        [
            format_html(_("Dates: {dates}."), dates=dates.label()),
            format_html(
                _(
                    "Write a short comment for the curator (at most {limit} characters; no "
                    "diagnosis is needed), or skip it."
                ),
                limit=MAX_COMMENT,
            ),
        ]
    )


def ask_file() -> str:
    return _("Now send a photo of the certificate, or the document as a file.")


def need_text_comment() -> str:
    return _("Please write the comment as text, or press “Skip the comment”.")


def need_file() -> str:
    return _("Please send a photo or a file (PDF, for example), or press Cancel.")


def need_dates_first() -> str:
    return _("First choose the dates, then send the photo.")


def sent(view: JustificationView, curators_told: int) -> str:
    lines: list[str] = [
        format_html(_("✅ The certificate for {dates} has been sent."), dates=view.dates.label()),
    ]
    if curators_told:
        lines.append(_("The curator will review it; you will get a message with the decision."))
    else:
        lines.append(
            format_html(
                _(
                    "The curator of {group} does not use the bot yet, so please also hand the "
                    "certificate to them in person."
                ),
                group=view.student.group_name,
            )
        )
    return join(lines)


def cancelled() -> str:
    return _("The certificate was not sent.")


def curator_notice(view: JustificationView) -> str:
    """What the curator reads above the Approve / Reject buttons."""
    sender = (
        format_html(_("{name}, parent"), name=view.submitted_by_name)
        if view.by_parent
        else _("the student")
    )
    lines: list[str] = [
        format_html(_("<b>📄 Certificate for {student}</b>"), student=_student(view.student)),
        format_html(_("Dates: {dates}"), dates=view.dates.label()),
        format_html(
            _("Paper certificate, received {date}"), date=fmt_date(view.received_on, "d MMMM")
        )
        if view.received_on
        else format_html(_("Sent by: {sender}"), sender=sender),
    ]
    if view.comment:
        lines.append(format_html(_("Comment: {comment}"), comment=view.comment))
    if view.unexplained:
        lines.append(
            format_html(
                _("Unexplained absences in these dates: {lessons}."),
                lessons=lessons_count(view.unexplained),
            )
        )
    else:
        lines.append(_("No unexplained absences in these dates so far."))
    if view.file_kind == "photo":
        lines.append(_("The photo opens with the button below."))
    return join(lines)


def outcome_notice(decision: Decision) -> str:
    """What the sender hears once the curator has decided."""
    view = decision.view
    dates = view.dates.label()
    name = view.student.first_name
    if view.status is JustificationStatus.APPROVED and view.reason is not None:
        text = format_html(
            _("✅ The certificate for {name}, {dates}, was accepted: {reason}."),
            name=name,
            dates=dates,
            reason=reason_word(view.reason),
        )
        if decision.lessons:
            text += "\n" + format_html(
                _("Absences excused: {lessons}."), lessons=lessons_count(len(decision.lessons))
            )
        return text
    return join(
        [
            format_html(
                _("❌ The certificate for {name}, {dates}, was not accepted."),
                name=name,
                dates=dates,
            ),
            _("Please contact the curator."),
        ]
    )


def _outcome(view: JustificationView) -> str:
    if view.status is JustificationStatus.APPROVED and view.reason is not None:
        return format_html(_("approved ({reason})"), reason=reason_word(view.reason))
    return _("rejected")


def already_decided(view: JustificationView) -> str:
    return format_html(
        _("This certificate has already been decided by {name}: {outcome}."),
        name=view.decided_by_name or _("another curator"),
        outcome=_outcome(view),
    )


def decided_here(decision: Decision) -> str:
    view = decision.view
    head = format_html(
        _("Certificate for {student}, {dates}: {outcome}."),
        student=_student(view.student),
        dates=view.dates.label(),
        outcome=_outcome(view),
    )
    if view.status is not JustificationStatus.APPROVED:
        return head + "\n" + _("No reasons were set. The sender has been told.")
    count = len(decision.lessons)
    if count:
        return (
            head
            + "\n"
            + format_html(
                _("Reason set for {lessons}. The sender has been told."),
                lessons=lessons_count(count),
            )
        )
    return (
        head
        + "\n"
        + _(
            "There were no unexplained absences in these dates, so no reasons were set. "
            "The sender has been told."
        )
    )


def photo_caption(view: JustificationView) -> str:
    return format_html(
        _("Certificate for {student}, {dates}"),
        student=_student(view.student),
        dates=view.dates.label(),
    )


def waiting_header(count: int) -> str:
    return ngettext(
        "{count} certificate is waiting for your decision:",
        "{count} certificates are waiting for your decision:",
        count,
    ).format(count=count)
