"""The text of a deadline digest, in the current locale (wrap calls in ``use_locale``).

A digest stays well under Telegram's 4096 characters: each list shows its first lines and
"… and N more"; when the whole is still too long, every list is cut shorter. Names, groups,
disciplines and order numbers come from the store and are escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from core.i18n import _, fmt_date, ngettext
from core.textsplit import visible_length
from services.notifications.texts import esc
from services.people.identity import role_name
from services.reminders.deadlines import R4_DAYS, R5_DAYS, R6_DAYS, Due
from services.reminders.items import (
    AbsenceItem,
    CurriculumNote,
    Digest,
    DocumentItem,
    JustificationItem,
    LateOrder,
    LessonItem,
    NewcomerItem,
    Rule,
    Section,
    SheetItem,
    TeacherLoad,
    Weekly,
)
from storage.models import DocumentKind, OrderKind, Role

LIMIT = 3800  # visible characters; Telegram takes 4096
MAX_LINES = 12  # lines of one list before "… and N more"
ORDER = list(Rule)


def day_label(day: date) -> str:
    return fmt_date(day, "d MMMM")


def due_phrase(due: Due, deadline: date) -> str:
    if due is Due.TODAY:
        return _("due today")
    if due is Due.SOON:
        return _("due {date}").format(date=day_label(deadline))
    return _("overdue, was due {date}").format(date=day_label(deadline))


def digest_text(digest: Digest) -> str:
    sections = sorted(digest.sections, key=lambda s: ORDER.index(s.rule))
    cap = MAX_LINES
    while True:
        text = _render(digest.day, sections, cap)
        if _fits(text) or cap == 1:
            return text
        cap = max(1, cap // 2)


def _fits(text: str) -> bool:
    # Tags and entities only shorten what Telegram counts: most digests fit by the raw length,
    # and the exact count (slow on long texts) is only needed near the limit.
    if len(text.encode("utf-16-le")) // 2 <= LIMIT:
        return True
    return visible_length(text) <= LIMIT


def _render(day: date, sections: Sequence[Section], cap: int) -> str:
    parts = [_("⏰ <b>Journal reminders, {date}</b>").format(date=day_label(day))]
    parts.extend("\n".join(_section(section, cap)) for section in sections)
    return "\n\n".join(parts)


def _capped(items: Sequence[Any], line: Callable[[Any], str], cap: int) -> list[str]:
    lines = [f"• {line(item)}" for item in items[:cap]]
    if len(items) > cap:
        rest = len(items) - cap
        lines.append(ngettext("… and {n} more", "… and {n} more", rest).format(n=rest))
    return lines


def _section(section: Section, cap: int) -> list[str]:
    rule, items = section.rule, section.items
    if rule is Rule.WEEKLY:
        weekly = items[0]
        assert isinstance(weekly, Weekly)
        return _weekly(weekly, cap)
    if rule is Rule.CURRICULUM:
        note = items[0]
        assert isinstance(note, CurriculumNote)
        return [_curriculum(note)]
    head, line = _HEADS[rule]
    return [f"<b>{head(section)}</b>", *_capped(items, line, cap)]


# --- lines ----------------------------------------------------------------------------------


def _lesson(item: LessonItem) -> str:
    return _("{day}, pair {pair} · {group} · {discipline}").format(
        day=fmt_date(item.day, "d MMM"),
        pair=item.pair_no,
        group=esc(item.group),
        discipline=esc(item.discipline),
    )


def _register(item: LessonItem) -> str:
    return f"{_lesson(item)} — {due_phrase(item.due, item.deadline)}"


def _sheet(item: SheetItem) -> str:
    return _("{group} · {discipline}: {filled} of {total} entered — {due}").format(
        group=esc(item.group),
        discipline=esc(item.discipline),
        filled=item.filled,
        total=item.total,
        due=due_phrase(item.due, item.deadline),
    )


def kind_name(kind: DocumentKind) -> str:
    return {
        DocumentKind.WORK_PROGRAMME: _("work programme"),
        DocumentKind.KTP: _("calendar-thematic plan (КТП)"),
    }[kind]


def _document(item: DocumentItem) -> str:
    return _("{group} · {discipline}: {missing}").format(
        group=esc(item.group),
        discipline=esc(item.discipline),
        missing=", ".join(kind_name(kind) for kind in item.missing),
    )


def _absence(item: AbsenceItem) -> str:
    lessons = ngettext("{n} lesson", "{n} lessons", item.lessons).format(n=item.lessons)
    days = fmt_date(item.first, "d MMM")
    if item.last != item.first:
        days = _("{first} – {last}").format(first=days, last=fmt_date(item.last, "d MMM"))
    return f"{esc(item.group)} · {esc(item.student)}: {lessons}, {days}"


def _justification(item: JustificationItem) -> str:
    days = fmt_date(item.date_from, "d MMM")
    if item.date_to != item.date_from:
        days = _("{first} – {last}").format(first=days, last=fmt_date(item.date_to, "d MMM"))
    return _("{student} ({group}), absent {days}: sent {sent} — {due}").format(
        student=esc(item.student),
        group=esc(item.group),
        days=days,
        sent=fmt_date(item.sent_on, "d MMM"),
        due=due_phrase(item.due, item.deadline),
    )


def _newcomer(item: NewcomerItem) -> str:
    if item.role is Role.PARENT:
        who = _("parent of {child}").format(child=esc(item.child))
    else:
        who = role_name(item.role).lower()
    if item.order_number:
        who += ", " + _("order No. {number}").format(number=esc(item.order_number))
    return f"{esc(item.name)} ({who}) — {due_phrase(item.due, item.deadline)}"


def _curriculum(note: CurriculumNote) -> str:
    text = _("No curriculum for the {year}/{next} intake is in the journal yet.").format(
        year=note.year, next=note.year + 1
    )
    return f"<b>{text}</b> " + _("It is {due}.").format(due=due_phrase(note.due, note.deadline))


def _load(load: TeacherLoad) -> str:
    counts = [
        (load.registers, ngettext("{n} register", "{n} registers", load.registers)),
        (load.topics, ngettext("{n} topic", "{n} topics", load.topics)),
        (load.distance, ngettext("{n} distance format", "{n} distance formats", load.distance)),
        (load.sheets, ngettext("{n} attestation sheet", "{n} attestation sheets", load.sheets)),
        (
            load.documents,
            ngettext(
                "{n} discipline without documents",
                "{n} disciplines without documents",
                load.documents,
            ),
        ),
    ]
    shown = ", ".join(text.format(n=n) for n, text in counts if n)
    return f"{esc(load.name)}: {shown}"


def order_kind(kind: str) -> str:
    return {
        OrderKind.ENROLMENT.value: _("enrolment"),
        OrderKind.TRANSFER.value: _("transfer"),
        OrderKind.EXPULSION.value: _("expulsion"),
        OrderKind.ACADEMIC_LEAVE.value: _("academic leave"),
        OrderKind.REINSTATEMENT.value: _("reinstatement"),
        OrderKind.GRADUATION.value: _("graduation"),
    }.get(kind, esc(kind))


def _late_order(order: LateOrder) -> str:
    return _("No. {number} ({kind}): decided {decided}, entered {entered}").format(
        number=esc(order.number),
        kind=order_kind(order.kind),
        decided=fmt_date(order.decided_on, "d MMM"),
        entered=fmt_date(order.entered_on, "d MMM"),
    )


def _weekly(weekly: Weekly, cap: int) -> list[str]:
    lines = [
        "<b>{}</b>".format(
            _("Overdue in the journal, {first} – {last}").format(
                first=day_label(weekly.first), last=day_label(weekly.last)
            )
        )
    ]
    if weekly.teachers:
        lines.append(_("By teacher:"))
        lines.extend(_capped(weekly.teachers, _load, cap))
    if weekly.late_orders:
        lines.append(
            _("Movement orders entered more than {days} working days after the decision:").format(
                days=R6_DAYS
            )
        )
        lines.extend(_capped(weekly.late_orders, _late_order, cap))
    if weekly.curriculum is not None:
        lines.append(_curriculum(weekly.curriculum))
    return lines


def _documents_head(section: Section) -> str:
    item = section.items[0]
    assert isinstance(item, DocumentItem)
    return _("Work programmes and КТП to upload ({due}):").format(
        due=due_phrase(item.due, item.deadline)
    )


_HEADS: dict[Rule, tuple[Callable[[Section], str], Callable[[Any], str]]] = {
    Rule.REGISTER: (
        lambda _s: _(
            "Registers to finish (attendance and grades are due the day after the lesson):"
        ),
        _register,
    ),
    Rule.TOPIC: (lambda _s: _("Past lessons without a topic:"), _lesson),
    Rule.TOPIC_TODAY: (
        lambda _s: _("Today's lessons without a topic (the topic is due on the lesson's day):"),
        _lesson,
    ),
    Rule.DISTANCE: (
        lambda _s: _(
            "Lessons that may lack their distance format (other lessons of the group were at "
            "a distance that day, or the format is incomplete):"
        ),
        _lesson,
    ),
    Rule.DISTANCE_TODAY: (
        lambda _s: _(
            "Today's lessons that may lack their distance format (other lessons of the group "
            "were at a distance, or the format is incomplete):"
        ),
        _lesson,
    ),
    Rule.ATTESTATION: (
        lambda _s: _("Attestation grades (due by the last day of the period):"),
        _sheet,
    ),
    Rule.DOCUMENTS: (_documents_head, _document),
    Rule.ABSENCES: (lambda _s: _("Absences without a reason in your groups:"), _absence),
    Rule.JUSTIFICATION: (
        lambda _s: _(
            "Absence documents waiting for your decision (due within {days} working days):"
        ).format(days=R4_DAYS),
        _justification,
    ),
    Rule.ACCOUNTS: (
        lambda _s: _(
            "People without an invite to the bot (due within {days} working days of the order):"
        ).format(days=R5_DAYS),
        _newcomer,
    ),
}
