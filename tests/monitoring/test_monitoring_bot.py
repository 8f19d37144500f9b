"""Monitoring through the bot, as the deputy director and the director use it: a period, the
summary with the teachers furthest behind, a teacher, a lesson, the workbook and the chart;
and the refusals for bad dates, forged presses and people without the right."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from keyboards.monitoring import MonCb
from tests.botapp import BotApp
from tests.factories import College, make_college
from tests.fakebot import TgUser
from tests.monitoring.kit import keep_enrolment_and_distance, keep_every_rule, keep_journal

MONTH = "2026110120261117"


async def _open_month(app: BotApp, college: College, who: str = "deputy") -> TgUser:
    async with app.session_factory() as session:
        await keep_journal(session, college)
    app.stand_at(college.now)
    user = await app.link(getattr(college, who), language="en")
    await user.command("menu")
    await user.click("📈 Monitoring")
    assert "Choose the period" in user.last.text
    await user.click("This month")
    return user


async def test_summary_teacher_and_lesson(app: BotApp, college: College) -> None:
    deputy = await _open_month(app, college)
    summary = deputy.last.text
    assert "Monitoring · 01.11.2026 – 17.11.2026" in summary
    assert "R1 registers: ✅ 33% · ⏰ 33% · ❌ 33% of 3" in summary
    assert "R2 topics: ✅ 33% · ⏰ 33% · ❌ 33% of 3" in summary
    assert "R9 distance formats: nothing due" in summary
    assert "R5 accounts of the enrolled: nothing due" in summary  # every rule has its line
    assert "Absences without a reason: 50% (1 of 2)" in summary
    # Two grades; 31 students present at the six lessons (registers of 6, 3 for a subgroup).
    assert "Current grades per student at a lesson: 0.06" in summary
    behind = summary.split("Furthest behind")[1]
    assert behind.index("Кузнецова Е. В.: 3 late or missing") < behind.index(
        "Орлов П. А.: 1 late or missing"
    )

    await deputy.click("👤 Кузнецова Е. В. · 3")
    teacher = deputy.last.text
    assert "R1 registers: ✅ 50% · ⏰ 0% · ❌ 50% of 2" in teacher
    assert "02.11 · 1. ИС-21 · Математика: R1 missing, R2 missing" in teacher
    assert "16.11 · 2. ИС-21 · Математика: R2 late" in teacher
    assert "Информатика" not in teacher  # the other teacher's lesson

    await deputy.click("16.11 · 2. ИС-21 · Математика")
    lesson = deputy.last.text
    assert "Teacher: Кузнецова Е. В." in lesson
    assert "R1 registers: on time" in lesson and "R2 topics: late" in lesson
    assert "Students 6, absent 2, without a reason 1, grades 2" in lesson
    await deputy.click("⬅ The teacher")
    assert "Lessons late or missing" in deputy.last.text


async def test_summary_has_every_rule(app: BotApp, college: College) -> None:
    """From June to today each rule R1–R9 has items: the summary gives the college's line for
    each, and "furthest behind" counts the teachers' own rules (R1, R2, R3, R8, R9), not the
    curator's and the office's (R4–R7)."""
    async with app.session_factory() as session:
        await keep_journal(session, college)
    async with app.session_factory.begin() as session:
        await keep_every_rule(session, college)
        await keep_enrolment_and_distance(session, college)
    app.stand_at(college.now)
    deputy = await app.link(college.deputy, language="en")
    await deputy.command("menu")
    await deputy.click("📈 Monitoring")
    await deputy.click("📆 Other dates…")
    await deputy.send("01.06.2026 – 30.11.2026")
    summary = deputy.last.text
    assert "Monitoring · 01.06.2026 – 17.11.2026" in summary
    assert "✅ on time · ⏰ late · ❌ missing, of the items due" in summary
    for line in (
        "R1 registers: ✅ 33% · ⏰ 33% · ❌ 33% of 3",
        "R2 topics: ✅ 33% · ⏰ 33% · ❌ 33% of 3",
        "R3 period grades: ✅ 0% · ⏰ 0% · ❌ 100% of 1",
        "R4 absence documents: ✅ 100% · ⏰ 0% · ❌ 0% of 1",
        "R5 accounts of the enrolled: ✅ 0% · ⏰ 0% · ❌ 100% of 1",
        # the enrolment order entered on its day, the transfer late
        "R6 movement orders: ✅ 50% · ⏰ 50% · ❌ 0% of 2",
        "R7 curriculum: ✅ 0% · ⏰ 100% · ❌ 0% of 1",
        "R8 work programmes and КТП: ✅ 25% · ⏰ 0% · ❌ 75% of 4",
        "R9 distance formats: ✅ 50% · ⏰ 0% · ❌ 50% of 2",
    ):
        assert line in summary.splitlines()
    # Кузнецова: R1 1, R2 2, R3 1, R8 1 (English), R9 1; Орлов: R1 1, R8 2. R4–R7 are no
    # teacher's.
    behind = summary.split("Furthest behind")[1]
    assert behind.index("Кузнецова Е. В.: 6 late or missing") < behind.index(
        "Орлов П. А.: 3 late or missing"
    )

    await deputy.click("👤 Кузнецова Е. В. · 6")
    teacher = deputy.last.text.splitlines()
    assert "R3 period grades: ✅ 0% · ⏰ 0% · ❌ 100% of 1" in teacher
    assert "R8 work programmes and КТП: ✅ 50% · ⏰ 0% · ❌ 50% of 2" in teacher
    assert "R9 distance formats: ✅ 50% · ⏰ 0% · ❌ 50% of 2" in teacher
    assert not any(line.startswith(("R4", "R5", "R6", "R7")) for line in teacher)
    assert "02.11 · 1. ИС-21 · Математика: R1 missing, R2 missing, R9 missing" in teacher


async def test_workbook_has_a_sheet_per_indicator(app: BotApp, college: College) -> None:
    deputy = await _open_month(app, college)
    await deputy.click("📊 Workbook (XLSX)")
    document = deputy.last.document
    assert document is not None and document.file_name == "monitoring-20261101-20261117.xlsx"
    book = load_workbook(io.BytesIO(document.content))
    assert book.sheetnames == [
        "About",
        "R1 registers",
        "R2 topics",
        "R3 period grades",
        "R4 absence documents",
        "R5 accounts of the enrolled",
        "R6 movement orders",
        "R7 curriculum",
        "R8 work programmes and КТП",
        "R9 distance formats",
        "Absences without a reason",
        "Grades per student",
    ]
    cover = book["About"]
    assert cover["B2"].value == "01.11.2026 – 17.11.2026"
    assert cover["B3"].value == 6  # today's three lessons too, not due yet
    terms = [row[0] for row in cover.iter_rows(min_row=6, values_only=True)]
    assert "R1 registers" in terms and "Absences without a reason" in terms
    r1 = book["R1 registers"]
    assert r1.freeze_panes == "C2"
    assert [c.value for c in r1[1]][:6] == ["By", "Name", "On time", "Late", "Missing", "Due"]
    rows = {(r[0], r[1]): r for r in r1.iter_rows(min_row=2, values_only=True)}
    assert rows[("Teacher", "Орлов П. А.")][2:6] == (0, 1, 0, 1)
    assert rows[("Teacher", "Кузнецова Е. В.")][2:6] == (0.5, 0, 0.5, 2)
    assert rows[("Group", "ИС-21")][5] == 3
    assert r1.conditional_formatting  # the shares are coloured
    absences = book["Absences without a reason"]
    college_row = next(absences.iter_rows(min_row=2, max_row=2, values_only=True))
    assert college_row[2:] == (0.5, 1, 2)


async def test_workbook_judges_every_rule(app: BotApp, college: College) -> None:
    """R3–R8 in the workbook, for typed dates from June: the spring sheet still without its
    period grades (R3), a document decided in time (R4), an order entered late (R6), the
    curriculum entered after 1 September (R7), a teacher's documents of this year in time and
    the others missing, last year's not counted (R8)."""
    async with app.session_factory.begin() as session:
        await keep_every_rule(session, college)
    app.stand_at(college.now)
    deputy = await app.link(college.deputy, language="en")
    await deputy.command("menu")
    await deputy.click("📈 Monitoring")
    await deputy.click("📆 Other dates…")
    await deputy.send("01.06.2026 – 30.11.2026")
    await deputy.click("📊 Workbook (XLSX)")
    document = deputy.last.document
    assert document is not None
    book = load_workbook(io.BytesIO(document.content))

    def rows(sheet: str) -> dict[tuple[str, str], tuple[object, ...]]:
        found = book[sheet].iter_rows(min_row=2, values_only=True)
        return {(str(r[0]), str(r[1])): r[2:6] for r in found}

    # (on time, late, missing, due)
    r3 = rows("R3 period grades")
    assert r3[("Teacher", "Кузнецова Е. В.")] == (0, 0, 1, 1)
    assert r3[("Discipline", "Математика")] == (0, 0, 1, 1)
    assert rows("R4 absence documents")[("Group", "ИС-21")] == (1, 0, 0, 1)
    r6 = rows("R6 movement orders")
    assert r6[("College", "College c1")] == (0, 1, 0, 1)
    assert r6[("Group", "ИС-21")] == (0, 1, 0, 1)
    assert rows("R7 curriculum")[("College", "College c1")] == (0, 1, 0, 1)
    r8 = rows("R8 work programmes and КТП")
    assert r8[("College", "College c1")] == (0.25, 0, 0.75, 4)
    assert r8[("Teacher", "Кузнецова Е. В.")] == (0.5, 0, 0.5, 2)  # English: last year's
    assert r8[("Teacher", "Орлов П. А.")] == (0, 0, 1, 2)  # informatics: the КТП only
    terms = [row[0] for row in book["About"].iter_rows(min_row=6, values_only=True)]
    assert all(f"R{n} " in " ".join(str(t) for t in terms) for n in range(1, 10))


