"""Orders the history does not allow are refused with a message naming what is wrong, and
nothing is stored."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import GroupEnrolment, Person
from tests.botapp import BotApp
from tests.factories import College
from tests.fakebot import TgUser
from tests.orders import kit


async def _office(app: BotApp, college: College, secretary: Person) -> TgUser:
    app.stand_at(college.now)
    office = await app.link(secretary)
    await office.command("menu")
    return office


async def _expel(
    office: TgUser, letters: str, button: str, details: str, start: str = "📜 Movement order"
) -> None:
    await office.click(start)
    await office.click("Expulsion")
    await office.send(letters)
    await office.click(button)
    await office.send("академическая задолженность")
    await office.send(details)


async def _stays(app: BotApp) -> list[tuple[int, int, object]]:
    async with app.session_factory() as session:
        rows = await session.scalars(select(GroupEnrolment).order_by(GroupEnrolment.id))
        return [(r.student_id, r.group_id, r.until) for r in rows]


async def test_a_student_who_already_left(app: BotApp, college: College, secretary: Person) -> None:
    office = await _office(app, college, secretary)
    await office.click("📜 Movement order")
    await office.click("Expulsion")
    await office.send("Андр")
    alert = await office.click("Андреев Глеб · ИС-21 †")
    assert alert == "Андреев Г. has already left the college: no order can move them."
    assert await kit.orders(app.session_factory) == 0


async def test_an_effective_date_before_enrolment(
    app: BotApp, college: College, secretary: Person
) -> None:
    office = await _office(app, college, secretary)
    stays = await _stays(app)
    await _expel(office, "Егор", "Егоров Олег · ИС-21", "12-к 17.11.2026 01.08.2025")
    assert (
        "The effective date is before Егоров О. was enrolled in the group (01.09.2025)."
        in office.last.text
    )
    assert await kit.orders(app.session_factory) == 0 and await _stays(app) == stays


async def test_a_transfer_to_the_students_own_group(
    app: BotApp, college: College, secretary: Person
) -> None:
    office = await _office(app, college, secretary)
    await office.click("📜 Movement order")
    await office.click("Transfer to another group")
    await office.send("Яков")
    await office.click("Яковлев Денис · ИС-21")
    await office.click("ИС-21")
    await office.click("No subgroup")
    await office.send("13-к 17.11.2026")
    assert (
        "Яковлев Д. already studies in this group: choose another group or a subgroup."
        in office.last.text
    )
    assert await kit.orders(app.session_factory) == 0


async def test_a_number_already_used_this_year(
    app: BotApp, college: College, secretary: Person
) -> None:
    office = await _office(app, college, secretary)
    await _expel(office, "Яков", "Яковлев Денис · ИС-21", "14-к 17.11.2026")
    await office.click("✅ Confirm")
    assert await kit.orders(app.session_factory) == 1
    await _expel(office, "Егор", "Егоров Олег · ИС-21", "14-К 16.11.2026", "📜 Another order")
    assert "Order No. 14-К of 2026 is already in the journal: check the number." in office.last.text
    assert await kit.orders(app.session_factory) == 1
    # The same number of another year is another order.
    await office.send("14-к 30.12.2025 17.11.2026")
    await office.click("✅ Confirm")
    assert await kit.orders(app.session_factory) == 2


async def test_dates_that_are_not_dates_and_orders_from_the_future(
    app: BotApp, college: College, secretary: Person
) -> None:
    office = await _office(app, college, secretary)
    await _expel(office, "Яков", "Яковлев Денис · ИС-21", "15-к 31.02.2026")
    assert "“31.02.2026” is not a date. Write dates as 01.09.2026." in office.last.text
    await office.send("15-к 18.11.2026")
    assert "The order's date 18.11.2026 is still ahead" in office.last.text
    await office.send("15-к")
    assert "Send the order's number and date" in office.last.text
    assert await kit.orders(app.session_factory) == 0


async def test_nobody_else_enters_orders(app: BotApp, college: College) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    assert "📜 Movement order" not in teacher.last.button_labels
    for data in ("or:new:", "or:kind:expulsion", "or:find:", "or:card:1", "or:ok:"):
        await teacher.click_data(teacher.last, data)
        assert teacher.alerts[-1].show_alert
    assert await kit.orders(app.session_factory) == 0
