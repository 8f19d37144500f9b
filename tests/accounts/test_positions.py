"""A college's own position (§3.3.6): a person holding it sees exactly the menu entries its
rights open, and every other press is refused, whatever the role it is based on."""

from __future__ import annotations

from sqlalchemy import func, select

from keyboards.accounts import AccCb
from keyboards.curator import AbsCb, InvCb
from keyboards.diary import DiaryCb
from keyboards.justification import SendCb
from keyboards.notifications import NotifyCb
from services import policy
from services.access import Actor
from services.importer import RIGHTS
from storage.models import (
    Attendance,
    Grade,
    Invite,
    Membership,
    Organisation,
    Person,
    Position,
    Role,
)
from tests.accounts.kit import OfficeCollege, account_of
from tests.botapp import BotApp
from tests.factories import add_person


async def _methodist(app: BotApp, college: OfficeCollege, rights: list[str]) -> int:
    """A methodist: a position based on the teacher's role with the rights given."""
    async with app.session_factory.begin() as session:
        org = await session.get(Organisation, college.org.id)
        assert org is not None
        position = Position(
            org_id=org.id, code="methodist", name="Методист", role=Role.TEACHER, rights=rights
        )
        session.add(position)
        await session.flush()
        person = await add_person(session, org, "Методистова", "Мария")
        session.add(
            Membership(
                org_id=org.id, person_id=person.id, role=Role.TEACHER, position_id=position.id
            )
        )
    return person.id


async def test_a_position_with_two_rights_gets_exactly_their_entries(
    app: BotApp, college: OfficeCollege
) -> None:
    person_id = await _methodist(app, college, ["journal.view_all", "invites.manage"])
    async with app.session_factory() as session:
        person = await session.get(Person, person_id)
    assert person is not None
    methodist = await app.link(person)
    await methodist.command("menu")
    assert methodist.last.button_labels == [
        "🗂 Group journals",
        "👤 Accounts",
        "🌐 Language",
        "📱 Messengers",
    ]

    await methodist.click("🗂 Group journals")
    assert college.group.name in " ".join(methodist.last.button_labels)
    await methodist.command("menu")
    await methodist.click("👤 Accounts")
    assert "Find a person" in " ".join(methodist.last.button_labels)

    student, lesson = college.students[0], college.lessons.today
    someone_user = await app.link(college.parents[student.id])
    someone = await account_of(app, someone_user)
    assert someone is not None
    forged = [
        f"rg:{lesson.id}:{student.id}:p",  # the register of a lesson
        f"gr:{lesson.id}:{student.id}:0:c:5",  # a grade
        f"at:{college.group.id}:0:{college.math.id}:{college.autumn.id}:{student.id}:5",
        f"dc:pair:{college.group.id}:{college.math.id}:",  # work programmes
        AbsCb().pack(),  # a curator's absences
        AbsCb(act="st", sid=student.id).pack(),
        InvCb(act="go", group=college.group.id).pack(),  # a curator's links
        DiaryCb(act="today").pack(),
        SendCb(act="new").pack(),
        NotifyCb(action="show").pack(),
        AccCb(act="r", id=someone.id).pack(),  # revoking needs `manage_accounts`
    ]
    for data in forged:
        before = len(methodist.bot_messages)
        await methodist.click_data(methodist.last, data)
        assert methodist.alerts[-1].show_alert, data
        assert len(methodist.bot_messages) == before, data
    async with app.session_factory() as session:
        for table in (Attendance, Grade, Invite):
            assert await session.scalar(select(func.count()).select_from(table)) == 0
    still = await account_of(app, someone_user)
    assert still is not None and still.revoked_at is None


def test_a_position_grants_its_words_instead_of_the_role_it_is_based_on() -> None:
    methodist = Actor(
        person_id=1,
        org_id=1,
        roles=frozenset({Role.TEACHER}),
        positions=((Role.TEACHER, policy.rights_of_words(["journal.view_all", "x.unknown"])),),
    )
    assert methodist.rights == {policy.Action.READ_GROUP_JOURNALS}
    assert methodist.rights_as(Role.TEACHER) == methodist.rights
    assert methodist.rights_as(Role.CURATOR) == frozenset()


def test_every_right_has_a_word_and_every_word_is_known() -> None:
    assert set().union(*policy.WORDS.values()) == set(policy.Action)
    assert tuple(policy.WORDS) == RIGHTS


async def test_the_administrator_gives_a_position_in_the_bot(
    app: BotApp, college: OfficeCollege
) -> None:
    await _methodist(app, college, ["journal.view_all", "announce.org"])
    async with app.session_factory.begin() as session:
        org = await session.get(Organisation, college.org.id)
        assert org is not None
        newcomer = await add_person(session, org, "Новикова", "Нина")
    admin = await app.link(college.admin, language="en")
    await admin.command("menu")
    await admin.click("👤 Accounts")
    await admin.click("🔎 Find a person")
    await admin.send("Нови")
    await admin.click(newcomer.full_name)
    await admin.click("🎖 Give a position")
    await admin.click("Методист")
    assert "now holds the position “Методист”" in admin.last.text

    nina = await app.link(newcomer)
    await nina.command("menu")
    assert nina.last.button_labels == [
        "📣 Announcement",
        "🗂 Group journals",
        "🌐 Language",
        "📱 Messengers",
    ]
    secretary = await app.link(college.secretary)
    await secretary.command("menu")
    async with app.session_factory() as session:
        position_id = await session.scalar(select(Position.id).where(Position.code == "methodist"))
    await secretary.click_data(
        secretary.last, AccCb(act="pg", id=college.secretary.id, pos=position_id or 0).pack()
    )
    assert secretary.alerts[-1].show_alert
    async with app.session_factory() as session:
        held = await session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.person_id == college.secretary.id, Membership.position_id.is_not(None)
            )
        )
    assert held == 0
