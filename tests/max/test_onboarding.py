"""A person in MAX: opens their invite, sees their role's menu, uses it; the store holds a
MAX account for them; a parent gets an absence marked in Telegram in MAX."""

from __future__ import annotations

from sqlalchemy import select

from core.messenger import MAX_BASE, Messenger
from handlers.sender import MAX_LIMITS, Sender
from services import college_settings
from storage.models import MaxMessage, OutboxMessage, OutboxStatus, TelegramAccount
from tests.accounts.kit import invite_code
from tests.factories import College
from tests.max.conftest import MaxApp
from tests.notifications import kit


async def test_a_parent_opens_the_invite_in_max_and_sees_the_menu(
    max_app: MaxApp, college: College
) -> None:
    parent = college.parents[college.students[0].id]
    code = await invite_code(max_app.tg, parent)
    user = max_app.stranger("Olga")

    await user.open_link(f"https://max.ru/journal_max_bot?start={code}")

    assert any("Welcome" in text for text in user.texts)
    menu = user.last
    assert menu.buttons, "the role's menu comes with its buttons"
    assert all(b["type"] in ("callback", "link") for row in menu.buttons for b in row)
    async with max_app.tg.session_factory() as session:
        account = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.telegram_user_id == user.stored_id)
        )
    assert account is not None and account.person_id == parent.id
    assert account.messenger is Messenger.MAX and account.chat_id == MAX_BASE + user.user_id
    # The same link does not work twice, in MAX as in Telegram.
    other = max_app.stranger("Someone")
    await other.start(code)
    assert "already been used" in other.last.visible


async def test_a_linked_person_taps_through_the_menu_in_max(
    max_app: MaxApp, college: College
) -> None:
    parent = college.parents[college.students[0].id]
    user = await max_app.link(parent)
    await user.send("/menu")
    first = user.last
    label = first.button_labels[0][0]

    await user.click(label)

    assert user.last.visible  # the next screen, by an edit or a new message
    async with max_app.tg.session_factory() as session:
        numbers = list(await session.scalars(select(MaxMessage.mid)))
    assert first.mid in numbers  # the bot's message has its number, so it can be edited


async def test_a_stranger_in_max_is_shown_nothing(max_app: MaxApp, college: College) -> None:
    user = max_app.stranger()
    await user.start()
    assert "personal link" in user.last.visible
    assert not user.last.buttons


async def test_an_absence_marked_in_telegram_reaches_the_parent_in_max(
    max_app: MaxApp, college: College
) -> None:
    factory = max_app.tg.session_factory
    student = college.students[0]
    settings = max_app.tg.settings
    user = await max_app.link(college.parents[student.id])
    await kit.absent(factory, college, student, now=college.now)
    assert await kit.notify(factory, settings, college.now) == 1

    telegram = Sender(max_app.tg.bot, factory, messenger=Messenger.TELEGRAM)
    assert await telegram.drain_once(kit.after(college.now, 3)) == 0  # not Telegram's to send
    sender = Sender(max_app.bot, factory, limits=MAX_LIMITS, messenger=Messenger.MAX)
    sent = await sender.drain_once(kit.after(college.now, 3))
    async with factory() as session:
        [message] = await session.scalars(select(OutboxMessage))
    assert sent == 1, (message.status, message.last_error, message.not_before)

    assert "absent" in user.last.visible
    assert student.person.first_name in user.last.visible
    async with factory() as session:
        [message] = await session.scalars(select(OutboxMessage))
    assert message.status is OutboxStatus.SENT and message.chat_id == user.stored_id


