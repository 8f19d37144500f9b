"""Each role's menu: a person sees exactly the entries the rights of the role in use open."""

from __future__ import annotations

import pytest

from storage.models import Organisation, Person, Role
from tests.botapp import BotApp
from tests.factories import College, add_member, add_person

COMMON = ["🌐 Language", "📱 Messengers"]
MENUS: dict[Role, list[str]] = {
    Role.TEACHER: ["📅 My lessons", "🗓 My week", "📝 Attestation", "📎 Work programmes"],
    Role.CURATOR: ["📣 Announcement", "❗ Unexplained absences", "👥 My group", "🔗 Invite links"],
    Role.PARENT: [
        "📄 Send a certificate",
        "📖 Diary",
        "📊 Grades",
        "🗓 Attendance",
        "🔔 Notifications",
    ],
    Role.STUDENT: [
        "📄 Send a certificate",
        "📖 Diary",
        "📊 Grades",
        "🗓 Attendance",
        "🔔 Notifications",
        "👪 Parents' access",
    ],
    Role.DEPUTY: [
        "📣 Announcement",
        "🗂 Group journals",
        "📜 Movement order",
        "🔎 Student card",
        "🔄 Hand over teaching",
        "🏠 Distance days",
        "📈 Monitoring",
    ],
    Role.DIRECTOR: ["📣 Announcement", "🗂 Group journals", "📈 Monitoring"],
    Role.ADMIN: ["📣 Announcement", "👤 Accounts", "⚙️ College settings"],
    Role.SECRETARY: ["📜 Movement order", "🔎 Student card", "👤 Accounts"],
    Role.REGIONAL: ["🗺 Region"],
}


async def _person(app: BotApp, college: College, role: Role) -> Person:
    people = {
        Role.TEACHER: college.other_teacher,
        Role.CURATOR: college.curator,
        Role.PARENT: college.parents[college.students[0].id],
        Role.STUDENT: college.students[0].person,
        Role.DEPUTY: college.deputy,
        Role.DIRECTOR: college.director,
    }
    if role in people:
        return people[role]
    async with app.session_factory.begin() as session:
        org = await session.get(Organisation, college.org.id)
        assert org is not None
        person = await add_person(session, org, "Новикова", "Анна")
        await add_member(session, person, role)
    return person


@pytest.mark.parametrize("role", list(Role))
async def test_menu_shows_the_entries_of_the_role_in_use(
    app: BotApp, college: College, role: Role
) -> None:
    user = await app.link(await _person(app, college, role))
    await user.command("menu")
    assert user.last.button_labels == MENUS[role] + COMMON