async def test_chart_is_sent_as_a_photo(app: BotApp, college: College) -> None:
    director = await _open_month(app, college, "director")
    await director.click("🖼 Chart")
    photo = director.last.photo
    assert photo is not None and photo.content.startswith(b"\x89PNG")
    assert "Registers on time by teacher and week · 01.11.2026 – 17.11.2026" in director.last.text


async def test_typed_dates_and_their_refusals(app: BotApp, college: College) -> None:
    app.stand_at(college.now)
    deputy = await app.link(college.deputy, language="en")
    await deputy.command("menu")
    await deputy.click("📈 Monitoring")
    await deputy.click("📆 Other dates…")
    await deputy.send("30.11.2026 – 01.11.2026")
    assert deputy.last.text == "The first date is after the last one. Please type them in order."
    await deputy.send("07.11.2026 – 08.11.2026")  # a weekend
    assert deputy.last.text == "There is no working day in these dates: nothing was due."
    await deputy.send("next week")
    assert "Please type two dates" in deputy.last.text
    await deputy.send("31.02.2026 – 01.03.2026")
    assert "There is no such date" in deputy.last.text
    await deputy.send("01.12.2026 – 10.12.2026")
    assert deputy.last.text == "These days have not come yet: there is nothing to judge."
    await deputy.send("09.11.2026 – 30.11.2026")
    assert "Monitoring · 09.11.2026 – 17.11.2026" in deputy.last.text  # up to today


