"""A curator in Telegram announces with a photo: the parents in MAX get the photo, uploaded to
MAX once for all of them; the students in Telegram get it as before."""

from __future__ import annotations

from core.messenger import Messenger
from handlers.sender import MAX_LIMITS, Sender
from tests.factories import College
from tests.max.conftest import MaxApp

PHOTO = b"\x89PNG timetable"


async def test_an_announcement_s_photo_reaches_max_uploaded_once(
    max_app: MaxApp, college: College
) -> None:
    factory = max_app.tg.session_factory
    curator = await max_app.tg.link(college.curator, language="en")
    student = await max_app.tg.link(college.students[0].person, language="en")
    parents = [await max_app.link(college.parents[s.id]) for s in college.students[:3]]
    await curator.command("menu")
    await curator.click("📣 Announcement")
    await curator.click("Next ➡")
    await curator.send_photo(PHOTO, caption="New timetable from Monday")
    await curator.click("📤 Send")

    await Sender(max_app.tg.bot, factory, messenger=Messenger.TELEGRAM).drain_once()
    max_sender = Sender(max_app.bot, factory, limits=MAX_LIMITS, messenger=Messenger.MAX)
    assert await max_sender.drain_once() >= len({p.user_id for p in parents})

    assert student.bot_messages[-1].photo is not None
    tokens = set()
    for parent in parents:
        [photo] = parent.last.files
        assert max_app.api.uploads[photo["payload"]["token"]] == PHOTO
        assert "New timetable from Monday" in parent.last.visible
        tokens.add(photo["payload"]["token"])
    assert len(tokens) == 1  # one upload for everyone in MAX
    assert sum(c.path == "/uploads" for c in max_app.api.calls) == 1
