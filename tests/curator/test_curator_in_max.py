"""A certificate in MAX end to end through the dispatcher: a parent sends a photo in MAX, the
curator in MAX gets the photo with the decision buttons, asks to reject (the photo stays), goes
back and approves; the parent is told in MAX."""

from __future__ import annotations

from core.messenger import Messenger
from handlers.sender import MAX_LIMITS, Sender
from storage.models import AbsenceReason, JustificationStatus
from tests.curator.kit import CuratorCollege, justifications, mark_absent, reason_of
from tests.max.conftest import MaxApp, max_api, max_app

__all__ = ["max_api", "max_app"]  # the MAX fixtures, for this module

APPROVE = "✅ Approve: illness"
SCAN = b"\xff\xd8 certificate scan"


async def deliver(max_app: MaxApp, college: CuratorCollege) -> int:
    sender = Sender(
        max_app.bot, max_app.tg.session_factory, limits=MAX_LIMITS, messenger=Messenger.MAX
    )
    return await sender.drain_once(college.now)


async def test_a_photo_certificate_sent_and_approved_in_max(
    max_app: MaxApp, college: CuratorCollege
) -> None:
    max_app.tg.stand_at(college.now)
    student = college.students[0]
    for lesson in (college.lessons.yesterday, college.lessons.today):
        await mark_absent(max_app.tg.session_factory, lesson, student.id)
    curator = await max_app.link(college.curator)
    parent = await max_app.link(college.parents[student.id])

    await parent.send("/menu")
    await parent.click("📄 Send a certificate")
    await parent.click("Yesterday and today")
    await parent.send_photo(SCAN, caption="Flu, certificate from the clinic")
    assert "has been sent" in parent.last.visible

    assert await deliver(max_app, college) == 1
    notice = curator.last
    [photo] = notice.files
    assert max_app.api.uploads[photo["payload"]["token"]] == SCAN  # the parent's own photo
    assert "Comment: Flu, certificate from the clinic" in notice.visible

    await curator.click("❌ Reject", notice)
    assert notice.files == [photo]  # the keyboard changed, the photo stayed
    await curator.click("⬅ Back", notice)
    await curator.click(APPROVE, notice)
    assert "Reason set for 2 lessons" in curator.last.visible
    [row] = await justifications(max_app.tg.session_factory)
    assert row.status is JustificationStatus.APPROVED
    mark = await reason_of(max_app.tg.session_factory, college.lessons.today, student.id)
    assert mark is not None and mark.reason is AbsenceReason.ILLNESS

    assert await deliver(max_app, college) == 1
    assert "was accepted: illness" in parent.last.visible


async def test_a_photo_sent_in_max_reaches_a_curator_in_telegram_as_the_photo(
    max_app: MaxApp, college: CuratorCollege
) -> None:
    max_app.tg.stand_at(college.now)
    student = college.students[0]
    await mark_absent(max_app.tg.session_factory, college.lessons.today, student.id)
    curator = await max_app.tg.link(college.curator, language="en")
    parent = await max_app.link(college.parents[student.id])
    await parent.send("/menu")
    await parent.click("📄 Send a certificate")
    await parent.click("Yesterday and today")
    await parent.send_photo(SCAN, caption="Flu")

    telegram = Sender(max_app.tg.bot, max_app.tg.session_factory, messenger=Messenger.TELEGRAM)
    assert await telegram.drain_once(college.now) == 1
    notice = curator.last
    assert notice.photo is not None and notice.photo.content == SCAN
    assert APPROVE in notice.button_labels


async def test_a_photo_sent_in_telegram_reaches_a_curator_in_max_as_the_photo(
    max_app: MaxApp, college: CuratorCollege
) -> None:
    max_app.tg.stand_at(college.now)
    student = college.students[0]
    await mark_absent(max_app.tg.session_factory, college.lessons.today, student.id)
    curator = await max_app.link(college.curator)
    parent = await max_app.tg.link(college.parents[student.id], language="en")
    await parent.command("menu")
    await parent.click("📄 Send a certificate")
    await parent.click("Yesterday and today")
    await parent.send_photo(SCAN, caption="Flu")

    assert await deliver(max_app, college) == 1
    [photo] = curator.last.files
    assert max_app.api.uploads[photo["payload"]["token"]] == SCAN
    assert curator.last.button(APPROVE) is not None
