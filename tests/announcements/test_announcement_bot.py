"""Announcements through the bot: the curator's and the college-wide drafts, the preview with
its counts, delivery through the outbox, the author's progress message, acknowledgements,
and forged presses."""

from __future__ import annotations

from sqlalchemy import select

from core.i18n import _, use_locale
from core.textsplit import TEXT_LIMIT, visible_length
from handlers import announcement_progress
from handlers.announcement_progress import refresh_progress
from keyboards import announcements as kb
from screens import announcements as texts
from services.announcements.service import TEXT_MAX, Kind, Reach
from storage.models import AuditEntry, OutboxStatus, Person, Role
from tests.announcements.kit import ACK, announcements, drain, link_all, outbox, receipts
from tests.botapp import BotApp
from tests.factories import College, add_member
from tests.fakebot import TgUser

TEXT = "<b>Exam</b> on Friday & bring <i>passes</i>"


async def _curator_sends(curator: TgUser, text: str = TEXT) -> int:
    """The curator's whole draft with the defaults (their one group, students and parents);
    returns the preview's message id, which becomes the progress message."""
    await curator.command("menu")
    await curator.click("📣 Announcement")
    await curator.click("Next ➡")
    await curator.send(text)
    preview = curator.last
    await curator.click("📤 Send")
    return preview.message_id


def _group_people(college: College, n_students: int, n_parents: int) -> list[Person]:
    students = [s.person for s in college.students[:n_students]]
    parents = [college.parents[s.id] for s in college.students[:n_parents]]
    return students + parents


async def test_curator_announcement_reaches_each_member_once_escaped(
    app: BotApp, college: College
) -> None:
    curator = await app.link(college.curator)
    members = await link_all(app, _group_people(college, 4, 3))
    outsider = await app.link(college.other_students[0].person)
    teacher = await app.link(college.teacher)

    await curator.command("menu")
    await curator.click("📣 Announcement")
    assert "ИС-21" in curator.last.text and "Who should receive it?" in curator.last.text
    assert {"☑ Students", "☑ Parents"} <= set(curator.last.button_labels)
    assert "☐ Teachers" not in curator.last.button_labels
    await curator.click("Next ➡")
    assert "Send the text of the announcement" in curator.last.text
    await curator.send(TEXT)
    preview = curator.last
    # Six studying students and their six parents: seven linked, five not.
    assert "It will reach 7 people in the bot." in preview.text
    assert "5 more do not use the bot yet" in preview.text
    assert TEXT in preview.text  # shown as typed, tags and all
    await curator.click("📤 Send")

    [announcement] = await announcements(app.session_factory)
    rows = await outbox(app.session_factory)
    assert sorted(r.dedup_key for r in rows) == sorted(
        f"ann:{announcement.id}:{pid}" for pid in members
    )
    assert {r.chat_id for r in rows} == {u.chat_id for u in members.values()}
    assert await drain(app) == 7

    for user in members.values():
        [message] = user.bot_messages
        assert TEXT in message.text  # the tags arrive as text: nothing turned bold
        assert message.entities == [{"type": "bold", "offset": 3, "length": 12}]  # the header
        assert message.button_labels == [ACK]
        assert "Морозова И. П." in message.text
    assert outsider.bot_messages == [] and teacher.bot_messages == []

    progress = curator.state.find(preview.message_id)
    assert progress is not None
    assert "Sent 0 of 7" in progress.text and "Waiting: 7" in progress.text
    assert await refresh_progress(app.bot, app.session_factory) == 1
    assert "Sent 7 of 7" in progress.text and "Sending finished" in progress.text
    assert "Acknowledged: 0 of 7" in progress.text
    assert "5 people do not use the bot" in progress.text
    delivered = [r.delivered_at for r in await receipts(app.session_factory, announcement.id)]
    assert len(delivered) == 7 and None not in delivered


