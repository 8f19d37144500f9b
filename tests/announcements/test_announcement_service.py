"""The announcement rules without the bot: whom each audience names, who may address whom,
one publish per confirmed preview, the outbox rows, acknowledgements and the audit."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import Denied, Invalid
from services.access import load_actor
from services.announcements import service as svc
from services.announcements.service import Audience, Kind
from storage.models import Announcement, Person, Role, TelegramAccount, utcnow
from tests.announcements.kit import outbox, publish, receipts
from tests.factories import College, audit_trail, make_college

Factory = async_sessionmaker[AsyncSession]


async def _author(session: AsyncSession, person: Person, role: Role) -> svc.Author:
    return svc.author_of(await load_actor(session, person.id), role)


async def _people(
    factory: Factory, person: Person, role: Role, groups: list[int], kinds: list[Kind]
) -> set[int]:
    async with factory() as session:
        author = await _author(session, person, role)
        audience = Audience.of(groups, kinds)
        await svc.check_audience(session, author, audience)
        return await svc.addressed_people(session, author, audience)


async def _link(factory: Factory, *people: Person) -> None:
    async with factory.begin() as session:
        for n, person in enumerate(people):
            chat = 9_100_000 + person.id * 10 + n
            session.add(TelegramAccount(telegram_user_id=chat, chat_id=chat, person_id=person.id))


async def test_audiences_name_the_right_people(
    session_factory: Factory, college: College, admin: Person
) -> None:
    group, other = college.group.id, college.other_group.id
    curator, deputy = college.curator, college.deputy
    studying = {s.person.id for s in college.students}
    assert college.expelled.person.id not in studying
    assert await _people(session_factory, curator, Role.CURATOR, [group], [Kind.STUDENTS]) == (
        studying
    )
    assert await _people(session_factory, curator, Role.CURATOR, [group], [Kind.PARENTS]) == {
        college.parents[s.id].id for s in college.students
    }
    teachers = {college.teacher.id, college.other_teacher.id}
    assert await _people(session_factory, deputy, Role.DEPUTY, [], [Kind.TEACHERS]) == teachers
    assert await _people(session_factory, deputy, Role.DEPUTY, [group], [Kind.TEACHERS]) == (
        teachers
    )
    assert await _people(session_factory, deputy, Role.DEPUTY, [other], [Kind.TEACHERS]) == set()
    assert await _people(session_factory, deputy, Role.DEPUTY, [], [Kind.CURATORS]) == {curator.id}
    assert await _people(session_factory, deputy, Role.DEPUTY, [other], [Kind.CURATORS]) == set()
    everyone_but_deputy = teachers | {curator.id, college.director.id, admin.id}
    assert await _people(session_factory, deputy, Role.DEPUTY, [], [Kind.STAFF]) == (
        everyone_but_deputy
    )
    whole = await _people(session_factory, admin, Role.ADMIN, [], [Kind.STUDENTS, Kind.PARENTS])
    assert len(whole) == 2 * (len(college.students) + len(college.other_students))


async def test_a_curator_addresses_only_their_groups_and_only_students_and_parents(
    session_factory: Factory, college: College
) -> None:
    async with session_factory() as session:
        author = await _author(session, college.curator, Role.CURATOR)
        assert author.kinds == (Kind.STUDENTS, Kind.PARENTS)
        forged = [
            Audience.of([college.other_group.id], ["students"]),
            Audience.of([college.group.id, college.other_group.id], ["parents"]),
            Audience.of([], ["students"]),  # "the whole college"
            Audience.of([college.group.id], ["teachers"]),
            Audience.of([college.group.id], ["staff"]),
        ]
        for audience in forged:
            with pytest.raises((Denied, Invalid)):
                await svc.check_audience(session, author, audience)
        with pytest.raises(Denied, match="groups you curate"):
            await svc.check_groups(session, author, [college.other_group.id])
    with pytest.raises(Denied):
        await publish(
            session_factory, college.curator, Role.CURATOR, [college.other_group.id],
            [Kind.STUDENTS],
        )  # fmt: skip
    assert await outbox(session_factory) == []


async def test_roles_not_held_or_not_announcing_are_refused(
    session_factory: Factory, college: College
) -> None:
    async with session_factory() as session:
        teacher = await load_actor(session, college.teacher.id)
        deputy = await load_actor(session, college.deputy.id)
    for actor, role in ((teacher, Role.TEACHER), (teacher, Role.DEPUTY), (deputy, Role.ADMIN)):
        with pytest.raises(Denied):
            svc.author_of(actor, role)
    with pytest.raises(Denied):
        svc.author_of(deputy, "nonsense")


async def test_a_group_of_another_college_is_refused(
    session_factory: Factory, college: College
) -> None:
    async with session_factory() as session:
        second = await make_college(session, code="c2")
        await session.commit()
    async with session_factory() as session:
        author = await _author(session, college.deputy, Role.DEPUTY)
        with pytest.raises(Denied, match="no such group"):
            await svc.check_audience(session, author, Audience.of([second.group.id], ["parents"]))


async def test_outbox_rows_are_escaped_keyed_and_carry_the_button(
    session_factory: Factory, college: College
) -> None:
    students = [s.person for s in college.students[:2]]
    await _link(session_factory, *students)
    ann = await publish(
        session_factory, college.curator, Role.CURATOR, [college.group.id], [Kind.STUDENTS],
        "Room <b>204</b> & 205",
    )  # fmt: skip
    rows = await outbox(session_factory)
    assert sorted(r.dedup_key for r in rows) == sorted(f"ann:{ann}:{p.id}" for p in students)
    for row in rows:
        assert row.kind == "announcement" and row.document_file_id is None
        assert row.text.endswith("Room &lt;b&gt;204&lt;/b&gt; &amp; 205")
        [[button]] = row.reply_markup["inline_keyboard"]  # type: ignore[index]
        assert button == {"text": "✔ Acknowledge", "callback_data": f"an:ack:{ann}:"}
    assert [r.person_id for r in await receipts(session_factory, ann)] == sorted(
        p.id for p in students
    )
    async with session_factory() as session:
        [entry] = await audit_trail(session, "announcement", ann)
    assert entry.action == "create" and entry.actor_id == college.curator.id
    assert entry.changes["recipients_total"] == [None, 2]


async def test_one_preview_publishes_once(session_factory: Factory, college: College) -> None:
    await _link(session_factory, college.students[0].person)
    args = (session_factory, college.curator, Role.CURATOR, [college.group.id], [Kind.STUDENTS])
    await publish(*args, progress=(77, 5))
    with pytest.raises(Denied, match="already been sent"):
        await publish(*args, progress=(77, 5))
    assert len(await outbox(session_factory)) == 1


async def test_the_text_is_required_and_bounded(session_factory: Factory, college: College) -> None:
    with pytest.raises(Invalid):
        svc.clean_text("   ")
    with pytest.raises(Invalid, match="too long"):
        svc.clean_text("x" * (svc.TEXT_MAX + 1))
    assert svc.clean_text("  Hello  ") == "Hello"


async def test_only_recipients_acknowledge_and_only_once(
    session_factory: Factory, college: College
) -> None:
    student, outsider = college.students[0].person, college.other_students[0].person
    await _link(session_factory, student, outsider)
    ann = await publish(
        session_factory, college.curator, Role.CURATOR, [college.group.id], [Kind.STUDENTS]
    )
    async with session_factory.begin() as session:
        with pytest.raises(Denied):
            await svc.acknowledge(session, outsider.id, ann, utcnow())
        with pytest.raises(Denied):
            await svc.acknowledge(session, student.id, ann + 1, utcnow())
        assert await svc.acknowledge(session, student.id, ann, utcnow()) is svc.AckOutcome.DONE
        assert await svc.acknowledge(session, student.id, ann, utcnow()) is (svc.AckOutcome.ALREADY)
    async with session_factory() as session:
        acks = await svc.acknowledgers(session, college.curator.id, ann)
        assert acks.names == [student.short_name] and acks.total == 1
        with pytest.raises(Denied):
            await svc.acknowledgers(session, student.id, ann)
        figures = await svc.figures(session, await session.get(Announcement, ann))
    assert (figures.total, figures.sent, figures.pending, figures.acknowledged) == (1, 0, 1, 1)
