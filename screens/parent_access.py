"""Texts about parents' access to an adult student's diary (§1.6)."""

from __future__ import annotations

from core.i18n import _, fmt_date
from screens.markup import Markup, format_html
from services.diary.adults import KEEP, STUDENT_DECIDES, Choice


def choice_screen(choice: Choice) -> Markup:
    title = _("<b>Your parents' access to your diary</b>")
    if not choice.adult:
        body = _(
            "Your parents see your diary. When you turn 18, you will decide yourself whether "
            "they keep seeing it."
        )
    elif choice.mode == KEEP:
        body = _("The college keeps your parents' access after 18.")
    elif choice.mode != STUDENT_DECIDES:
        body = _("The college ends parents' access at 18: your parents see nothing after it.")
    elif choice.allowed:
        body = _("Your parents see your diary. You can stop their access at any time.")
    else:
        day = fmt_date(choice.birthday, "d MMMM y") if choice.birthday else ""
        body = format_html(
            _(
                "You are 18: your parents see nothing in your diary after {date} unless you "
                "allow it. You can change this at any time."
            ),
            date=day,
        )
    return format_html("{}\n{}", Markup(title), body)


def parents_told(first_name: str, student_decides: bool) -> str:
    """Once, to each parent, when their child turns 18."""
    if student_decides:
        return format_html(
            _(
                "🎂 {name} has turned 18. From now on {name} decides whether you see their "
                "diary; until they allow it, entries after the birthday are not shown. "
                "Everything before stays as it was. Thank you for being with the college."
            ),
            name=first_name,
        )
    return format_html(
        _(
            "🎂 {name} has turned 18. By the college's rules, parents no longer see entries "
            "after the birthday. Everything before stays as it was. Thank you for being with "
            "the college."
        ),
        name=first_name,
    )