async def test_acknowledgements_are_counted_once_and_listed_for_the_author(
    app: BotApp, college: College
) -> None:
    curator = await app.link(college.curator)
    student, parent = college.students[0], college.parents[college.students[1].id]
    members = await link_all(app, [student.person, parent])
    progress_id = await _curator_sends(curator)
    await drain(app)
    await refresh_progress(app.bot, app.session_factory)

    pupil = members[student.person.id]
    answer = await pupil.click(ACK)
    assert answer is not None and "Thank you" in answer
    assert pupil.last.button_labels == ["✅ Acknowledged"]
    again = await pupil.click("✅ Acknowledged")
    assert again == "You have already acknowledged this announcement."
    [announcement] = await announcements(app.session_factory)
    all_receipts = await receipts(app.session_factory, announcement.id)
    [receipt] = [r for r in all_receipts if r.acknowledged_at]
    assert receipt.person_id == student.person.id

    assert await refresh_progress(app.bot, app.session_factory) == 1
    progress = curator.state.find(progress_id)
    assert progress is not None and "Acknowledged: 1 of 2" in progress.text
    assert await refresh_progress(app.bot, app.session_factory) == 0  # nothing new
    assert app.api.errors == []  # never "message is not modified"

    await curator.click("👀 Who acknowledged")
    assert "Acknowledged: 1 of 2" in curator.last.text
    assert student.person.short_name in curator.last.text
    assert parent.short_name not in curator.last.text
    async with app.session_factory() as session:
        acks = await session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "announcement_receipt")
        )
        assert [a.actor_id for a in acks] == [student.person.id]


async def test_a_curator_cannot_address_another_group_by_forged_presses(
    app: BotApp, college: College
) -> None:
    curator = await app.link(college.curator)
    mine = await app.link(college.students[0].person, language="en")
    foreign = await app.link(college.other_students[0].person)
    await curator.command("menu")
    await curator.click("📣 Announcement")
    screen = curator.last

    await curator.click_data(screen, f"an:grp::{college.other_group.id}")
    assert curator.alerts[-1].show_alert
    assert curator.alerts[-1].text == "You can only address the groups you curate."
    await curator.click_data(screen, "an:grp::all")
    assert curator.alerts[-1].text == "You can only address the groups you curate."
    await curator.click_data(screen, "an:kind::teachers")
    assert curator.alerts[-1].text == "This audience is not open to you."

    await curator.click("Next ➡")
    await curator.send("Tomorrow the first pair is cancelled.")
    assert "It will reach 1 person in the bot." in curator.last.text
    await curator.click("📤 Send")
    await drain(app)
    assert len(mine.bot_messages) == 1 and foreign.bot_messages == []


async def test_strangers_cannot_acknowledge(app: BotApp, college: College) -> None:
    curator = await app.link(college.curator)
    student = await app.link(college.students[0].person, language="en")
    await _curator_sends(curator)
    await drain(app)
    ack_data = student.last.button(ACK)["callback_data"]  # type: ignore[index]

    outsider = await app.link(college.parents[college.other_students[0].id])
    await outsider.command("menu")
    await outsider.click_data(outsider.last, ack_data)
    assert outsider.alerts[-1].show_alert
    assert outsider.alerts[-1].text == "This announcement was not addressed to you."
    await outsider.click_data(outsider.last, "an:ack:999:")
    assert outsider.alerts[-1].text == "This announcement was not addressed to you."
    [announcement] = await announcements(app.session_factory)
    # The author's list is the author's.
    await outsider.click_data(outsider.last, f"an:acks:{announcement.id}:")
    assert outsider.alerts[-1].show_alert

    stranger = app.stranger()
    await stranger.command("help")
    await stranger.click_data(stranger.last, ack_data)
    assert "not linked" in (stranger.alerts[-1].text or "")
    acknowledged = [r.acknowledged_at for r in await receipts(app.session_factory, announcement.id)]
    assert acknowledged == [None]