async def test_forged_presses_and_no_right(
    app: BotApp, college: College, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        elsewhere = await make_college(session, code="c2")
    deputy = await _open_month(app, college)
    forged = MonCb(act="te", sp=MONTH, tid=elsewhere.teacher.id).pack()
    await deputy.click_data(deputy.last, forged)
    assert deputy.alerts[-1].text == "This teacher is not found in your college."
    forged = MonCb(act="le", sp=MONTH, tid=college.teacher.id, lid=elsewhere.lessons.old.id)
    await deputy.click_data(deputy.last, forged.pack())
    assert deputy.alerts[-1].text == "This lesson is not found in your college."
    await deputy.click_data(deputy.last, MonCb(act="su", sp="2026111720261101").pack())
    assert deputy.alerts[-1].text == (
        "The first date is after the last one. Please type them in order."
    )
    await deputy.click_data(deputy.last, MonCb(act="su", sp="garbage").pack())
    assert "no longer active" in (deputy.alerts[-1].text or "")

    teacher = await app.link(college.teacher, language="en")
    await teacher.command("menu")
    labels = teacher.last.button_labels
    assert "🗓 My week" in labels and "📈 Monitoring" not in labels
    await teacher.click_data(teacher.last, MonCb(act="su", sp=MONTH).pack())
    assert teacher.alerts[-1].text == "Monitoring is for the deputy director and the director."
    await teacher.click_data(teacher.last, MonCb(act="bk", sp=MONTH).pack())
    assert teacher.last.document is None
