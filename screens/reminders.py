"""The text of a deadline digest, in the current locale (wrap calls in ``use_locale``).

A digest stays well under Telegram's 4096 characters: each list shows its first lines and
"… and N more"; when the whole is still too long, every list is cut shorter. Names, groups,
disciplines and order numbers come from the store and are escaped (screens/markup.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from core.i18n import _, fmt_date, ngettext
from core.textsplit import visible_length
from screens.markup import Markup, bold, format_html, join, oneline
from screens.vocabulary import document_kind, role_name
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
from storage.models import OrderKind, Role

LIMIT = 3800  # visible characters; Telegram takes 4096
MAX_LINES = 12  # lines of one list before "… and N more"
ORDER = list(Rule)


def day_label(day: date) -> str:
    return fmt_date(day, "d MMMM")


def due_phrase(due: Due, deadline: date) -> str:
    if due is Due.TODAY:
        return _("due today")
    if due is Due.SOON:
        return format_html(_("due {date}"), date=day_label(deadline))
    return format_html(_("overdue, was due {date}"), date=day_label(deadline))


def digest_text(digest: Digest, title: Markup | None = None) -> str:
    """``title``: the heading instead of "Journal reminders" (a digest asked for)."""
    sections = sorted(digest.sections, key=lambda s: ORDER.index(s.rule))
    cap = MAX_LINES
    while True:
        text = _render(digest.day, sections, cap, title)
        if _fits(text) or cap == 1:
            return text
        cap = max(1, cap // 2)


def _fits(text: str) -> bool:
    # Tags and entities only shorten what Telegram counts: most digests fit by the raw length,
    # and the exact count (slow on long texts) is only needed near the limit.
    if len(text.encode("utf-16-le")) // 2 <= LIMIT:
        return True
    return visible_length(text) <= LIMIT


def _render(day: date, sections: Sequence[Section], cap: int, title: Markup | None) -> Markup:
    heading = format_html(_("⏰ <b>Journal reminders, {date}</b>"), date=day_label(day))
    parts = [title if title is not None else heading]
    parts.extend(join(_section(section, cap)) for section in sections)
    return join(parts, "\n\n")


def _capped(items: Sequence[Any], line: Callable[[Any], Markup], cap: int) -> list[str]:
    lines: list[str] = [format_html("• {}", line(item)) for item in items[:cap]]
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
    return [bold(head(section)), *_capped(items, line, cap)]


# --- lines ----------------------------------------------------------------------------------


def _lesson(item: LessonItem) -> Markup:
    return format_html(
        _("{day}, pair {pair} · {group} · {discipline}"),
        day=fmt_date(item.day, "d MMM"),
        pair=item.pair_no,
        group=oneline(item.group),
        discipline=oneline(item.discipline),
    )


def _register(item: LessonItem) -> Markup:
    return format_html("{} — {}", _lesson(item), due_phrase(item.due, item.deadline))


def _sheet(item: SheetItem) -> Markup:
    return format_html(
        _("{group} · {discipline}: {filled} of {total} entered — {due}"),
        group=oneline(item.group),
        discipline=oneline(item.discipline),
        filled=item.filled,
        total=item.total,
        due=due_phrase(item.due, item.deadline),
    )


def _document(item: DocumentItem) -> Markup:
    return format_html(
        _("{group} · {discipline}: {missing}"),
        group=oneline(item.group),
        discipline=oneline(item.discipline),
        missing=", ".join(document_kind(kind) for kind in item.missing),
    )


def _absence(item: AbsenceItem) -> Markup:
    lessons = ngettext("{n} lesson", "{n} lessons", item.lessons).format(n=item.lessons)
    days = fmt_date(item.first, "d MMM")
    if item.last != item.first:
        days = format_html(_("{first} – {last}"), first=days, last=fmt_date(item.last, "d MMM"))
    return format_html("{} · {}: {}, {}", oneline(item.group), oneline(item.student), lessons, days)


def _justification(item: JustificationItem) -> Markup:
    days = fmt_date(item.date_from, "d MMM")
    if item.date_to != item.date_from:
        days = format_html(_("{first} – {last}"), first=days, last=fmt_date(item.date_to, "d MMM"))
    return format_html(
        _("{student} ({group}), absent {days}: sent {sent} — {due}"),
        student=oneline(item.student),
        group=oneline(item.group),
        days=days,
        sent=fmt_date(item.sent_on, "d MMM"),
        due=due_phrase(item.due, item.deadline),
    )


def _newcomer(item: NewcomerItem) -> Markup:
    who: str
    if item.role is Role.PARENT:
        who = format_html(_("parent of {child}"), child=oneline(item.child))
    else:
        who = role_name(item.role).lower()
    if item.order_number:
        who += ", " + format_html(_("order No. {number}"), number=oneline(item.order_number))
    return format_html("{} ({}) — {}", oneline(item.name), who, due_phrase(item.due, item.deadline))


def _curriculum(note: CurriculumNote) -> Markup:
    text = format_html(
        _("No curriculum for the {year}/{next} intake is in the journal yet."),
        year=note.year,
        next=note.year + 1,
    )
    return format_html(
        "{} {}", bold(text), format_html(_("It is {due}."), due=due_phrase(note.due, note.deadline))
    )


def _load(load: TeacherLoad) -> Markup:
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
    return format_html("{}: {}", oneline(load.name), shown)


def order_kind(kind: str) -> str:
    return {
        OrderKind.ENROLMENT.value: _("enrolment"),
        OrderKind.TRANSFER.value: _("transfer"),
        OrderKind.EXPULSION.value: _("expulsion"),
        OrderKind.ACADEMIC_LEAVE.value: _("academic leave"),
        OrderKind.REINSTATEMENT.value: _("reinstatement"),
        OrderKind.GRADUATION.value: _("graduation"),
        OrderKind.NEXT_COURSE.value: _("next course"),
    }.get(kind, oneline(kind))


def _late_order(order: LateOrder) -> Markup:
    return format_html(
        _("No. {number} ({kind}): decided {decided}, entered {entered}"),
        number=oneline(order.number),
        kind=order_kind(order.kind),
        decided=fmt_date(order.decided_on, "d MMM"),
        entered=fmt_date(order.entered_on, "d MMM"),
    )


def _weekly(weekly: Weekly, cap: int) -> list[str]:
    lines: list[str] = [
        bold(
            format_html(
                _("Overdue in the journal, {first} – {last}"),
                first=day_label(weekly.first),
                last=day_label(weekly.last),
            )
        )
    ]
    if weekly.teachers:
        lines.append(_("By teacher:"))
        lines.extend(_capped(weekly.teachers, _load, cap))
    if weekly.late_orders:
        lines.append(
            format_html(
                _("Movement orders entered more than {days} working days after the decision:"),
                days=R6_DAYS,
            )
        )
        lines.extend(_capped(weekly.late_orders, _late_order, cap))
    if weekly.curriculum is not None:
        lines.append(_curriculum(weekly.curriculum))
    return lines


def _documents_head(section: Section) -> Markup:
    item = section.items[0]
    assert isinstance(item, DocumentItem)
    return format_html(
        _("Work programmes and КТП to upload ({due}):"), due=due_phrase(item.due, item.deadline)
    )


_HEADS: dict[Rule, tuple[Callable[[Section], Markup], Callable[[Any], Markup]]] = {
    Rule.REGISTER: (
        lambda _s: format_html(
            _("Registers to finish (attendance and grades are due the day after the lesson):")
        ),
        _register,
    ),
    Rule.TOPIC: (lambda _s: format_html(_("Past lessons without a topic:")), _lesson),
    Rule.TOPIC_TODAY: (
        lambda _s: format_html(
            _("Today's lessons without a topic (the topic is due on the lesson's day):")
        ),
        _lesson,
    ),
    Rule.DISTANCE: (
        lambda _s: format_html(
            _(
                "Lessons without their distance format (the group's distance day was declared, or "
                "the format is incomplete):"
            )
        ),
        _lesson,
    ),
    Rule.DISTANCE_TODAY: (
        lambda _s: format_html(
            _(
                "Today's lessons without their distance format (the group's distance day was "
                "declared, or the format is incomplete):"
            )
        ),
        _lesson,
    ),
    Rule.ATTESTATION: (
        lambda _s: format_html(_("Attestation grades (due by the last day of the period):")),
        _sheet,
    ),
    Rule.DOCUMENTS: (_documents_head, _document),
    Rule.ABSENCES: (
        lambda _s: format_html(_("Absences without a reason in your groups:")),
        _absence,
    ),
    Rule.JUSTIFICATION: (
        lambda _s: format_html(
            _("Absence documents waiting for your decision (due within {days} working days):"),
            days=R4_DAYS,
        ),
        _justification,
    ),
    Rule.ACCOUNTS: (
        lambda _s: format_html(
            _("People without an invite to the bot (due within {days} working days of the order):"),
            days=R5_DAYS,
        ),
        _newcomer,
    ),
}
