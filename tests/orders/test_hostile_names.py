"""Names and words typed into an order read as text on every screen of it."""

from __future__ import annotations

from storage.models import Person
from tests.botapp import BotApp
from tests.factories import College, add_student
from tests.orders import kit


async def test_an_order_for_a_student_with_markup_in_the_name(
    app: BotApp, college: College, secretary: Person
) -> None:
    async with app.session_factory.begin() as session:
        group = await kit.group(app.session_factory, college.group.id)
        await add_student(session, group, "<b>Злов</b>", "<i>Иван", "&amp;")
    app.stand_at(college.now)
    office = await app.link(secretary)
    await office.command("menu")
    await office.click("📜 Movement order")
    await office.click("Expulsion")
    await office.send("<b>")
    await office.click("<b>Злов</b> <i>Иван &amp; · ИС-21")
    await office.send("<script>по приказу</script>")
    await office.send("<u>1</u> 17.11.2026")
    assert "• <b>Злов</b> <. &. (ИС-21): expelled" in office.last.text
    assert "Reason: <script>по приказу</script>" in office.last.text
    await office.click("✅ Confirm")
    assert "Order No. <u>1</u> is entered: 1 student." in office.last.text
    await office.click("🔎 Student card")
    card = office.last.text
    assert "<b>Злов</b> <i>Иван &amp;" in card
    assert (
        "expulsion, order No. <u>1</u> of 17.11.2026 (ИС-21) — <script>по приказу</script>" in card
    )