async def test_a_telegram_user_links_max_from_messengers_and_chooses_where_to_hear(
    max_app: MaxApp, college: College
) -> None:
    parent = college.parents[college.students[0].id]
    tg_user = await max_app.tg.link(parent, language="en")
    await tg_user.command("menu")
    await tg_user.click("📱 Messengers")
    assert "Your messengers" in tg_user.last.text
    await tg_user.click("🔗 A link for another messenger")
    text = tg_user.last.text
    [max_link] = [w for w in text.split() if w.startswith("https://max.ru/")]
    assert "https://t.me/journal_test_bot?start=" in text  # one code, a link per messenger

    max_user = max_app.stranger("Olga")
    await max_user.open_link(max_link)
    assert any("Welcome" in t for t in max_user.texts)
    # The Telegram account hears that a MAX account was linked, with a button to revoke it.
    assert await deliver_all(max_app, college) >= 1
    assert "MAX" in tg_user.last.text

    await max_user.send("/menu")
    await max_user.click("📱 Messengers")
    assert "🔔 Telegram" in str(max_user.last.button_labels)
    telegram_label = next(
        label for row in max_user.last.button_labels for label in row if "Telegram" in label
    )
    await max_user.click(telegram_label)  # Telegram off: only MAX hears
    max_label = next(
        label for row in max_user.last.button_labels for label in row if label.endswith("MAX")
    )
    answer = await max_user.click(max_label)  # the last one on: refused
    assert answer is not None and "must keep getting" in answer
    async with max_app.tg.session_factory() as session:
        accounts = {
            a.messenger: a.notify
            for a in await session.scalars(
                select(TelegramAccount).where(TelegramAccount.person_id == parent.id)
            )
        }
    assert accounts == {Messenger.TELEGRAM: False, Messenger.MAX: True}


async def deliver_all(max_app: MaxApp, college: College) -> int:
    factory = max_app.tg.session_factory
    sent = await Sender(max_app.tg.bot, factory, messenger=Messenger.TELEGRAM).drain_once()
    sender = Sender(max_app.bot, factory, limits=MAX_LIMITS, messenger=Messenger.MAX)
    return sent + await sender.drain_once()


async def test_a_college_that_turned_max_off_is_telegram_only(
    max_app: MaxApp, college: College
) -> None:
    factory = max_app.tg.session_factory
    async with factory.begin() as session:
        await college_settings.store(
            session, college.org.id, college_settings.MAX, "off", actor_id=None, source="cli"
        )
    student = college.students[0]
    parent = college.parents[student.id]
    code = await invite_code(max_app.tg, parent)
    newcomer = max_app.stranger("Olga")
    await newcomer.start(code)
    assert "does not use the journal in MAX" in newcomer.last.visible
    # The code was not used up: it still works in Telegram.
    in_telegram = max_app.tg.stranger("Olga")
    await in_telegram.command("start", code)
    assert any("Welcome" in text for text in in_telegram.texts)

    linked = await max_app.link(college.parents[college.students[1].id])
    await linked.send("/menu")
    assert "does not use the journal in MAX now" in linked.last.visible
    assert not linked.last.buttons

    await kit.absent(factory, college, college.students[1], now=college.now)
    await kit.notify(factory, max_app.tg.settings, college.now)
    async with factory() as session:
        queued = list(await session.scalars(select(OutboxMessage.chat_id)))
    assert linked.stored_id not in queued


async def test_a_curators_group_links_open_in_either_messenger(
    max_app: MaxApp, college: College
) -> None:
    curator = await max_app.link(college.curator)
    await curator.send("/menu")
    await curator.click("🔗 Invite links")
    if curator.last.button(college.group.name) is not None:
        await curator.click(college.group.name)
    await curator.click("✅ Issue new links")
    text = "\n".join(curator.texts)
    in_max = [w for w in text.split() if w.startswith("https://max.ru/journal_max_bot?start=")]
    in_telegram = [w for w in text.split() if w.startswith("https://t.me/journal_test_bot?start=")]
    assert in_max and len(in_max) == len(in_telegram)
    codes = {link.split("start=")[1] for link in in_max}
    assert codes == {link.split("start=")[1] for link in in_telegram}  # one code, two links
    assert curator.last.files  # the sheet came as a file in MAX

    parent = max_app.stranger("Olga")
    await parent.open_link(in_max[0])
    assert any("Welcome" in t for t in parent.texts)
