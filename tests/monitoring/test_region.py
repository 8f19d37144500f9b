"""The regional specialist: the colleges of their region side by side (aggregates only), a
college's teachers, the workbook, last month's workbook on the first working day by itself;
a college outside the region is refused."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import load_workbook

from bot.jobs import send_regional_workbooks
from keyboards.region import RegionCb
from services.monitoring import region
from storage.models import Organisation, Person
from tests.botapp import BotApp
from tests.factories import College, add_person, make_college
from tests.fakebot import TgUser
from tests.monitoring.kit import keep_journal

MONTH = "2026110120261117"


@dataclass
class Region:
    specialist: Person
    inside: College  # c2, in the region
    outside: College  # c3, not


async def _region(app: BotApp, college: College) -> Region:
    async with app.session_factory() as session:
        await keep_journal(session, college)
        inside = await make_college(session, code="c2")
        outside = await make_college(session, code="c3")
    async with app.session_factory.begin() as session:
        org = await session.get(Organisation, college.org.id)
        assert org is not None
        specialist = await add_person(session, org, "Регионова", "Алла")
        await region.assign(session, "c1", specialist.external_id, ["c1", "c2"])
    return Region(specialist, inside, outside)


async def _open(app: BotApp, college: College, r: Region) -> TgUser:
    app.stand_at(college.now)
    user = await app.link(r.specialist, language="en")
    await user.command("menu")
    await user.click("🗺 Region")
    await user.click("This month")
    return user


async def test_colleges_side_by_side_and_a_college_s_teachers(
    app: BotApp, college: College
) -> None:
    r = await _region(app, college)
    specialist = await _open(app, college, r)
    text = specialist.last.text
    assert text.startswith("Region · 01.11.2026 – 17.11.2026")
    assert "C1: lessons 6 · R1 on time 33% · R2 on time 33% · R9 on time — · " in text
    assert "absences without a reason 50%" in text
    assert "C2: lessons 5 · R1 on time 0%" in text  # nothing kept there
    assert "C3" not in text
    for student in college.students:  # aggregates only
        assert student.person.last_name not in text
    assert "🏫 C3" not in specialist.last.button_labels
    await specialist.click("🏫 C1")
    teachers = specialist.last.text
    assert "Кузнецова Е. В.: 3 late or missing, R1 on time 50%" in teachers
    assert "Орлов П. А.: 1 late or missing, R1 on time 0%" in teachers
    assert "Алексеев" not in teachers
    await specialist.click("⬅ Region")
    assert specialist.last.text.startswith("Region · ")


async def test_region_workbook(app: BotApp, college: College) -> None:
    r = await _region(app, college)
    specialist = await _open(app, college, r)
    await specialist.click("📊 Workbook (XLSX)")
    document = specialist.last.document
    assert document is not None and document.file_name == "region-20261101-20261117.xlsx"
    book = load_workbook(io.BytesIO(document.content))
    r1 = book["R1 registers"]
    rows = [row[:6] for row in r1.iter_rows(min_row=2, values_only=True)]
    assert rows[0][:2] == ("Region", "Region")
    assert [row[:2] for row in rows[1:]] == [("College", "C1"), ("College", "C2")]
    assert rows[1][2:6] == (1 / 3, 1 / 3, 1 / 3, 3)
    assert r1.freeze_panes == "C2"


async def test_a_college_outside_the_region_is_refused(app: BotApp, college: College) -> None:
    r = await _region(app, college)
    specialist = await _open(app, college, r)
    forged = RegionCb(act="co", sp=MONTH, org=r.outside.org.id).pack()
    await specialist.click_data(specialist.last, forged)
    assert specialist.alerts[-1].text == "This college is not in your region."
    deputy = await app.link(college.deputy, language="en")
    await deputy.command("menu")
    assert "🗺 Region" not in deputy.last.button_labels
    await deputy.click_data(deputy.last, RegionCb(act="su", sp=MONTH).pack())
    assert deputy.alerts[-1].text == "This is for the regional specialist."


async def test_last_month_s_workbook_on_the_first_working_day(
    app: BotApp, college: College
) -> None:
    r = await _region(app, college)
    specialist = await app.link(r.specialist, language="en")
    first = date(2026, 12, 1)  # a Tuesday
    send = send_regional_workbooks
    assert await send(app.session_factory, app.bot, app.settings, now=college.at(first, 8)) == 0
    assert specialist.bot_messages == []
    assert await send(app.session_factory, app.bot, app.settings, now=college.at(first, 9)) == 1
    document = specialist.last.document
    assert document is not None and document.file_name == "region-2026-11.xlsx"
    assert "Regional monitoring workbook · 01.11.2026 – 30.11.2026" in specialist.last.text
    cover = load_workbook(io.BytesIO(document.content))["About"]
    assert cover["B2"].value == "01.11.2026 – 30.11.2026"
    # Once a month: not again that day, nor the next.
    assert await send(app.session_factory, app.bot, app.settings, now=college.at(first, 15)) == 0
    second = date(2026, 12, 2)
    assert await send(app.session_factory, app.bot, app.settings, now=college.at(second, 9)) == 0
    assert len(specialist.bot_messages) == 1


async def test_typed_dates_and_their_refusals(app: BotApp, college: College) -> None:
    r = await _region(app, college)
    app.stand_at(college.now)
    specialist = await app.link(r.specialist, language="en")
    await specialist.command("menu")
    await specialist.click("🗺 Region")
    await specialist.click("📆 Other dates…")
    await specialist.send("30.11.2026 – 01.11.2026")
    assert specialist.last.text == (
        "The first date is after the last one. Please type them in order."
    )
    await specialist.send("07.11.2026 – 08.11.2026")
    assert specialist.last.text == "There is no working day in these dates: nothing was due."
    await specialist.send("09.11.2026 – 16.11.2026")
    text = specialist.last.text
    assert text.startswith("Region · 09.11.2026 – 16.11.2026")
    assert "C1: lessons 2 · " in text and "C3" not in text
    await specialist.click("📊 Workbook (XLSX)")
    document = specialist.last.document
    assert document is not None and document.file_name == "region-20261109-20261116.xlsx"
