"""Every screen with names that mean something in HTML: people, groups, disciplines, the
period, topics, homework, comments and an announcement written with ``<``, ``&``, ``>``,
quotes and a crafted link, padded to 120 Cyrillic characters. Each screen must arrive (the fake
Bot API server refuses malformed HTML as Telegram does) and show the names as typed, with no
link made of them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import notify_events, queue_digests, scan_reminders
from handlers.sender import Sender
from services.notifications import prefs
from storage.models import Discipline, Group, Lesson, Period, Person, Subgroup
from tests.botapp import BotApp
from tests.curator.kit import mark_absent
from tests.factories import College
from tests.fakebot import ChatMessage, TgUser
from tests.notifications import kit

Factory = async_sessionmaker[AsyncSession]


def hostile(word: str, length: int = 120) -> str:
    """``word`` among characters HTML gives meaning to, padded with Cyrillic to ``length``
    (120, or what the store keeps for a short code such as a group's name)."""
    core = f'<b>{word}</b> & <a href="https://example.com">«{word}»</a> \'1 > 0\' "&amp;" <'
    if length < len(core):
        core = f"<{word}>&\"'"
    return (core + " " + "Щ" * length)[:length]


LAST, FIRST = hostile("Фамилия"), hostile("Имя")
CLASSMATE = hostile("Однокурсник")  # the other students: buttons tell them apart
# A group's and a subgroup's name are short codes (ИС-21): the store keeps 32 characters.
GROUP, OTHER_GROUP, SUBGROUP = (hostile(w, 32) for w in ("Группа", "Другая", "Подгруппа"))
MATH, ENGLISH, INFORMATICS = hostile("Математика"), hostile("Английский"), hostile("Информатика")
PERIOD, CLOSED_PERIOD = hostile("Семестр", 64), hostile("Весна", 64)  # the store keeps 64
TOPIC, HOMEWORK, COMMENT = hostile("Тема"), hostile("Задание"), hostile("Комментарий")
CERTIFICATE, ANNOUNCEMENT = hostile("Справка"), hostile("Объявление")
SHORT = f"{LAST} {FIRST[0]}."  # a person's short name: the surname and the initial


def test_the_names_are_hostile_and_long() -> None:
    for name in (LAST, MATH, TOPIC, COMMENT):
        assert len(name) == 120
    assert len(GROUP) == 32 and len(PERIOD) == 64
    for name in (LAST, GROUP, SUBGROUP, PERIOD, MATH, TOPIC, COMMENT):
        assert all(c in name for c in "<&>\"'")


def shows(message: ChatMessage, *texts: str) -> None:
    """The message reads ``texts`` literally, and nothing in it became a link."""
    for text in texts:
        assert text in message.text, f"{text!r} not in {message.text!r}"
    assert all(e["type"] != "text_link" for e in message.entities), message.entities


def button(user: TgUser, starts: str) -> str:
    """The label of the latest message's button that starts with ``starts``."""
    found = [b for b in user.last.button_labels if b.startswith(starts)]
    assert found, f"no button starting {starts!r}: {user.last.button_labels}"
    return found[0]


@pytest.fixture
async def hostile_college(app: BotApp, college: College) -> College:
    async with app.session_factory.begin() as session:
        await session.execute(
            update(Person).values(last_name=LAST, first_name=FIRST, middle_name="")
        )
        classmates = [s.person_id for s in college.students[1:]]
        await session.execute(
            update(Person).where(Person.id.in_(classmates)).values(last_name=CLASSMATE)
        )
        for group_id, name in ((college.group.id, GROUP), (college.other_group.id, OTHER_GROUP)):
            await session.execute(update(Group).where(Group.id == group_id).values(name=name))
        await session.execute(
            update(Subgroup).where(Subgroup.id == college.sub1.id).values(name=SUBGROUP)
        )
        for discipline, name in (
            (college.math, MATH),
            (college.english, ENGLISH),
            (college.informatics, INFORMATICS),
        ):
            await session.execute(
                update(Discipline).where(Discipline.id == discipline.id).values(name=name)
            )
        for period, name in ((college.autumn, PERIOD), (college.spring, CLOSED_PERIOD)):
            await session.execute(update(Period).where(Period.id == period.id).values(name=name))
        await session.execute(
            update(Lesson)
            .where(Lesson.id == college.lessons.today.id)
            .values(topic=TOPIC, homework=HOMEWORK)
        )
    student = college.students[0]
    await kit.add_grade(app.session_factory, college, student, "5", college.now, comment=COMMENT)
    await mark_absent(app.session_factory, college.lessons.yesterday, student.id)
    app.stand_at(college.now)
    return college


async def _menu(user: TgUser, *texts: str) -> None:
    await user.command("menu")
    shows(user.last, SHORT, *texts)


async def test_the_menu_of_every_role(app: BotApp, hostile_college: College) -> None:
    college = hostile_college
    student = college.students[0]
    for person in (
        college.teacher,
        college.curator,
        college.deputy,
        college.director,
        student.person,
    ):
        await _menu(await app.link(person, language="en"))
    parent = await app.link(college.parents[student.id], language="en")
    await _menu(parent, f"Children: {SHORT} ({GROUP})")
    # /start of someone already linked shows the same menu.
    await parent.command("start")
    shows(parent.last, SHORT)


async def test_the_teacher_screens(app: BotApp, hostile_college: College) -> None:
    college = hostile_college
    teacher = await app.link(college.teacher, language="en")
    await teacher.command("menu")
    await teacher.click("📅 My lessons")
    shows(teacher.last, f"{GROUP} · {MATH}", f"{GROUP} / {SUBGROUP} · {ENGLISH}")
    await teacher.click(next(b for b in teacher.last.button_labels if "09:00" in b))
    card = teacher.last
    shows(card, f"{MATH} · {GROUP}", f"Topic: {TOPIC}", f"Homework: {HOMEWORK}")
    await teacher.click(button(teacher, f"✅ {LAST[:20]}"), message=card)
    shows(teacher.last, "absent 1")
    await teacher.click("⭐ Grades", message=card)
    shows(teacher.last, MATH, GROUP)
    await teacher.click(button(teacher, LAST[:20]))
    shows(teacher.last, SHORT, MATH, COMMENT)
    await teacher.click("⬅ Students")
    await teacher.click("⬅ Lesson")
    await teacher.click("✏ Topic")
    shows(teacher.last, f"Now: {TOPIC}")

    # A lesson of the closed period, opened from a link: the card says why it is locked.
    await teacher.command("start", f"lesson-{college.lessons.closed.id}")
    shows(teacher.last, MATH, f"The period “{CLOSED_PERIOD}” is closed")

    await teacher.command("menu")
    await teacher.click("📝 Attestation")
    shows(teacher.last, GROUP, MATH)
    await teacher.click(button(teacher, f"⬜ {GROUP[:20]}"))
    shows(teacher.last, GROUP, PERIOD, SHORT, CLASSMATE)
    assert MATH in teacher.last.text or ENGLISH in teacher.last.text
    await teacher.click(button(teacher, LAST[:20]))
    shows(teacher.last, SHORT, PERIOD)

    await teacher.command("menu")
    await teacher.click("📎 Work programmes")
    shows(teacher.last, f"{GROUP} · {MATH}")
    await teacher.click(button(teacher, f"⚠ {GROUP[:20]}"))
    shows(teacher.last, GROUP, "Work programme: ⚠ not uploaded")


async def test_the_group_journal_of_the_deputy(app: BotApp, hostile_college: College) -> None:
    deputy = await app.link(hostile_college.deputy, language="en")
    await deputy.command("menu")
    await deputy.click("🗂 Group journals")
    await deputy.click(button(deputy, GROUP[:20]))
    shows(deputy.last, f"Journal of {GROUP}", MATH)


async def test_the_diary_screens(app: BotApp, hostile_college: College) -> None:
    college = hostile_college
    student = await app.link(college.students[0].person, language="en")
    await student.command("menu")
    await student.click("📖 Diary")
    day = (MATH, f"Topic: {TOPIC}", f"Homework: {HOMEWORK}", f"«{COMMENT}»")
    shows(student.last, LAST, GROUP, *day)
    await student.click("📆 Week")
    shows(student.last, LAST, GROUP, *day)
    await student.click("📊 Grades")
    shows(student.last, f"{MATH}: 5", f"Period: {PERIOD}")
    await student.click("🗓 Attendance")
    shows(student.last, f"Period: {PERIOD}", f"— {MATH}")


async def test_the_curator_screens_and_a_certificate(app: BotApp, hostile_college: College) -> None:
    college = hostile_college
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("❗ Unexplained absences")
    shows(curator.last, GROUP, LAST)
    await curator.click(button(curator, LAST[:20]))
    shows(curator.last, LAST, GROUP, MATH)
    await curator.command("menu")
    await curator.click("❗ Unexplained absences")
    await curator.click("📅 By day")
    shows(curator.last, LAST)

    await curator.command("menu")
    await curator.click("🔗 Invite links")
    shows(curator.last, f"Invite links: {GROUP}")
    await curator.click("✅ Issue new links")
    chat = curator.bot_messages[-4:]
    assert any(f"new links for {GROUP}" in m.text for m in chat)
    assert any(f"{LAST} {FIRST} · Student" in m.text for m in chat)
    assert curator.last.document is not None
    shows(curator.last, f"Invite links of {GROUP} to print.")
    for message in chat:
        shows(message)

    parent = await app.link(college.parents[college.students[0].id], language="en")
    await parent.command("menu")
    await parent.click("📄 Send a certificate")
    shows(parent.last, f"Certificate for {SHORT} ({GROUP})")
    await parent.click("Yesterday and today")
    await parent.send_photo(b"\xff\xd8 scan", caption=CERTIFICATE)
    shows(parent.last, "has been sent")
    sender = Sender(app.bot, app.session_factory)
    assert await sender.drain_once(college.now) == 1
    notice = curator.last
    shows(notice, f"Certificate for {SHORT} ({GROUP})", f"{SHORT}, parent", CERTIFICATE)
    await curator.click("✅ Approve: illness", notice)
    shows(curator.last, f"Certificate for {SHORT} ({GROUP})")
    assert await sender.drain_once(college.now) == 1
    shows(parent.last, f"The certificate for {FIRST},")


async def test_an_announcement_preview_and_its_message(
    app: BotApp, hostile_college: College
) -> None:
    college = hostile_college
    curator = await app.link(college.curator, language="en")
    parent = await app.link(college.parents[college.students[0].id], language="en")
    await curator.command("menu")
    await curator.click("📣 Announcement")
    shows(curator.last, GROUP)
    await curator.click("Next ➡")
    await curator.send(ANNOUNCEMENT)
    shows(curator.last, GROUP, ANNOUNCEMENT)
    await curator.click("📤 Send")
    shows(curator.last, GROUP, f"«{ANNOUNCEMENT}»")
    assert await Sender(app.bot, app.session_factory).drain_once(college.now) >= 1
    shows(parent.last, LAST, "Curator", ANNOUNCEMENT)


async def test_notifications_and_digests(app: BotApp, hostile_college: College) -> None:
    college = hostile_college
    student = college.students[0]
    person = college.parents[student.id]
    parent = await app.link(person, language="en")
    async with app.session_factory.begin() as session:
        for kind, taps in ((prefs.WEEKLY, 1), (prefs.ATTENDANCE, 1)):  # on; in the digest
            for _ in range(taps):
                await prefs.cycle(
                    session, org_id=college.org.id, person_id=person.id, kind=kind, as_parent=True
                )
    await kit.add_grade(app.session_factory, college, student, "4", college.now, comment=COMMENT)
    await kit.absent(app.session_factory, college, student, now=college.now)
    assert await notify_events(app.session_factory, app.settings, now=college.now) >= 1
    sender = Sender(app.bot, app.session_factory)
    # The 5 was given before the parent linked Telegram: no backlog, the 4 only.
    assert await sender.drain_once(college.now + timedelta(hours=1)) == 1
    shows(parent.last, f"{FIRST}: new grade 4", MATH, f"Comment: {COMMENT}")

    evening = college.at(college.today, 19, 5)
    assert await queue_digests(app.session_factory, app.settings, now=evening) == 1
    assert await sender.drain_once(evening) == 1
    shows(parent.last, FIRST, f"{MATH}, 17 November: absent")

    sunday = college.at(college.today + timedelta(days=5), 19, 1)
    assert await queue_digests(app.session_factory, app.settings, now=sunday) == 1
    assert await sender.drain_once(sunday) == 1
    shows(parent.last, FIRST, f"• {MATH}: ", f"{MATH}, pair 1: absent")


async def test_a_reminder_digest(app: BotApp, hostile_college: College) -> None:
    college = hostile_college
    teacher = await app.link(college.teacher, language="en")
    evening = college.at(college.today, 17)
    report = await scan_reminders(app.session_factory, app.settings, now=evening)
    assert report.queued == 1
    assert await Sender(app.bot, app.session_factory).drain_once(evening) == 1
    shows(teacher.last, "Today's lessons without a topic", GROUP, ENGLISH)
