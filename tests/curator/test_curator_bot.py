"""The curator's side through the bot: a parent's photo certificate approved by the curator,
reasons for a date range, invite links of the group — and nobody else's presses count."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from keyboards.curator import AbsCb, InvCb
from keyboards.justification import DecideCb, SendCb
from storage.models import (
    AbsenceReason,
    Attendance,
    Group,
    Invite,
    JustificationStatus,
    Person,
    Role,
)
from tests.botapp import BotApp
from tests.curator.kit import (
    MON,
    CuratorCollege,
    deliver,
    justifications,
    mark_absent,
    reason_of,
)
from tests.factories import add_member, add_person, add_student
from tests.fakebot import TgUser

APPROVE = "✅ Approve: illness"
SCAN = b"\xff\xd8 certificate scan"
# Messages through the outbox follow the account's language (else the college's, Russian).


async def _certificate_from_parent(app: BotApp, college: CuratorCollege) -> TgUser:
    parent = await app.link(college.parents[college.students[0].id], language="en")
    await parent.command("menu")
    await parent.click("📄 Send a certificate")
    assert "Certificate for Алексеев И. П. (ИС-21)" in parent.last.text
    await parent.click("Yesterday and today")
    assert "Dates: 16 November – 17 November." in parent.last.text
    await parent.send_photo(SCAN, caption="Flu, certificate from the clinic")
    assert "The certificate for 16 November – 17 November has been sent." in parent.last.text
    return parent


async def test_parent_sends_a_photo_and_the_curator_approves_it(
    app: BotApp, college: CuratorCollege
) -> None:
    app.stand_at(college.now)
    student = college.students[0]
    for lesson in (college.lessons.yesterday, college.lessons.today, college.fri):
        await mark_absent(app.session_factory, lesson, student.id)
    curator = await app.link(college.curator, language="en")
    parent = await _certificate_from_parent(app, college)

    [row] = await justifications(app.session_factory)
    assert (row.file_kind, row.status) == ("photo", JustificationStatus.PENDING)
    assert row.comment == "Flu, certificate from the clinic"
    assert row.submitted_at == college.now

    assert await deliver(app, college) == 1
    notice = curator.last  # the photo itself, the notice as its caption, the buttons under it
    assert notice.photo is not None and notice.photo.content == SCAN
    assert "Certificate for Алексеев И. П. (ИС-21)" in notice.text
    assert "Sent by: Алексеев Р., parent" in notice.text
    assert "Comment: Flu, certificate from the clinic" in notice.text
    assert "Unexplained absences in these dates: 2 lessons." in notice.text
    assert APPROVE in notice.button_labels and "🖼 Show the photo" not in notice.button_labels
    assert [c.method for c in app.api.calls(chat_id=curator.chat_id)] == ["sendPhoto"]

    await curator.click(APPROVE, notice)
    assert "Reason set for 2 lessons. The sender has been told." in curator.last.text
    assert notice.button_labels == []  # decided: the buttons are gone
    for lesson in (college.lessons.yesterday, college.lessons.today):
        mark = await reason_of(app.session_factory, lesson, student.id)
        assert mark is not None
        assert (mark.reason, mark.reason_set_by) == (AbsenceReason.ILLNESS, college.curator.id)
    before = await reason_of(app.session_factory, college.fri, student.id)
    assert before is not None and before.reason is None  # Friday is not in the dates

    assert await deliver(app, college) == 1
    assert "was accepted: illness" in parent.last.text
    assert "Absences excused: 2 lessons." in parent.last.text

    # The old button pressed again (a stale client): already decided, nothing twice.
    await curator.click_data(notice, DecideCb(act="ok", id=row.id, r="e").pack())
    assert curator.alerts[-1].show_alert
    assert "already been decided by Морозова И. П.: approved (illness)" in (
        curator.alerts[-1].text or ""
    )
    [row] = await justifications(app.session_factory)
    assert row.reason is AbsenceReason.ILLNESS
    assert await deliver(app, college) == 0


async def test_the_second_curator_of_the_group_hears_who_decided(
    app: BotApp, college: CuratorCollege
) -> None:
    app.stand_at(college.now)
    async with app.session_factory.begin() as session:
        await add_member(session, college.teacher, Role.CURATOR, group=college.group)
    first = await app.link(college.curator, language="en")
    second = await app.link(college.teacher, language="en")
    await _certificate_from_parent(app, college)
    assert await deliver(app, college) == 2
    await second.click("❌ Reject")  # asks first: a rejection is final
    assert "✅ Approve: illness" not in second.last.button_labels
    await first.click(APPROVE)
    await second.click("❌ Yes, reject")
    assert "already been decided by Морозова И. П.: approved (illness)" in (
        second.alerts[-1].text or ""
    )
    [row] = await justifications(app.session_factory)
    assert row.status is JustificationStatus.APPROVED


async def test_curator_sets_a_reason_for_a_date_range(app: BotApp, college: CuratorCollege) -> None:
    app.stand_at(college.now)
    student = college.students[1]
    for lesson in (college.thu, college.fri, college.mon, college.lessons.today):
        await mark_absent(app.session_factory, lesson, student.id)
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("❗ Unexplained absences")
    assert "Борисова А. С.: 4 lessons, 12.11–17.11" in curator.last.text
    await curator.click("Борисова А. С. · 4")
    assert "12 November, Thu: 1. Математика" in curator.last.text
    await curator.click("📆 Several days (a certificate)…")
    await curator.send("12.11–16.11")
    assert "For: 12 November – 16 November" in curator.last.text
    assert "Unexplained: 3 lessons on 3 days." in curator.last.text
    await curator.click("🤒 Illness")
    assert curator.alerts[-1].text == "Reason “illness” set for 3 lessons."
    for lesson in (college.thu, college.fri, college.mon):
        mark = await reason_of(app.session_factory, lesson, student.id)
        assert mark is not None and mark.reason is AbsenceReason.ILLNESS
    # Back on the student's screen, only today is left; a single lesson gets its own reason.
    assert "12 November" not in curator.last.text and "17 November" in curator.last.text
    await curator.click("17.11 · 1. Математика")
    await curator.click("🚫 Unexcused")
    today = await reason_of(app.session_factory, college.lessons.today, student.id)
    assert today is not None and today.reason is AbsenceReason.UNEXCUSED
    assert "No unexplained absences." in curator.last.text


async def test_curator_records_a_paper_certificate_and_the_day_it_came(
    app: BotApp, college: CuratorCollege
) -> None:
    """R4 counts from the day the paper was brought: the curator records it, then decides."""
    app.stand_at(college.now)  # Tuesday 17 November 2026
    student = college.students[1]
    for lesson in (college.thu, college.fri, college.mon):
        await mark_absent(app.session_factory, lesson, student.id)
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("❗ Unexplained absences")
    await curator.click("Борисова А. С. · 3")
    await curator.click("📥 A paper certificate was brought…")
    assert "Paper certificate for Борисова А. С." in curator.last.text
    await curator.send("12.11–13.11")
    assert "Certificate for 12 November – 13 November." in curator.last.text
    await curator.send("18.11")  # tomorrow: refused, nothing stored
    assert "cannot be in the future" in curator.last.text
    assert await justifications(app.session_factory) == []
    await curator.send("16.11")
    assert "Please decide on it by 18 November" in curator.texts[-2]
    notice = curator.last
    assert "Paper certificate, received 16 November" in notice.text
    assert "Unexplained absences in these dates: 2 lessons." in notice.text
    [row] = await justifications(app.session_factory)
    assert (row.file_kind, row.received_on, row.status, row.submitted_by) == (
        "paper",
        MON,
        JustificationStatus.PENDING,
        college.curator.id,
    )
    await curator.click(APPROVE, notice)
    for lesson in (college.thu, college.fri):
        mark = await reason_of(app.session_factory, lesson, student.id)
        assert mark is not None and mark.reason is AbsenceReason.ILLNESS
    monday = await reason_of(app.session_factory, college.mon, student.id)
    assert monday is not None and monday.reason is None  # not in the certificate's dates

    # "Today" takes the college's date; the other curator cannot record one for this group.
    await curator.command("menu")
    await curator.click("❗ Unexplained absences")
    await curator.click("Борисова А. С. · 1")
    await curator.click("📥 A paper certificate was brought…")
    await curator.send("16.11")
    await curator.click("📥 Today")
    rows = await justifications(app.session_factory)
    assert rows[-1].received_on == college.today
    other = await app.link(college.other_curator, language="en")
    await other.command("menu")
    await other.click_data(other.last, AbsCb(act="pap", sid=student.id).pack())
    assert other.alerts[-1].show_alert
    assert len(await justifications(app.session_factory)) == 2


async def test_curator_sets_a_reason_for_a_whole_day_from_the_day_view(
    app: BotApp, college: CuratorCollege
) -> None:
    app.stand_at(college.now)
    a, b = college.students[0], college.students[2]
    await mark_absent(app.session_factory, college.mon, a.id)
    await mark_absent(app.session_factory, college.lessons.yesterday, a.id)
    await mark_absent(app.session_factory, college.mon, b.id)
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("❗ Unexplained absences")
    await curator.click("📅 By day")
    assert "Алексеев И. П. (2), Егоров О. (1)" in curator.last.text
    await curator.click("16.11, Mon · 3")
    await curator.click("Алексеев И. П.: the whole day (2)")
    await curator.click("📄 Excused")
    assert curator.alerts[-1].text == "Reason “excused” set for 2 lessons."
    assert "Егоров О.: 1. Математика" in curator.last.text
    assert "Алексеев" not in curator.last.text


async def _unchanged(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session:
        explained = await session.scalar(
            select(func.count()).select_from(Attendance).where(Attendance.reason.is_not(None))
        )
        invites = await session.scalar(select(func.count()).select_from(Invite))
    assert (explained, invites) == (0, 0)
    [row] = await justifications(factory)
    assert row.status is JustificationStatus.PENDING


async def test_nobody_else_sees_or_presses_anything_of_the_group(
    app: BotApp, college: CuratorCollege
) -> None:
    app.stand_at(college.now)
    student = college.students[0]
    await mark_absent(app.session_factory, college.lessons.today, student.id)
    await _certificate_from_parent(app, college)
    [row] = await justifications(app.session_factory)
    day = college.today.strftime("%Y%m%d")
    forged = [
        AbsCb(act="st", sid=student.id).pack(),
        AbsCb(act="ask", sid=student.id, d1=day, d2=day).pack(),
        AbsCb(act="set", sid=student.id, d1=day, d2=day, r="i").pack(),
        AbsCb(act="set", sid=student.id, les=college.lessons.today.id, r="i").pack(),
        AbsCb(act="rng", sid=student.id).pack(),
        DecideCb(act="ok", id=row.id, r="i").pack(),
        DecideCb(act="rq", id=row.id).pack(),
        DecideCb(act="no", id=row.id).pack(),
        DecideCb(act="pic", id=row.id).pack(),
        InvCb(act="ask", group=college.group.id).pack(),
        InvCb(act="go", group=college.group.id).pack(),
    ]
    other_parent = await app.link(college.parents[college.other_students[0].id])
    other_curator = await app.link(college.other_curator)
    stranger = app.stranger()
    for user in (other_parent, other_curator):
        await user.command("menu")
        for data in forged:
            before = len(user.bot_messages)
            await user.click_data(user.last, data)
            assert user.alerts[-1].show_alert, data
            assert len(user.bot_messages) == before, data  # nothing shown
            assert "Алексеев" not in user.last.text
    assert "This student is not in your groups." in [a.text for a in other_curator.alerts]
    assert "This certificate is not for a student of your groups." in [
        a.text for a in other_curator.alerts
    ]
    assert "This group is not among your groups." in [a.text for a in other_curator.alerts]
    # The other curator's own list holds nothing of ИС-21.
    await other_curator.command("menu")
    await other_curator.click("❗ Unexplained absences")
    assert "ТМ-11" in other_curator.last.text and "Алексеев" not in other_curator.last.text
    await stranger.send("hello")
    for data in forged[:1] + forged[6:7]:
        await stranger.click_data(stranger.last, data)
        assert "not linked" in (stranger.alerts[-1].text or "")
    # The curator's list is for curators only.
    await other_parent.click_data(other_parent.last, AbsCb(act="ov").pack())
    assert other_parent.alerts[-1].text == "This is for curators of a group."
    # A parent cannot send a certificate for someone else's child either.
    await other_parent.click_data(other_parent.last, SendCb(act="new", sid=student.id).pack())
    assert other_parent.alerts[-1].text == "You cannot send a certificate for this student."
    await _unchanged(app.session_factory)


async def test_a_minor_student_is_sent_to_the_parent(app: BotApp, college: CuratorCollege) -> None:
    student = await app.link(college.students[0].person)
    await student.command("menu")
    await student.click("📄 Send a certificate")
    assert "Students under 18 cannot send a certificate themselves" in (
        student.alerts[-1].text or ""
    )


async def test_the_sender_can_type_dates_and_stop(app: BotApp, college: CuratorCollege) -> None:
    app.stand_at(college.now)
    parent = await app.link(college.parents[college.students[0].id], language="en")
    await parent.command("menu")
    await parent.click("📄 Send a certificate")
    await parent.send("12.11-13.12")
    assert "more than 62 days" not in parent.last.text and "cannot go past" in parent.last.text
    await parent.send("12.11–13.11")
    assert "Dates: 12 November – 13 November." in parent.last.text
    await parent.send("Stayed at home")
    assert "Now send a photo" in parent.last.text
    await parent.send("here it is")
    assert "Please send a photo or a file" in parent.last.text
    await parent.click("✖ Cancel")
    assert parent.last.text == "The certificate was not sent."
    assert await justifications(app.session_factory) == []


async def _sheet_names(user: TgUser) -> list[str]:
    document = user.last.document
    assert document is not None and document.file_name == "invites-ИС-21.xlsx"
    book = load_workbook(io.BytesIO(document.content))
    rows = list(book.active.iter_rows(values_only=True))
    return [str(r[1]) for r in rows[1:]]


async def test_invite_links_of_the_group_only(app: BotApp, college: CuratorCollege) -> None:
    app.stand_at(college.now)
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("🔗 Invite links")
    assert "Old unused links will stop working" in curator.last.text
    await curator.click("✅ Issue new links")

    names = await _sheet_names(curator)
    group_people: list[Person] = [s.person for s in college.students]
    group_people += [college.parents[s.id] for s in college.students]
    assert {p.full_name for p in group_people} <= set(names)
    outsiders = [s.person for s in college.other_students]
    outsiders += [college.parents[s.id] for s in college.other_students]
    outsiders += [college.curator, college.other_curator, college.teacher, college.deputy]
    assert not {p.full_name for p in outsiders} & set(names)

    chat = "\n".join(m.text for m in curator.bot_messages)
    assert chat.count("https://t.me/journal_test_bot?start=") == len(names)
    assert all(len(m.text) <= 4096 for m in curator.bot_messages)
    assert f"Issued {len(names)} new links for ИС-21" in chat

    # Issuing again revokes the unused links of the first sheet.
    await curator.command("menu")
    await curator.click("🔗 Invite links")
    await curator.click("✅ Issue new links")
    async with app.session_factory() as session:
        revoked = await session.scalar(
            select(func.count()).select_from(Invite).where(Invite.revoked_at.is_not(None))
        )
    assert revoked == len(names)


async def test_waiting_certificates_are_shown_again(app: BotApp, college: CuratorCollege) -> None:
    """A curator who linked after the certificate was sent still finds it."""
    app.stand_at(college.now)
    await mark_absent(app.session_factory, college.thu, college.students[0].id)
    await _certificate_from_parent(app, college)
    assert await deliver(app, college) == 0  # the curator is not linked yet
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("❗ Unexplained absences")
    assert "1 certificate is waiting for your decision." in curator.last.text
    await curator.click("📄 Certificates to decide (1)")
    assert "Certificate for Алексеев И. П." in curator.last.text
    await curator.click(APPROVE)
    assert "There were no unexplained absences in these dates" in curator.last.text
    thu = await reason_of(app.session_factory, college.thu, college.students[0].id)
    assert thu is not None and thu.reason is None


async def test_a_long_list_of_links_comes_in_several_messages(
    app: BotApp, college: CuratorCollege
) -> None:
    app.stand_at(college.now)
    async with app.session_factory.begin() as session:
        group = await session.get(Group, college.group.id)
        assert group is not None
        for n in range(30):
            student = await add_student(session, group, f"Студентов{n:02d}", "Константин")
            parent = await add_person(session, college.org, f"Студентов{n:02d}", "Родитель")
            await add_member(session, parent, Role.PARENT, student=student)
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("🔗 Invite links")
    await curator.click("✅ Issue new links")
    names = await _sheet_names(curator)
    lists = [m.text for m in curator.bot_messages if "start=" in m.text]
    assert len(lists) >= 2 and all(len(text) <= 4096 for text in lists)
    assert (
        sum(text.count("?start=") for text in lists) == len(names) >= 72
    )  # the expelled student and their parent are left out


async def test_a_student_opened_from_a_reminder_comes_as_a_new_message(
    app: BotApp, college: CuratorCollege
) -> None:
    app.stand_at(college.now)
    student = college.students[0]
    await mark_absent(app.session_factory, college.lessons.today, student.id)
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    digest_like = curator.last
    await curator.click_data(digest_like, AbsCb(act="st", sid=student.id, nw=1).pack())
    assert curator.last.message_id != digest_like.message_id
    assert not digest_like.edited
    assert student.person.last_name in curator.last.text


async def test_a_certificate_of_another_kind_or_too_large_is_refused(
    app: BotApp, college: CuratorCollege
) -> None:
    app.stand_at(college.now)
    parent = await app.link(college.parents[college.students[0].id], language="en")
    await parent.command("menu")
    await parent.click("📄 Send a certificate")
    await parent.click("Yesterday and today")
    await parent.upload_document(b"PK\x03\x04", "certificate.zip")
    assert "This kind of file is not accepted" in parent.last.text
    await parent.upload_document(b"\0" * (25 * 2**20), "certificate.pdf")
    assert "too large: 25.0 MB, at most 20 MB" in parent.last.text
    assert await justifications(app.session_factory) == []
    await parent.upload_document(b"%PDF-1.7", "certificate.pdf")  # still waiting for it
    assert "The certificate for 16 November – 17 November has been sent." in parent.last.text
    [row] = await justifications(app.session_factory)
    assert row.file_kind == "document"


async def test_a_curator_gets_no_link_for_staff_or_linked_people(
    app: BotApp, college: CuratorCollege
) -> None:
    """The takeover path: the deputy director is also a parent of a student of the group, and
    a new link for them would have opened the deputy's account to whoever holds it."""
    app.stand_at(college.now)
    async with app.session_factory.begin() as session:
        deputy = await session.get(Person, college.deputy.id)
        assert deputy is not None
        await add_member(session, deputy, Role.PARENT, student=college.students[1])
    linked_parent = college.parents[college.students[2].id]
    await app.link(linked_parent)
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("🔗 Invite links")
    assert "staff members get no link here" in curator.last.text
    await curator.click("✅ Issue new links")

    names = await _sheet_names(curator)
    assert college.deputy.full_name not in names
    assert linked_parent.full_name not in names
    assert college.students[1].person.full_name in names
    chat = "\n".join(m.text for m in curator.bot_messages)
    assert college.deputy.last_name not in chat
    async with app.session_factory() as session:
        issued_to = set(await session.scalars(select(Invite.person_id)))
    assert college.deputy.id not in issued_to
    assert linked_parent.id not in issued_to


async def test_a_curator_whose_group_is_all_linked_is_told_so(
    app: BotApp, college: CuratorCollege
) -> None:
    app.stand_at(college.now)
    for student in college.students:
        if student.group_id == college.group.id:
            await app.link(student.person)
            await app.link(college.parents[student.id])
    curator = await app.link(college.curator, language="en")
    await curator.command("menu")
    await curator.click("🔗 Invite links")
    await curator.click("✅ Issue new links")
    assert "already linked" in curator.last.text
    async with app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Invite)) == 0