async def test_deputy_announces_to_the_teachers_of_the_whole_college(
    app: BotApp, college: College
) -> None:
    deputy = await app.link(college.deputy)
    people = await link_all(
        app, [college.teacher, college.other_teacher, college.curator, college.students[0].person]
    )
    await deputy.command("menu")
    await deputy.click("📣 Announcement")
    assert "☑ 🏫 Whole college" in deputy.last.button_labels
    assert {"☐ ИС-21", "☐ ТМ-11"} <= set(deputy.last.button_labels)
    await deputy.click("Next ➡")
    await deputy.click("Next ➡")  # no kind chosen yet
    assert deputy.alerts[-1].text == "Choose at least one kind of recipients."
    await deputy.click("☐ Teachers")
    await deputy.click("Next ➡")
    assert "To: the whole college · Teachers" in deputy.last.text
    await deputy.send("Pedagogical council on Monday.")
    assert "It will reach 2 people in the bot." in deputy.last.text
    await deputy.click("📤 Send")
    assert await drain(app) == 2
    got = {pid for pid, user in people.items() if user.bot_messages}
    assert got == {college.teacher.id, college.other_teacher.id}


async def test_director_announces_to_parents_of_a_chosen_group(
    app: BotApp, college: College
) -> None:
    director = await app.link(college.director)
    other_parents = [college.parents[s.id] for s in college.other_students]
    people = await link_all(app, [*other_parents, college.parents[college.students[0].id]])
    await director.command("menu")
    await director.click("📣 Announcement")
    await director.click("☐ ТМ-11")
    assert "☐ 🏫 Whole college" in director.last.button_labels
    await director.click("Next ➡")
    await director.click("☐ Parents")
    await director.click("Next ➡")
    await director.send("The heating is off on Saturday.")
    await director.click("📤 Send")
    assert await drain(app) == 2
    got = {pid for pid, user in people.items() if user.bot_messages}
    assert got == {p.id for p in other_parents}


async def test_administrator_announces_to_all_staff_not_to_themself(
    app: BotApp, college: College, admin: Person
) -> None:
    author = await app.link(admin)
    staff = await link_all(app, [college.teacher, college.curator, college.deputy])
    parent = await app.link(college.parents[college.students[0].id])
    await author.command("menu")
    await author.click("📣 Announcement")
    await author.click("Next ➡")
    await author.click("☐ All staff of the college")
    await author.click("Next ➡")
    await author.send("The journal will be offline tonight from 23:00.")
    preview = author.last
    # Teachers (2), curator, deputy, director: five; three linked.
    assert "It will reach 3 people in the bot." in preview.text
    assert "2 more do not use the bot yet" in preview.text
    await author.click("📤 Send")
    assert await drain(app) == 3
    assert all(len(user.bot_messages) == 1 for user in staff.values())
    assert parent.bot_messages == []
    assert not any(ACK in m.button_labels for m in author.bot_messages)


async def test_a_photo_goes_out_as_a_photo_with_the_text_as_caption(
    app: BotApp, college: College
) -> None:
    curator = await app.link(college.curator)
    student = await app.link(college.students[0].person, language="en")
    await curator.command("menu")
    await curator.click("📣 Announcement")
    await curator.click("Next ➡")
    sent = await curator.send_photo(b"\x89PNG timetable", caption="New timetable <from Monday>")
    assert "With the photo above." in curator.last.text
    assert not [m for m in curator.bot_messages if m.document is not None]  # no copy needed
    await curator.click("📤 Send")
    [row] = await outbox(app.session_factory)
    assert sent.photo is not None
    assert (row.document_file_id, row.file_kind) == (sent.photo.file_id, "photo")
    await drain(app)
    [message] = student.bot_messages
    assert message.document is None
    assert message.photo is not None and message.photo.content == b"\x89PNG timetable"
    assert "New timetable <from Monday>" in message.text
    assert message.button_labels == [ACK]
    assert [c.method for c in app.api.calls(chat_id=student.chat_id)] == ["sendPhoto"]


