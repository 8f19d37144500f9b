"""The curator's group overview and the monthly group statement, through the bot: students
at risk first, hours missed by reason, averages, failing period grades, the XLSX's cells; a
group that is not the curator's is refused."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from keyboards.monitoring import GroupCb
from storage.models import AttestationForm, Grade, Organisation, PeriodGrade, Role
from tests.botapp import BotApp
from tests.factories import College, add_member, add_person
from tests.monitoring.kit import keep_journal

MONTH = "2026110120261117"


async def _with_risks(app: BotApp, college: College) -> None:
    """Смирнова failed the autumn math exam; Яковлев got a 2 on Monday."""
    async with app.session_factory() as session:
        await keep_journal(session, college)
        smirnova, yakovlev = college.students[4], college.students[5]
        session.add(
            PeriodGrade(org_id=college.org.id, student_id=smirnova.id, group_id=college.group.id,
                        discipline_id=college.math.id, period_id=college.autumn.id,
                        form=AttestationForm.EXAM, value="2")
        )  # fmt: skip
        session.add(
            Grade(org_id=college.org.id, lesson_id=college.lessons.yesterday.id,
                  student_id=yakovlev.id, discipline_id=college.math.id, value="2")
        )  # fmt: skip
        await session.commit()


async def test_overview_puts_students_at_risk_first(app: BotApp, college: College) -> None:
    await _with_risks(app, college)
    app.stand_at(college.now)
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("👥 My group")
    assert "Choose the period" in curator.last.text
    await curator.click("This month")
    lines = curator.last.text.split("\n")
    assert lines[0] == "ИС-21 · 01.11.2026 – 17.11.2026"
    assert lines[1] == "At risk"
    assert lines[2].startswith("⚠️ Смирнова Мария:") and "failing: Математика" in lines[2]
    assert lines[3].startswith("⚠️ Яковлев Денис:") and "average 2.00" in lines[3]
    assert lines[4] == "Others"
    assert lines[5] == (
        "Алексеев Иван Петрович: missed 2 h (valid 2, unexcused 0, not explained 0), average —"
    )
    assert lines[6].startswith("Борисова Анна Сергеевна: missed 2 h (valid 0, unexcused 0, "
                               "not explained 2)")  # fmt: skip
    assert "Егоров Олег: missed 0 h" in lines[7] and "average 5.00" in lines[7]
    assert "Андреев" not in curator.last.text  # expelled
    assert "Петров Кирилл" not in curator.last.text  # another group


async def test_group_statement_xlsx(app: BotApp, college: College) -> None:
    await _with_risks(app, college)
    app.stand_at(college.now)
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("👥 My group")
    await curator.click("This month")
    await curator.click("🖨 Group statement (XLSX)")
    document = curator.last.document
    assert document is not None and document.file_name == "statement-ИС-21-202611.xlsx"
    book = load_workbook(io.BytesIO(document.content))
    assert book.sheetnames == ["Attendance", "Progress"]
    attendance = book["Attendance"]
    assert attendance["A1"].value == "Group ИС-21 · 01.11.2026 – 17.11.2026"
    rows = list(attendance.iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("No.", "Student", "Hours missed", "Valid reason", "Unexcused",
                       "Not explained")  # fmt: skip
    assert rows[1] == (1, "Алексеев Иван Петрович", 2, 2, 0, 0)
    assert rows[2] == (2, "Борисова Анна Сергеевна", 2, 0, 0, 2)
    assert len(rows) == 7  # the six studying students
    assert attendance.freeze_panes == "C3"
    assert attendance.page_setup.orientation == "landscape"
    progress = book["Progress"]
    rows = list(progress.iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("No.", "Student", "Математика", "Average", "Failing period grades",
                       "Missing period grades")  # fmt: skip
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Егоров Олег"][2:4] == (5, 5)
    assert by_name["Яковлев Денис"][2:4] == (2, 2)
    assert by_name["Смирнова Мария"][4] == "Математика"


async def test_another_curators_group_is_refused(app: BotApp, college: College) -> None:
    async with app.session_factory.begin() as session:
        org = await session.get(Organisation, college.org.id)
        assert org is not None
        other = await add_person(session, org, "Соколова", "Вера")
        await add_member(session, other, Role.CURATOR, group=college.other_group)
    app.stand_at(college.now)
    curator = await app.link(other, language="en")
    await curator.command("menu")
    await curator.click("👥 My group")
    for forged in (
        GroupCb(act="sh", group=college.group.id, sp=MONTH),
        GroupCb(act="st", group=college.group.id, sp=MONTH),
        GroupCb(act="pe", group=college.group.id),
    ):
        await curator.click_data(curator.last, forged.pack())
        assert curator.alerts[-1].text == "This group is not one of yours."
    assert all(message.document is None for message in curator.bot_messages)
    teacher = await app.link(college.teacher, language="en")
    await teacher.command("menu")
    assert "👥 My group" not in teacher.last.button_labels
    await teacher.click_data(
        teacher.last, GroupCb(act="sh", group=college.group.id, sp=MONTH).pack()
    )
    assert teacher.alerts[-1].text == "This group is not one of yours."


async def test_typed_dates_and_their_refusals(app: BotApp, college: College) -> None:
    await _with_risks(app, college)
    app.stand_at(college.now)
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("👥 My group")
    await curator.click("📆 Other dates…")
    assert "Type the first and the last date" in curator.last.text
    await curator.send("17.11.2026 – 09.11.2026")
    assert curator.last.text == "The first date is after the last one. Please type them in order."
    await curator.send("07.11.2026 – 08.11.2026")  # a weekend
    assert curator.last.text == "There is no working day in these dates: nothing was due."
    await curator.send("16.11.2026 – 16.11.2026")
    lines = curator.last.text.split("\n")
    assert lines[0] == "ИС-21 · 16.11.2026 – 16.11.2026"
    assert "Яковлев Денис" in lines[3] and "average 2.00" in lines[3]
    await curator.click("🖨 Group statement (XLSX)")
    document = curator.last.document
    assert document is not None
    attendance = load_workbook(io.BytesIO(document.content))["Attendance"]
    assert attendance["A1"].value == "Group ИС-21 · 16.11.2026 – 16.11.2026"
