"""``/start``: onboarding by a personal invite link, or the menu for someone already linked."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.i18n import I18n, _
from handlers.menu import show_menu
from keyboards import accounts as accounts_kb
from keyboards.journal import LESSON_LINK_PATTERN
from screens import accounts as accounts_text
from screens import menu as text
from services.people import accounts, invites
from services.people.accounts import Outgoing
from services.people.identity import Identity, load_identity
from storage.models import TelegramAccount, utcnow

REFUSALS = {
    invites.Outcome.UNKNOWN: lambda: _(
        "This link is not valid. Check that you opened it completely, or ask the college for "
        "a new one."
    ),
    invites.Outcome.USED: lambda: _(
        "This link has already been used. Each link works once; ask the college for a new one "
        "if it was not you who used it."
    ),
    invites.Outcome.EXPIRED: lambda: _("This link has expired. Ask the college for a new one."),
    invites.Outcome.THROTTLED: lambda: _(
        "Too many attempts with wrong links. Please try again in an hour."
    ),
    invites.Outcome.MESSENGER_OFF: lambda: _(
        "Your college does not use the journal in MAX. Open your link in Telegram: it still "
        "works there."
    ),
}


def new_account_notice(account: TelegramAccount, settings: Settings) -> Outgoing:
    """What a person's other accounts are told about a newly linked one."""
    markup = accounts_kb.as_outbox(accounts_kb.revoke_new_account(account.id))
    return Outgoing(accounts_text.new_account_notice(account, settings.tz), markup)


def telegram_language(code: str | None, i18n: I18n) -> str | None:
    short = (code or "").split("-")[0]
    return short if short in i18n.available_locales else None


async def start_with_code(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    settings: Settings,
    i18n: I18n,
    identity: Identity | None,
) -> None:
    user = message.from_user
    assert user is not None
    now = utcnow()
    result = await invites.redeem(
        session,
        (command.args or "").strip(),
        telegram_user_id=user.id,
        chat_id=message.chat.id,
        username=user.username or "",
        language=telegram_language(user.language_code, i18n),
        now=now,
        attempts_per_hour=settings.rules.invite_attempts_per_hour,
    )
    await session.flush()  # a rejected write fails before the person is told
    if result.outcome is invites.Outcome.LINKED and result.account is not None:
        # The person's other accounts hear of it at once, with a button to revoke it.
        await accounts.tell_others(
            session,
            result.account,
            now=now,
            default_locale=settings.default_locale,
            render=lambda account: new_account_notice(account, settings),
        )
    if result.outcome is invites.Outcome.OTHER_PERSON and identity is not None:
        await message.answer(text.linked_elsewhere(identity.person.short_name))
        return
    if result.outcome in REFUSALS:
        await message.answer(REFUSALS[result.outcome]())
        if identity is not None:
            await show_menu(message, identity)
        return
    assert result.account is not None
    linked = await load_identity(session, result.account)
    locale = linked.person.locale if linked.person.locale in i18n.available_locales else None
    with i18n.use_locale(locale or i18n.current_locale):
        if result.outcome is invites.Outcome.LINKED:
            await message.answer(text.welcome(linked.person.first_name))
        await show_menu(message, linked)


async def start_plain(
    message: Message, identity: Identity | None, revoked: bool = False, messenger_off: bool = False
) -> None:
    if identity is not None:
        await show_menu(message, identity)
        return
    if messenger_off:
        await message.answer(accounts_text.max_turned_off())
        return
    if revoked:
        await message.answer(accounts_text.account_revoked())
        return
    await message.answer(
        _(
            "Hello! This is the college's electronic journal.\n\n"
            "To start, open the personal link you received from the college: your curator or "
            "the administrator hands them out. The bot does not show anything to strangers."
        )
    )


def create_router() -> Router:
    router = Router(name="start")
    # Lesson links (``lesson-<id>``) are the journal's, handled by the lessons router.
    router.message.register(
        start_with_code,
        CommandStart(deep_link=True, magic=~F.args.regexp(LESSON_LINK_PATTERN)),
    )
    router.message.register(start_plain, CommandStart(magic=~F.args.regexp(LESSON_LINK_PATTERN)))
    return router
