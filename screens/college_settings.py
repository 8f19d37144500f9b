"""The administrator's *College settings* screen (services/college_settings.py)."""

from __future__ import annotations

from core.i18n import _
from screens.markup import Markup, format_html, join
from services.college_settings import ADULTS, LEAVERS, MAX, CollegeSettings


def choice_label(key: str, value: str) -> str:
    labels = {
        (ADULTS, "student_decides"): _("Adult student decides"),
        (ADULTS, "keep"): _("Parents keep access after 18"),
        (ADULTS, "end"): _("Parents' access ends at 18"),
        (LEAVERS, "keep"): _("Keep leavers' personal data"),
        (LEAVERS, "erase"): _("Erase leavers' personal data"),
        (MAX, "on"): _("The journal in MAX too"),
        (MAX, "off"): _("Telegram only"),
    }
    return labels.get((key, value), value)


def _source(current: CollegeSettings, key: str) -> str:
    return _("set by the college") if key in current.own else _("the default")


def settings_screen(current: CollegeSettings) -> Markup:
    return join(
        [
            Markup(_("<b>College settings</b>")),
            format_html(
                _("Parents of a student who has turned 18: <b>{value}</b> ({source})."),
                value=choice_label(ADULTS, current.adults),
                source=_source(current, ADULTS),
            ),
            format_html(
                _(
                    "Personal data of people who left (phone, e-mail, birth date, messenger "
                    "accounts): <b>{value}</b> ({source}). Names stay on the journal's records."
                ),
                value=choice_label(LEAVERS, current.leavers),
                source=_source(current, LEAVERS),
            ),
            format_html(
                _("Messengers: <b>{value}</b> ({source})."),
                value=choice_label(MAX, current.max),
                source=_source(current, MAX),
            ),
            Markup(_("Choose a value below; every change is recorded in the audit log.")),
        ],
        "\n\n",
    )
