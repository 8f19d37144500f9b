"""The secretary, new to the bot, expels a student with an order from the phone: from the
effective date the student is on no register and no list, their parent's access ends and no
notice about them goes out; the past stays as it was."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.journal import grades
from services.people import invites
from storage import people
from storage.absences import unexplained_in_groups
from storage.models import (
    Grade,
    Invite,
    Membership,
    OutboxMessage,
    OutboxStatus,
    Person,
    StudentStatus,
    TelegramAccount,
)
from tests.botapp import BotApp
from tests.factories import College
from tests.notifications.kit import notify
from tests.orders import kit


async def test_secretary_expels_a_student_from_the_phone(
    app: BotApp, college: College, secretary: Person
) -> None:
    student = college.students[4]  # Смирнова Мария
    parent_person = college.parents[student.id]
    today, yesterday = college.today, college.today - timedelta(days=1)
    app.stand_at(college.now)
    parent = await app.link(parent_person)
    await parent.command("menu")
    parent_menu = parent.last
    # In the morning the teacher grades her at yesterday's lesson; the notice is not out yet.
    async with app.session_factory.begin() as session:
        grade = await grades.add_grade(
            session, college.actor(college.teacher), college.lessons.yesterday.id, student.id,
            "5", college.at(today, 9),
        )  # fmt: skip
        grade_id = grade.id
        [issued] = await invites.issue(
            session, [await session.get(Person, secretary.id)], now=college.now,
            ttl=timedelta(days=60),
        )  # fmt: skip
        await invites.issue(
            session, [await session.get(Person, student.person_id)], now=college.now,
            ttl=timedelta(days=60),
        )  # fmt: skip
    # Her parent's notice of it waits out the merge window.
    await notify(app.session_factory, app.settings, college.at(today, 9, 1))

    # The secretary opens her link and finds the orders in her menu.
    phone = app.stranger("Дарья")
    await phone.command("start", issued.code)
    assert "📜 Movement order" in phone.last.button_labels
    await phone.click("📜 Movement order")
    await phone.click("Expulsion")
    await phone.send("смир")
    await phone.click("Смирнова Мария · ИС-21")
    await phone.send("по собственному желанию")
    await phone.send(f"101-к {today:%d.%m.%Y}")
    preview = phone.last.text
    assert "Order No. 101-к of 17 November 2026, in effect from 17 November 2026." in preview
    assert "Reason: по собственному желанию" in preview
    assert "• Смирнова М. (ИС-21): expelled" in preview
    assert "their and their parents' access to the diary ends" in preview
    assert await kit.orders(app.session_factory) == 0  # nothing until confirmed
    await phone.click("✅ Confirm")
    assert "Order No. 101-к is entered: 1 student." in phone.last.text
    assert "It is in effect now." in phone.last.text

    # Today's register has no Смирнова; yesterday's still has her, with her grade.
    assert "Смирнова" not in await kit.names_on(app.session_factory, college.group, today)
    assert "Смирнова" in await kit.names_on(app.session_factory, college.group, yesterday)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    await teacher.click("📅 My lessons")
    await teacher.click(next(b for b in teacher.last.button_labels if "Математика" in b))
    assert "Смирнова" not in " ".join(teacher.last.button_labels)
    assert "Егоров" in " ".join(teacher.last.button_labels)
    async with app.session_factory() as session:
        kept = await session.get(Grade, grade_id)
        assert kept is not None and kept.value == "5"
        # The curator's lists and the invite exports drop her and her parent.
        listed = await people.people_for_invites(
            session, college.org.id, group_ids=[college.group.id]
        )
        listed_ids = {p.id for p, _ in listed}
        assert student.person_id not in listed_ids and parent_person.id not in listed_ids
        absences = await unexplained_in_groups(session, college.org.id, [college.group.id], today)
        assert all(row.student_id != student.id for row in absences)
        roles = await session.scalars(select(Membership).where(Membership.student_id == student.id))
        for role in roles:
            assert (role.active, role.until) == (False, today)
        assert (await kit.student(app.session_factory, student.id)).status is StudentStatus.EXPELLED
        [invite] = await session.scalars(
            select(Invite).where(Invite.person_id == student.person_id)
        )
        assert invite.revoked_at is not None and invite.used_at is None

    # Her parent's next press is politely refused; the grade's notice never goes out.
    await parent.click("📖 Diary", message=parent_menu)
    assert "You no longer have access to the journal" in (parent.alerts[-1].text or "")
    await notify(app.session_factory, app.settings, college.at(today, 12, 30))
    async with app.session_factory() as session:
        chat = await session.scalar(
            select(TelegramAccount.chat_id).where(TelegramAccount.person_id == parent_person.id)
        )
        sent = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat))
        )
    assert [m.subject for m in sent] == [f"grade:{grade_id}"]
    assert sent[0].status is OutboxStatus.FAILED  # given up, never sent

    # The order is in her card and in the audit log.
    await phone.command("menu")
    await phone.click("🔎 Student card")
    await phone.send("Смирнова")
    await phone.click("Смирнова Мария · ИС-21 †")
    card = phone.last.text
    assert "expelled" in card
    assert (
        "17.11.2026: expulsion, order No. 101-к of 17.11.2026 (ИС-21) — по собственному желанию"
        in card
    )
    [created, *_] = await kit.audited(app.session_factory, "movement_order")
    assert created.action == "create" and created.changes["number"] == [None, "101-к"]
    memberships = await kit.audited(app.session_factory, "membership")
    assert {e.changes.get("until", [None, None])[1] for e in memberships} >= {today.isoformat()}
    assert any(e.entity_id == student.id for e in await kit.audited(app.session_factory, "student"))
