"""The texts of movement orders: the steps of entering one, the preview of what it will
change, the confirmation, and a student's card with their movement history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from core.i18n import _, fmt_date, ngettext
from screens.markup import Markup, bold, format_html, join, oneline
from screens.vocabulary import order_kind, student_status
from services.orders.card import StudentCard
from services.orders.draft import Change, Checked
from storage.models import MovementOrder, OrderKind, StudentStatus
from storage.orders import FoundStudent


def _title(kind: OrderKind | None = None) -> Markup:
    if kind is None:
        return bold(_("📜 Movement order"))
    return format_html("<b>{}</b> · {}", _("📜 Movement order"), order_kind(kind))


def _day(day: date) -> str:
    return fmt_date(day, "d MMMM y")


def kinds_text() -> str:
    return join([_title(), _("What is the order about?")])


def search_prompt(kind: OrderKind | None) -> str:
    return join(
        [
            _title(kind) if kind else bold(_("🔎 Student card")),
            _("Send the first letters of the student's surname (three are usually enough)."),
        ]
    )


def found_text(kind: OrderKind | None, found: Sequence[FoundStudent], letters: str) -> str:
    head = _title(kind) if kind else bold(_("🔎 Student card"))
    if not found:
        return join(
            [
                head,
                format_html(_("No student's surname starts with “{letters}”."), letters=letters),
                _("Send other letters, or /cancel."),
            ]
        )
    return join([head, _("Choose the student, or send other letters.")])


def found_label(student: FoundStudent) -> str:
    group = f" · {student.group_name}" if student.group_name else ""
    left = "" if student.status == StudentStatus.STUDYING else " †"
    return f"{student.full_name}{group}{left}"


def name_prompt() -> str:
    return join(
        [
            _title(OrderKind.ENROLMENT),
            _("Send the new student's surname, name and patronymic: Иванова Анна Сергеевна"),
        ]
    )


def groups_prompt(kind: OrderKind, who: str) -> str:
    question = {
        OrderKind.ENROLMENT: _("Which group is {who} enrolled in?"),
        OrderKind.TRANSFER: _("Which group does {who} move to?"),
    }.get(kind, _("Which group is the order about?"))
    return join([_title(kind), format_html(question, who=oneline(who))])


def subgroups_prompt(group: str) -> str:
    return join(
        [
            _title(OrderKind.TRANSFER),
            format_html(_("Group {group}: a subgroup, if the order names one."), group=group),
        ]
    )


def note_prompt(who: str) -> str:
    return join(
        [
            _title(OrderKind.EXPULSION),
            format_html(
                _("Send the reason for expelling {who}, as the order states it."),
                who=oneline(who),
            ),
        ]
    )


def details_prompt(kind: OrderKind, who: str) -> str:
    return join(
        [
            _title(kind),
            format_html("{}", oneline(who)),
            "",
            _(
                "Send the order's number and date, and the date it takes effect if it "
                "differs: 45-к 01.12.2026 03.12.2026"
            ),
        ]
    )


def _change_line(change: Change, kind: OrderKind) -> Markup:
    if kind is OrderKind.ENROLMENT:
        return format_html(_("• {name}: enrolled in {to}"), name=change.name, to=change.to_group)
    if change.to_group:
        line = format_html(
            _("• {name}: {source} → {to}"),
            name=change.name,
            source=change.from_group or "—",
            to=change.to_group,
        )
    else:
        line = format_html(
            _("• {name} ({group}): {status}"),
            name=change.name,
            group=change.from_group or "—",
            status=student_status(change.status),
        )
    return line


def preview_text(checked: Checked) -> str:
    draft = checked.draft
    assert draft.decided_on is not None and draft.effective_on is not None
    lines: list[str] = [
        _title(draft.kind),
        format_html(
            _("Order No. {number} of {decided}, in effect from {effective}."),
            number=draft.number,
            decided=_day(draft.decided_on),
            effective=_day(draft.effective_on),
        ),
    ]
    if draft.note:
        lines.append(format_html(_("Reason: {note}"), note=draft.note))
    if checked.group_name:
        lines.append(format_html(_("Group: {group}"), group=checked.group_name))
    if checked.course_after is not None:
        lines.append(
            format_html(_("The group moves to course {course}."), course=checked.course_after)
        )
    lines += ["", bold(_("What will change:"))]
    lines += [_change_line(c, draft.kind) for c in checked.changes]
    if any(c.access_ends for c in checked.changes):
        lines += [
            "",
            _(
                "From the effective date they are on no register and in no invite list, "
                "their and their parents' access to the diary ends and their unused invite "
                "links are revoked. Past lessons and grades stay as they are."
            ),
        ]
    elif draft.kind in (OrderKind.TRANSFER, OrderKind.REINSTATEMENT, OrderKind.ENROLMENT):
        lines += ["", _("From the effective date they are on the new group's registers.")]
    elif draft.kind is OrderKind.ACADEMIC_LEAVE:
        lines += ["", _("From the effective date they are on no register until they return.")]
    lines += ["", _("Is everything right?")]
    return join(lines)


def entered_text(checked: Checked, applied: bool) -> str:
    draft = checked.draft
    assert draft.effective_on is not None
    count = len(checked.changes)
    head = ngettext(
        "✅ Order No. {number} is entered: {n} student.",
        "✅ Order No. {number} is entered: {n} students.",
        count,
    )
    when = (
        _("It is in effect now.")
        if applied
        else format_html(_("It takes effect by itself on {day}."), day=_day(draft.effective_on))
    )
    return join([format_html(head, number=draft.number, n=count), when])


def cancelled_text() -> str:
    return _("The order is not entered.")


def card_text(card: StudentCard) -> str:
    lines: list[str] = [
        format_html("<b>{}</b>", card.full_name),
        format_html(
            _("Group: {group} · {status}"),
            group=card.group_name or "—",
            status=student_status(card.status),
        ),
        "",
        bold(_("Movement history")),
    ]
    if not card.history:
        lines.append(_("No orders yet."))
    for row in card.history:
        where = " → ".join(n for n in (row.from_group, row.to_group) if n)
        line = format_html(
            _("{effective}: {kind}, order No. {number} of {decided}"),
            effective=fmt_date(row.effective_on, "dd.MM.y"),
            kind=order_kind(row.kind),
            number=row.number,
            decided=fmt_date(row.decided_on, "dd.MM.y"),
        )
        if where:
            line = format_html("{} ({})", line, where)
        if row.note:
            line = format_html("{} — {}", line, row.note)
        if row.annulled:
            line = format_html("<s>{}</s> {}", line, _("(annulled)"))
        lines.append(line)
    return join(lines)


def annul_prompt(order: MovementOrder) -> str:
    return join(
        [
            format_html(
                _("<b>Annul order No. {number} of {decided}?</b>"),
                number=order.number,
                decided=fmt_date(order.decided_on, "dd.MM.y"),
            ),
            format_html(
                _(
                    "{kind} from {effective}: what it was to change from that date is undone. "
                    "The order stays on file, marked annulled, and its number stays taken."
                ),
                kind=order_kind(order.kind),
                effective=fmt_date(order.effective_on, "dd.MM.y"),
            ),
        ]
    )


def annulled_text(order: MovementOrder) -> str:
    return format_html(_("Order No. {number} is annulled."), number=order.number)
