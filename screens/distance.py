"""Texts of the distance days: the deputy director's steps and what the groups' students and
parents read. The platform is the deputy's words, escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from core.i18n import _, fmt_date, ngettext
from screens.markup import Markup, format_html, join
from screens.vocabulary import role_name
from services.calendar.distance import Plan
from storage.models import Role

GROUPS_NAMED = 20  # more groups are counted, so the message stays short


def _days(first: date, last: date) -> str:
    if first == last:
        return fmt_date(first, "EEEE, d MMMM y")
    return _("{first} – {last}").format(
        first=fmt_date(first, "d MMMM"), last=fmt_date(last, "d MMMM y")
    )


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:GROUPS_NAMED])
    rest = len(names) - GROUPS_NAMED
    return f"{shown}, … +{rest}" if rest > 0 else shown


def ask_days() -> Markup:
    return format_html(
        _(
            "🏠 <b>Distance days</b>\nWhich days do groups study at a distance? Type the day, "
            "03.12.2026, or the first and last day, 03.12.2026 – 04.12.2026, or press “Today”."
        )
    )


def ask_groups(first: date, last: date, count: int) -> Markup:
    head = format_html(_("🏠 <b>Distance days</b> · {days}"), days=_days(first, last))
    if not count:
        return join([head, _("The college has no groups yet.")])
    return join([head, _("Which groups? Choose all groups or some of them.")])


def ask_platform() -> str:
    return _(
        "On which platform are the lessons held? Type its name or a link, for example "
        "Сферум, https://sferum.ru/…"
    )


def preview(plan: Plan) -> Markup:
    lines: list[str] = [
        format_html(_("🏠 <b>Distance days</b> · {days}"), days=_days(plan.first, plan.last)),
        format_html(_("Groups: {groups}"), groups=_names([name for _g, name in plan.groups])),
        format_html(_("Platform: {platform}"), platform=plan.platform),
    ]
    if plan.left_out:
        lines.append(
            format_html(
                _("Left out, no classes on these days: {groups}"), groups=_names(plan.left_out)
            )
        )
    lines.append(
        _(
            "The groups' students and parents are told. Teachers record each lesson's distance "
            "format; those who do not are reminded."
        )
    )
    return join(lines)


def done(plan: Plan, announced: int) -> Markup:
    head = format_html(
        ngettext(
            "🏠 Declared: {days}, {count} group at a distance on {platform}.",
            "🏠 Declared: {days}, {count} groups at a distance on {platform}.",
            len(plan.groups),
        ),
        days=_days(plan.first, plan.last),
        count=len(plan.groups),
        platform=plan.platform,
    )
    if not announced:
        told = _("Nobody of these groups uses the bot yet: nobody was told.")
    else:
        told = ngettext(
            "The announcement goes to {n} student or parent.",
            "The announcement goes to {n} students and parents.",
            announced,
        ).format(n=announced)
    return join([head, told])


def cancelled() -> str:
    return _("Nothing is declared.")


def announcement(author: str, role: Role, plan: Plan) -> str:
    """What the groups' students and parents read, in the current locale."""
    head = format_html(
        _("🏠 <b>Distance learning</b> · {author}, {role}"), author=author, role=role_name(role)
    )
    body = format_html(
        _(
            "{days}: the lessons of {groups} are held at a distance on {platform}, at the "
            "times of the timetable. Each lesson in the journal says how it is held."
        ),
        days=_days(plan.first, plan.last),
        groups=_names([name for _g, name in plan.groups]),
        platform=plan.platform,
    )
    return join([head, "", body])
