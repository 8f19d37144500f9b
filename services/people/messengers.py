"""A person's messengers: the Telegram and MAX accounts linked to them, which of them get
notifications, reminders and announcements, and a fresh link to add the other messenger.

Replies always go to the account that asked; ``notify`` decides where the journal writes on
its own. At least one of a person's accounts keeps getting them: a person cannot silence the
journal by mistake (the notification settings choose what, this screen chooses where).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Invalid
from core.i18n import _
from core.messenger import Messenger, messenger_of
from services.people import invites
from storage import audit
from storage import people as q
from storage.models import Person, TelegramAccount


@dataclass(frozen=True)
class MessengerAccount:
    id: int
    messenger: Messenger
    username: str
    linked_at: datetime
    active: bool  # false while the person has blocked the bot there
    notify: bool


def _view(account: TelegramAccount) -> MessengerAccount:
    return MessengerAccount(
        account.id,
        messenger_of(account.telegram_user_id),
        account.username,
        account.created_at,
        account.active,
        account.notify,
    )


async def of_person(session: AsyncSession, person_id: int) -> list[MessengerAccount]:
    """The person's accounts that are not revoked, oldest first."""
    return [_view(a) for a in await q.accounts_of(session, person_id)]


def last_one() -> str:
    return _("One of your accounts must keep getting the journal's messages.")


async def toggle_notify(
    session: AsyncSession, person: Person, account_id: int, *, source: str = "bot"
) -> MessengerAccount:
    """Turn the account's notifications on or off; refused for an account not the person's,
    and for turning off the last account that gets them. Two presses at once on two devices
    are decided one after the other (``lock_accounts``): they cannot both turn off one of the
    last two."""
    accounts = list(await q.lock_accounts(session, person.id))
    account = next((a for a in accounts if a.id == account_id), None)
    if account is None:
        raise Invalid(_("This account is not among your accounts."))
    if account.notify and not any(a.notify for a in accounts if a.id != account.id):
        raise Invalid(last_one())
    old = account.notify
    account.notify = not old
    audit.record(
        session,
        org_id=person.org_id,
        actor_id=person.id,
        action="update",
        entity="telegram_account",
        entity_id=account.id,
        old={"notify": old},
        new={"notify": account.notify},
        source=source,
    )
    return _view(account)


async def fresh_code(
    session: AsyncSession, person: Person, *, now: datetime, ttl: timedelta
) -> invites.IssuedInvite:
    """A new single-use code of the person's own, to link another messenger (or another
    device's account); their earlier unused codes stop working."""
    [issued] = await invites.issue(
        session, [person], now=now, ttl=ttl, actor_id=person.id, source="bot"
    )
    return issued
