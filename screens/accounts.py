"""Texts about linked Telegram accounts: the notice to a person's other accounts, the college
office's search, a person's card, the links issued and who is still not linked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from core.i18n import _, fmt_date, fmt_time, ngettext
from core.messenger import Messenger
from screens.invite_sheet import roles_text
from screens.markup import Markup, bold, format_html, join
from screens.vocabulary import order_kind, role_name
from services.people.invite_sheet import InviteRow
from services.people.issuing import PersonCard
from services.people.leaving import Leaving
from storage.models import Group, MovementOrder, Person, Position, TelegramAccount


def moment(value: datetime, tz: ZoneInfo) -> str:
    local = value.astimezone(tz)
    return f"{fmt_date(local, 'd MMMM y')}, {fmt_time(local)}"


def account_label(username: str, linked_at: datetime, tz: ZoneInfo) -> str:
    day = moment(linked_at, tz)
    return f"@{username} · {day}" if username else day


def account_not_linked() -> str:
    """To a press from an account no invite has linked."""
    return _(
        "Your account is not linked to the journal yet. Open the personal link "
        "you received from the college (your curator or the administrator will give you "
        "one)."
    )


def not_linked_in_telegram() -> str:
    """The journal grid (a Telegram Mini App) opened by a Telegram account no invite linked."""
    return _(
        "Your Telegram account is not linked to the journal yet. Open the personal link "
        "you received from the college (your curator or the administrator will give you "
        "one)."
    )


def open_your_link() -> str:
    """A command from an account no invite has linked."""
    return _("To start, open the personal link you received from the college.")


def no_access() -> str:
    """To a linked person whose every role has ended (a student who left, their parent…)."""
    return _(
        "You no longer have access to the journal. If this is a mistake, please "
        "contact the college."
    )


def max_turned_off() -> str:
    """To a MAX account whose college does not use the journal in MAX (any more)."""
    return _("Your college does not use the journal in MAX now. Please use it in Telegram.")


def account_revoked() -> str:
    """To a revoked account, on every press until a new invite links it again."""
    return _(
        "This account no longer has access to the journal: it was unlinked. "
        "If you need access, ask the college's administrator for a new link."
    )


def new_account_notice(account: TelegramAccount, tz: ZoneInfo) -> Markup:
    """To the person's other accounts: one more Telegram or MAX account now opens their
    journal."""
    who = f"@{account.username}" if account.username else _("an account without a username")
    if account.messenger is Messenger.MAX:
        return format_html(
            _(
                "🔐 <b>A MAX account was linked to your journal</b>: {date}.\nIf it was you, "
                "there is nothing to do. If not, revoke it now: it will lose access at once, "
                "and please tell the college's administrator."
            ),
            date=moment(account.created_at, tz),
        )
    return format_html(
        _(
            "🔐 <b>Another Telegram account was linked to your journal</b>: {who}, "
            "{date}.\nIf it was you, there is nothing to do. If not, revoke it now: it will "
            "lose access at once, and please tell the college's administrator."
        ),
        who=who,
        date=moment(account.created_at, tz),
    )


def revoked(label: str) -> Markup:
    return format_html(
        _("🚫 The account {account} no longer has access to the journal."), account=label
    )


def office_menu() -> Markup:
    return format_html(
        _(
            "<b>Accounts</b>\nFind a person by the first letters of the surname to issue "
            "their link, print the links of a group, or see who is not linked yet."
        )
    )


def ask_letters() -> str:
    return _("Type the first letters of the surname (at least two).")


def found(people: Sequence[Person], letters: str) -> Markup:
    if not people:
        return format_html(_("Nobody’s surname begins with “{letters}”."), letters=letters)
    return format_html(_("Found for “{letters}”: choose the person."), letters=letters)


def person_card(found: PersonCard, tz: ZoneInfo) -> Markup:
    person = found.person
    roles = ", ".join(role_name(r) for r in found.roles) or _("no role now")
    lines: list[str] = [bold(person.full_name), format_html(_("Roles: {roles}"), roles=roles)]
    if found.may_manage:
        if found.accounts:
            lines.append(_("Linked accounts:"))
            for item in found.accounts:
                label = account_label(item.username, item.linked_at, tz)
                if item.messenger is Messenger.MAX:
                    label = f"MAX · {label}"
                suffix = "" if item.active else _(" (has blocked the bot)")
                lines.append(format_html("• {}{}", label, suffix))
        else:
            lines.append(_("No account is linked."))
    if not found.may_issue:
        lines.append(
            _("Only the administrator issues links to staff members and to people already linked.")
        )
    return join(lines)


def one_link(row: InviteRow) -> Markup:
    return join(
        [
            format_html(
                _("🔗 <b>Link for {name}</b> · {roles}"), name=row.full_name, roles=roles_text(row)
            ),
            row.link,
            *([row.other_link] if row.other_link else []),  # the same code, the other messenger
            format_html(
                _("It works once, only for this person, until {date}. Older links stop working."),
                date=row.expires,
            ),
        ]
    )


def choose_group() -> str:
    return _("Links for which group? Only people not linked yet get one.")


def group_none(group: Group) -> Markup:
    return format_html(_("Everyone of {group} is already linked."), group=group.name)


def group_caption(group: Group, rows: Sequence[InviteRow]) -> Markup:
    return format_html(
        ngettext(
            "{count} link for {group} (people not linked yet). Valid until {date}.",
            "{count} links for {group} (people not linked yet). Valid until {date}.",
            len(rows),
        ),
        count=len(rows),
        group=group.name,
        date=rows[0].expires if rows else "",
    )


def not_linked(rows: Sequence[InviteRow]) -> Markup:
    if not rows:
        return format_html(_("✅ Everyone has a linked account."))
    lines: list[str] = [
        format_html(
            ngettext(
                "<b>Not linked yet: {count} person</b>",
                "<b>Not linked yet: {count} people</b>",
                len(rows),
            ),
            count=len(rows),
        )
    ]
    for row in rows:
        where = f" ({row.groups})" if row.groups else ""
        lines.append(format_html("• {}{} · {}", row.full_name, where, roles_text(row)))
    return join(lines)


def ask_leave_date(person: Person) -> Markup:
    return format_html(
        _(
            "<b>{name} leaves the staff</b>\nFrom which date do their roles end? Type it as "
            "15.01.2027, or press “From today”. When no role is left, their Telegram "
            "accounts lose access."
        ),
        name=person.full_name,
    )


def left(done: Leaving) -> Markup:
    lines = [
        format_html(
            ngettext(
                "🚪 {name}: {count} role ends from {date}.",
                "🚪 {name}: {count} roles end from {date}.",
                done.roles_ended,
            ),
            name=done.person.full_name,
            count=done.roles_ended,
            date=fmt_date(done.from_day, "d MMMM y"),
        )
    ]
    if done.accounts_revoked:
        lines.append(
            format_html(
                ngettext(
                    "{count} linked account no longer has access.",
                    "{count} linked accounts no longer have access.",
                    done.accounts_revoked,
                ),
                count=done.accounts_revoked,
            )
        )
    return join(lines)


def bad_date() -> str:
    return _("This is not a date: write it as 15.01.2027.")


def choose_position(person: Person) -> Markup:
    return format_html(
        _("Which of the college's positions does {name} get? They get exactly its rights."),
        name=person.full_name,
    )


def position_given(person: Person, position: Position) -> Markup:
    return format_html(
        _("🎖 {name} now holds the position “{position}”."),
        name=person.full_name,
        position=position.name,
    )


def order_label(order: MovementOrder) -> str:
    """A button's text (plain: Telegram shows it as is)."""
    return _("No. {number} of {date} · {kind}").format(
        number=order.number, date=fmt_date(order.decided_on, "dd.MM.y"), kind=order_kind(order.kind)
    )


def choose_order(count: int) -> str:
    if not count:
        return _("The college has no movement orders yet.")
    return _(
        "Links for the people of which order? Its students and their parents not linked "
        "yet get one."
    )


def order_none(order: MovementOrder) -> Markup:
    return format_html(
        _("Everyone order No. {number} names is already linked (or has left)."), number=order.number
    )


def order_caption(order: MovementOrder, rows: Sequence[InviteRow]) -> Markup:
    return format_html(
        ngettext(
            "{count} link for order No. {number} (people not linked yet). Valid until {date}.",
            "{count} links for order No. {number} (people not linked yet). Valid until {date}.",
            len(rows),
        ),
        count=len(rows),
        number=order.number,
        date=rows[0].expires if rows else "",
    )
