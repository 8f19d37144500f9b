"""Texts of the deputy director's teaching handover."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from core.i18n import _, fmt_date, ngettext
from screens.markup import Markup, format_html
from services.people.leaving import Handover, HandoverPlan
from storage.models import Person


def choose_old() -> Markup:
    return format_html(
        _("<b>Hand over teaching</b>\nWhose group and discipline is handed to another teacher?")
    )


def choose_load(teacher: Person, count: int) -> Markup:
    if not count:
        return format_html(_("{name} teaches nothing to hand over."), name=teacher.full_name)
    return format_html(_("Which group and discipline of {name}?"), name=teacher.full_name)


def choose_new() -> str:
    return _(
        "To which teacher? Send the first letters of their surname (three are usually enough)."
    )


def found_new(found: Sequence[Person], letters: str, old_id: int) -> Markup:
    if not [p for p in found if p.id != old_id]:
        return format_html(
            _(
                "No other teacher of the college has a surname starting with “{letters}”. "
                "Send other letters, or /cancel."
            ),
            letters=letters,
        )
    return format_html(_("Choose the teacher, or send other letters."))


def ask_date() -> str:
    return _(
        "From which date does the new teacher take the lessons? Type it as 15.01.2027, "
        "or press “From today”."
    )


def bad_date() -> str:
    return _("This is not a date: write it as 15.01.2027.")


def preview(plan: HandoverPlan, day: date) -> Markup:
    return format_html(
        _(
            "<b>Handover</b>\n{discipline}, {group}: from {old} to {new}, from {date}.\n"
            "Lessons from that date go to {new}; earlier lessons keep who taught them."
        ),
        discipline=plan.discipline.name,
        group=plan.group.name,
        old=plan.old_teacher.full_name,
        new=plan.new_teacher.full_name,
        date=fmt_date(day, "d MMMM y"),
    )


def done(result: Handover) -> Markup:
    return format_html(
        ngettext(
            "🔄 {discipline}, {group} is taught by {new} from {date}: {count} lesson moved.",
            "🔄 {discipline}, {group} is taught by {new} from {date}: {count} lessons moved.",
            result.lessons_moved,
        ),
        discipline=result.discipline.name,
        group=result.group.name,
        new=result.new_teacher.full_name,
        date=fmt_date(result.from_day, "d MMMM y"),
        count=result.lessons_moved,
    )
