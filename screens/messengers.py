"""📱 Messengers: a person's Telegram and MAX accounts, where the journal writes on its own,
and a fresh link to open the journal in another messenger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from core.i18n import _, fmt_date
from core.messenger import Messenger
from screens.accounts import moment
from screens.markup import Markup, format_html, join
from services.people.messengers import MessengerAccount


def messenger_name(messenger: Messenger) -> str:
    return "MAX" if messenger is Messenger.MAX else "Telegram"


def account_line(account: MessengerAccount, tz: ZoneInfo) -> Markup:
    name = messenger_name(account.messenger)
    who = f"{name} @{account.username}" if account.username else name
    state = _("notifications on") if account.notify else _("notifications off")
    line = format_html(
        _("• {who}, linked {date}: {state}"),
        who=who,
        date=moment(account.linked_at, tz),
        state=state,
    )
    if not account.active:
        line = join([line, format_html(_("  (the bot is blocked there)"))], " ")
    return line


def screen(accounts: Sequence[MessengerAccount], tz: ZoneInfo, *, both: bool = True) -> Markup:
    """``both``: the journal runs in Telegram and in MAX (else in one of them only)."""
    intro = (
        _(
            "The journal is the same in Telegram and in MAX. Notifications, reminders "
            "and announcements go to the accounts marked on; replies, to where you ask."
        )
        if both
        else _(
            "Notifications, reminders and announcements go to the accounts marked on; replies, "
            "to where you ask."
        )
    )
    return join(
        [
            format_html(_("📱 <b>Your messengers</b>")),
            format_html(intro),
            join([account_line(a, tz) for a in accounts]),
            format_html(
                _(
                    "Tap an account to turn its notifications on or off. To open the journal "
                    "in another messenger too, take a fresh link."
                )
            ),
        ],
        "\n\n",
    )


def label(account: MessengerAccount) -> str:
    mark = "🔔" if account.notify else "🔕"
    name = messenger_name(account.messenger)
    return f"{mark} {name} @{account.username}" if account.username else f"{mark} {name}"


def fresh_links(links: Mapping[Messenger, str], expires: datetime, tz: ZoneInfo) -> Markup:
    lines = [
        format_html(_("🔗 <b>Your personal link</b>")),
        *(
            format_html("{name}: {link}", name=messenger_name(m), link=link)
            for m, link in links.items()
        ),
        format_html(
            _(
                "Open it in the messenger you want to add. It works once, until {date}; your "
                "earlier unused links stop working. Do not pass it on: whoever opens it gets "
                "your journal."
            ),
            date=fmt_date(expires.astimezone(tz), "d MMMM y"),
        ),
    ]
    return join(lines)
