"""A person's linked accounts: a new one is announced to the others, who can revoke it; the
administrator sees and revokes anyone's; a revoked account is refused on its next press."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from core.errors import Invalid
from keyboards.accounts import AccCb
from services.people import messengers
from storage.models import AuditEntry, OutboxMessage, Person, TelegramAccount
from tests.accounts.kit import OfficeCollege, account_of, deliver, invite_code, open_link
from tests.botapp import BotApp

NOTICE = "Another Telegram account was linked to your journal"


async def test_a_new_account_is_announced_and_its_owner_revokes_it(
    app: BotApp, college: OfficeCollege
) -> None:
    parent = college.parents[college.students[0].id]
    owner = await app.link(parent, language="en")
    intruder = await open_link(app, await invite_code(app, parent), username="intruder")
    assert "Welcome" in intruder.texts[0] or parent.first_name in intruder.texts[0]

    assert await deliver(app) == 1
    assert NOTICE in owner.last.text and "@intruder" in owner.last.text
    assert intruder.texts.count(NOTICE) == 0

    await owner.click("🚫 It was not me: revoke it")
    assert "no longer has access" in owner.last.text
    account = await account_of(app, intruder)
    assert account is not None and account.revoked_at is not None

    await intruder.command("menu")
    assert "no longer has access to the journal" in intruder.last.text
    await intruder.click_data(intruder.last, AccCb(act="o").pack())
    assert "no longer has access to the journal" in intruder.alerts[-1].text
    async with app.session_factory() as session:
        trail = await session.scalar(
            select(AuditEntry)
            .where(AuditEntry.entity == "telegram_account", AuditEntry.entity_id == account.id)
            .order_by(AuditEntry.id.desc())
        )
    assert trail is not None and trail.actor_id == parent.id


async def test_the_first_account_of_a_person_is_announced_to_nobody(
    app: BotApp, college: OfficeCollege
) -> None:
    await open_link(app, await invite_code(app, college.teacher))
    async with app.session_factory() as session:
        assert list(await session.scalars(select(OutboxMessage))) == []


async def test_nobody_else_revokes_an_account(app: BotApp, college: OfficeCollege) -> None:
    parent = college.parents[college.students[0].id]
    owner = await app.link(parent, language="en")
    account = await account_of(app, owner)
    assert account is not None
    forged = AccCb(act="r", id=account.id).pack()
    others = [
        await app.link(college.parents[college.students[1].id]),
        await app.link(college.curator),
        await app.link(college.deputy),
        await app.link(college.secretary),
    ]
    for user in others:
        await user.command("menu")
        await user.click_data(user.last, forged)
        assert user.alerts[-1].show_alert
        assert "not among the accounts you may manage" in user.alerts[-1].text
    still = await account_of(app, owner)
    assert still is not None and still.revoked_at is None
    await owner.command("menu")
    assert "My diary" in " ".join(owner.last.button_labels) or owner.last.buttons


async def test_the_administrator_finds_a_person_and_revokes_an_account(
    app: BotApp, college: OfficeCollege
) -> None:
    student = college.students[0]
    phone = await app.link(student.person, language="en")
    admin = await app.link(college.admin, language="en")
    await admin.command("menu")
    await admin.click("👤 Accounts")
    await admin.click("🔎 Find a person")
    await admin.send("але")  # lower case, as people type
    await admin.click(student.person.full_name)
    assert "Linked accounts:" in admin.last.text
    revoke = next(label for label in admin.last.button_labels if label.startswith("🚫 Revoke"))
    await admin.click(revoke)
    assert "No account is linked." in admin.last.text
    await phone.command("menu")
    assert "no longer has access to the journal" in phone.last.text

    await admin.click("🔗 Issue a new link")
    assert "https://t.me/journal_test_bot?start=" in admin.last.text
    code = admin.last.text.split("start=")[1].split()[0]
    await phone.command("start", code)
    account = await account_of(app, phone)
    assert account is not None and account.revoked_at is None
    assert account.person_id == student.person.id


async def test_two_presses_at_once_cannot_silence_both_of_the_last_two_accounts(
    app: BotApp, college: OfficeCollege
) -> None:
    """On two devices at the same moment a parent turns off notifications on each of their
    two accounts: the presses are decided one after the other, and the second is refused."""
    parent = college.parents[college.students[0].id]
    async with app.session_factory.begin() as session:
        first = TelegramAccount(telegram_user_id=61, chat_id=61, person_id=parent.id)
        second = TelegramAccount(telegram_user_id=62, chat_id=62, person_id=parent.id)
        session.add_all([first, second])
    holding, release = asyncio.Event(), asyncio.Event()

    async def press(account_id: int, hold: bool) -> str:
        async with app.session_factory() as session:
            person = await session.get(Person, parent.id)
            assert person is not None
            try:
                await messengers.toggle_notify(session, person, account_id)
            except Invalid:
                return "refused"
            if hold:  # decided, not yet committed: the other press arrives now
                holding.set()
                await release.wait()
            await session.commit()
            return "turned off"

    one = asyncio.create_task(press(first.id, hold=True))
    await holding.wait()
    other = asyncio.create_task(press(second.id, hold=False))
    # Without the lock the other press would be decided (on what the first has not yet
    # written) and done well within this bound; with it, it waits for the first press.
    done, _pending = await asyncio.wait({other}, timeout=2.0)
    assert not done
    release.set()
    assert (await one, await other) == ("turned off", "refused")
    async with app.session_factory() as session:
        notify = dict(
            (
                await session.execute(
                    select(TelegramAccount.id, TelegramAccount.notify).where(
                        TelegramAccount.id.in_([first.id, second.id])
                    )
                )
            ).all()
        )
    assert notify == {first.id: False, second.id: True}