async def test_a_file_first_then_the_text(app: BotApp, college: College) -> None:
    curator = await app.link(college.curator)
    student = await app.link(college.students[0].person, language="en")
    await curator.command("menu")
    await curator.click("📣 Announcement")
    await curator.click("Next ➡")
    await curator.upload_document(b"%PDF rules", "rules.pdf")
    assert curator.last.text == "The file is attached. Now send the text of the announcement."
    await curator.send("The new rules of the college.")
    assert "With the file rules.pdf." in curator.last.text
    await curator.click("📤 Send")
    await drain(app)
    [message] = student.bot_messages
    assert message.document is not None and message.document.file_name == "rules.pdf"


async def test_undelivered_messages_show_in_the_progress(app: BotApp, college: College) -> None:
    curator = await app.link(college.curator)
    members = await link_all(app, _group_people(college, 3, 0))
    blocked = members[college.students[0].person.id]
    app.api.block(blocked.chat_id)
    progress_id = await _curator_sends(curator)
    await drain(app)
    await refresh_progress(app.bot, app.session_factory)
    progress = curator.state.find(progress_id)
    assert progress is not None
    assert "Sent 2 of 3" in progress.text and "Not delivered: 1" in progress.text
    assert "Sending finished" in progress.text
    statuses = sorted(r.status for r in await outbox(app.session_factory))
    assert statuses == [OutboxStatus.FAILED, OutboxStatus.SENT, OutboxStatus.SENT]


async def test_send_twice_publishes_once(app: BotApp, college: College) -> None:
    curator = await app.link(college.curator)
    await app.link(college.students[0].person, language="en")
    await curator.command("menu")
    await curator.click("📣 Announcement")
    await curator.click("Next ➡")
    await curator.send("Bring your record books.")
    preview = curator.last
    await curator.click("📤 Send", preview)
    await curator.click_data(preview, "an:send::")
    assert curator.alerts[-1].show_alert and "already been sent" in (curator.alerts[-1].text or "")
    assert len(await announcements(app.session_factory)) == 1
    assert len(await outbox(app.session_factory)) == 1


async def test_nobody_linked_means_no_send_button(app: BotApp, college: College) -> None:
    curator = await app.link(college.curator)
    await curator.command("menu")
    await curator.click("📣 Announcement")
    await curator.click("Next ➡")
    await curator.send("Hello, group.")
    assert "nobody to send to" in curator.last.text
    assert "📤 Send" not in curator.last.button_labels
    await curator.click("✖ Cancel")
    assert curator.last.text == "The announcement is cancelled."


async def test_menu_entry_for_announcers_only(app: BotApp, college: College, admin: Person) -> None:
    for person in (college.curator, college.deputy, college.director, admin):
        user = await app.link(person)
        await user.command("menu")
        assert "📣 Announcement" in user.last.button_labels
    for person in (college.teacher, college.students[0].person):
        user = await app.link(person)
        await user.command("menu")
        assert "📣 Announcement" not in user.last.button_labels
    teacher = await app.link(college.other_teacher)
    await teacher.command("menu")
    await teacher.click_data(teacher.last, "an:new::")
    assert teacher.alerts[-1].show_alert
    assert "Announcements are sent by curators" in (teacher.alerts[-1].text or "")


async def test_each_recipient_reads_it_in_their_language(app: BotApp, college: College) -> None:
    curator = await app.link(college.curator)
    english = await app.link(college.students[0].person, language="en")
    russian = await app.link(college.students[1].person, language="ru")
    await _curator_sends(curator, "Pairs start at 9:00.")
    await drain(app)
    with use_locale("ru"):
        acknowledge_ru = _("✔ Acknowledge")
    assert english.last.button_labels == [ACK]
    assert russian.last.button_labels == [acknowledge_ru] != [ACK]
    assert "Pairs start at 9:00." in russian.last.text


