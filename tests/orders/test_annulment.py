"""The deputy director annuls an order before its effective date: what it was to change is
undone, it never takes effect, and it stays on file marked annulled. An order in effect, or
a press by anyone else, is refused and nothing changes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.jobs import apply_orders
from keyboards.orders import OrdCb, OrderAction
from storage.models import Membership, MovementOrder, Person, StudentStatus
from tests.botapp import BotApp
from tests.factories import College
from tests.fakebot import TgUser
from tests.orders import kit


async def _order(app: BotApp, number: str) -> MovementOrder:
    async with app.session_factory() as session:
        return (
            await session.scalars(select(MovementOrder).where(MovementOrder.number == number))
        ).one()


async def _family_until(app: BotApp, student_id: int) -> set[date | None]:
    async with app.session_factory() as session:
        rows = await session.scalars(select(Membership).where(Membership.student_id == student_id))
        return {m.until for m in rows}


async def _expel_by_phone(app: BotApp, college: College, details: str) -> TgUser:
    """The deputy expels Смирнова Мария with an order: number, order date[, effective date]."""
    app.stand_at(college.now)
    deputy = await app.link(college.deputy, language="en")
    await deputy.command("menu")
    await deputy.click("📜 Movement order")
    await deputy.click("Expulsion")
    await deputy.send("смир")
    await deputy.click("Смирнова Мария · ИС-21")
    await deputy.send("по собственному желанию")
    await deputy.send(details)
    await deputy.click("✅ Confirm")
    return deputy


async def test_the_deputy_annuls_an_expulsion_dated_ahead(
    app: BotApp, college: College, secretary: Person
) -> None:
    student = college.students[4]  # Смирнова Мария
    ahead = date(2026, 11, 25)
    deputy = await _expel_by_phone(app, college, f"102-к {college.today:%d.%m.%Y} {ahead:%d.%m.%Y}")
    assert "Смирнова" not in await kit.names_on(app.session_factory, college.group, ahead)
    assert await _family_until(app, student.id) == {ahead}

    # The secretary enters orders but does not annul them; her card has no such button.
    office = await app.link(secretary, language="en")
    await office.command("menu")
    await office.click("🔎 Student card")
    await office.send("Смирнова")
    await office.click("Смирнова Мария · ИС-21")
    assert not [b for b in office.last.button_labels if "Annul" in b]
    order = await _order(app, "102-к")
    forged = OrdCb(act=OrderAction.ANNUL_OK, val=f"{order.id}-{student.id}").pack()
    await office.click_data(office.last, forged)
    assert office.alerts[-1].show_alert
    assert "annulled by the deputy director" in (office.alerts[-1].text or "")
    assert (await _order(app, "102-к")).annulled_at is None

    await deputy.click("🔎 Student card")
    await deputy.click("✖ Annul order No. 102-к")
    assert "Annul order No. 102-к of 17.11.2026?" in deputy.last.text
    await deputy.click("✅ Annul it")
    assert "Order No. 102-к is annulled." in deputy.last.text

    assert "Смирнова" in await kit.names_on(app.session_factory, college.group, ahead)
    assert await _family_until(app, student.id) == {None}
    annulled = await _order(app, "102-к")
    assert annulled.annulled_at is not None and annulled.annulled_by == college.deputy.id
    assert [e.changes for e in await kit.audited(app.session_factory, "movement_order")][-1]
    # Its day comes and nothing happens.
    assert await apply_orders(app.session_factory, now=college.at(ahead, 0, 1)) == 0
    left = await kit.student(app.session_factory, student.id)
    assert (left.status, left.group_id) == (StudentStatus.STUDYING, college.group.id)
    await deputy.click("🔎 Student card")
    assert "(annulled)" in deputy.last.text
    assert not [b for b in deputy.last.button_labels if "Annul" in b]


async def test_an_order_in_effect_is_not_annulled(
    app: BotApp, college: College, secretary: Person
) -> None:
    student = college.students[4]
    deputy = await _expel_by_phone(app, college, f"103-к {college.today:%d.%m.%Y}")
    order = await _order(app, "103-к")
    forged = OrdCb(act=OrderAction.ANNUL_OK, val=f"{order.id}-{student.id}").pack()
    await deputy.click_data(deputy.last, forged)
    assert deputy.alerts[-1].show_alert
    assert "took effect on 17.11.2026" in (deputy.alerts[-1].text or "")
    assert (await _order(app, "103-к")).annulled_at is None
    assert (await kit.student(app.session_factory, student.id)).status is StudentStatus.EXPELLED