async def test_a_new_text_replaces_the_preview(app: BotApp, college: College) -> None:
    curator = await app.link(college.curator)
    student = await app.link(college.students[0].person, language="en")
    await curator.command("menu")
    await curator.click("📣 Announcement")
    await curator.click("Next ➡")
    await curator.send("Meeting at 10:00.")
    old = curator.last
    await curator.send("Meeting at 11:00, room 204.")
    await curator.click_data(old, "an:send::")
    assert curator.alerts[-1].text == "This preview is out of date: use the latest one."
    await curator.click("📤 Send")
    await drain(app)
    [message] = student.bot_messages
    assert "Meeting at 11:00, room 204." in message.text and "10:00" not in message.text


async def test_a_curator_of_two_groups_chooses_among_them(app: BotApp, college: College) -> None:
    async with app.session_factory.begin() as session:
        await add_member(session, college.curator, Role.CURATOR, group=college.other_group)
    curator = await app.link(college.curator)
    people = await link_all(app, [college.students[0].person, college.other_students[0].person])
    await curator.command("menu")
    await curator.click("📣 Announcement")
    assert "☐ ИС-21" in curator.last.button_labels and "☐ ТМ-11" in curator.last.button_labels
    assert not any("Whole college" in label for label in curator.last.button_labels)
    await curator.click("Next ➡")
    assert curator.alerts[-1].text == "Choose at least one group."
    await curator.click("☐ ТМ-11")
    await curator.click("Next ➡")
    await curator.click("☑ Parents")  # students only
    await curator.click("Next ➡")
    await curator.send("Excursion on Thursday.")
    await curator.click("📤 Send")
    await drain(app)
    got = {pid for pid, user in people.items() if user.bot_messages}
    assert got == {college.other_students[0].person.id}


async def test_progress_after_a_restart_and_after_the_message_is_gone(
    app: BotApp, college: College
) -> None:
    curator = await app.link(college.curator)
    await link_all(app, [college.students[0].person])
    progress_id = await _curator_sends(curator)
    await drain(app)
    assert await refresh_progress(app.bot, app.session_factory) == 1
    progress = curator.state.find(progress_id)
    assert progress is not None
    shown = progress.text
    edits = len(app.api.calls("editMessageText", curator.chat_id))

    announcement_progress._shown.clear()  # a restart forgets what the messages show
    assert await refresh_progress(app.bot, app.session_factory) == 0
    assert progress.text == shown
    assert await refresh_progress(app.bot, app.session_factory) == 0
    # One attempt finds the message current and is taken as shown; then nothing.
    assert len(app.api.calls("editMessageText", curator.chat_id)) == edits + 1

    progress.deleted = True  # the author deleted it
    announcement_progress._shown.clear()
    assert await refresh_progress(app.bot, app.session_factory) == 0
    [announcement] = await announcements(app.session_factory)
    assert announcement.progress_message_id is None
    calls = len(app.api.calls("editMessageText"))
    await refresh_progress(app.bot, app.session_factory)
    assert len(app.api.calls("editMessageText")) == calls  # no longer edited


def test_many_groups_are_paged_within_telegrams_limits() -> None:
    groups = [(n, f"G-{n:03}") for n in range(1, 121)]
    first = kb.groups_keyboard(groups, {3}, org_wide=True)
    labels = [b.text for row in first.inline_keyboard for b in row]
    assert len(labels) <= 100
    assert "☐ 🏫 Whole college" in labels and "☑ G-003" in labels and "1/3" in labels
    last = kb.groups_keyboard(groups, set(), org_wide=True, page=2)
    names = [b.text for row in last.inline_keyboard for b in row if "G-" in b.text]
    assert names[0] == "☐ G-091" and names[-1] == "☐ G-120"


def test_a_long_text_to_many_groups_still_previews_in_one_message() -> None:
    names = [f"ГР-{n:03}" for n in range(100)]
    line = texts.audience_line(names, list(Kind))
    assert "ГР-011, … +88" in line and "ГР-012" not in line
    reach = Reach({}, 0)
    preview = texts.preview_text(line, "я" * TEXT_MAX, texts.file_note("document", "x.pdf"), reach)
    assert visible_length(preview) <= TEXT_LIMIT
