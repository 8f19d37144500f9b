"""The journal grid's API as the page uses it: signed in by Telegram only, refused outside
one's rights, and every change made through the chat's rules, audited and announced."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import create_dispatcher
from bot.jobs import notify_events
from bot.web import create_web_app
from core.config import Settings
from core.i18n import create_i18n
from storage.models import GradeKind, Mark, OutboxMessage, utcnow
from tests.factories import College, add_lesson
from tests.fakebot import FakeBotAPI
from tests.webapp import kit
from tests.webapp.kit import OTHER_BOT, TOKEN, Page, ago, sign

Factory = async_sessionmaker[AsyncSession]


def journal(college: College) -> dict[str, int | None]:
    return {
        "group": college.group.id,
        "discipline": college.math.id,
        "period": college.autumn.id,
        "subgroup": None,
    }


SIGN_IN_FAILED_RU = "Вход не подтверждён: откройте журнал заново из бота."


async def page_of(client: TestClient, factory: Factory, person, college: College) -> Page:  # type: ignore[type-arg]
    user_id = await kit.link(factory, person)
    return Page(client, sign(TOKEN, user_id, ago(college.now, 1)))


async def test_a_teacher_opens_their_journal_and_a_grade_set_in_it_reaches_the_parent(
    session_factory: Factory, college: College, db_url: str
) -> None:
    settings = kit.settings_for(db_url)
    parent = college.parents[college.students[0].id]
    await kit.link(session_factory, parent)
    async with kit.serve(session_factory, settings, college.now) as client:
        page = await page_of(client, session_factory, college.teacher, college)
        status, home = await page.post("journals", {})
        assert status == 200
        assert college.math.name in home["html"] and college.group.name in home["html"]
        assert college.informatics.name not in home["html"]  # the other teacher's

        status, grid = await page.post("grid", journal(college))
        assert status == 200
        student = college.students[0]
        assert student.person.short_name in grid["html"]
        assert f'data-l="{college.lessons.today.id}"' in grid["html"]

        status, answer = await page.post(
            "cell",
            {
                "journal": journal(college),
                "lesson": college.lessons.today.id,
                "student": student.id,
                "action": "add",
                "seen_grades": [],
                "seen_mark": "present",
                "value": "5",
                "kind": "test",
                "comment": "Proof <b>",
            },
        )
    assert status == 200, answer
    assert ">5</td>" in answer["html"] and answer["average"] == "5.00"
    assert "&lt;b&gt;" in answer["html"]  # a comment is text, never markup
    [grade] = await kit.grades_of(session_factory, college.lessons.today.id, student.id)
    assert (grade.value, grade.kind, grade.comment) == ("5", GradeKind.TEST, "Proof <b>")
    [entry] = await kit.audit_of(session_factory, "grade")
    assert entry.actor_id == college.teacher.id and entry.action == "create"
    assert [e.kind for e in await kit.events_of(session_factory)] == ["grade.created"]

    assert await notify_events(session_factory, settings, now=college.now) >= 1
    async with session_factory() as session:
        from sqlalchemy import select

        texts = list(await session.scalars(select(OutboxMessage.text)))
    assert any("new grade <b>5 (test)</b>" in t for t in texts)


async def test_the_lesson_opens_its_own_journal(
    session_factory: Factory, college: College, db_url: str
) -> None:
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        page = await page_of(client, session_factory, college.teacher, college)
        status, answer = await page.post("journals", {"lesson": college.lessons.subgroup.id})
    assert status == 200
    # The teacher teaches English to subgroup 1 only: its journal is the subgroup's.
    assert answer["journal"]["subgroup"] == college.sub1.id
    assert college.sub1_students[0].person.short_name in answer["html"]
    assert college.sub2_students[0].person.short_name not in answer["html"]


async def test_forged_expired_other_bot_and_missing_sign_ins_get_401_and_change_nothing(
    session_factory: Factory, college: College, db_url: str
) -> None:
    settings = kit.settings_for(db_url)
    user_id = await kit.link(session_factory, college.teacher)
    good = sign(TOKEN, user_id, ago(college.now, 1))
    forged = good.replace("first_name%22%3A%22Test", "first_name%22%3A%22Eve")
    assert forged != good
    expired = sign(TOKEN, user_id, ago(college.now, settings.webapp.max_age_minutes + 1))
    other_bot = sign(OTHER_BOT, user_id, ago(college.now, 1))
    from_the_future = sign(TOKEN, user_id, ago(college.now, -10))
    body = {
        "journal": journal(college),
        "lesson": college.lessons.today.id,
        "student": college.students[0].id,
        "action": "add",
        "value": "5",
    }
    async with kit.serve(session_factory, settings, college.now) as client:
        for init_data in (forged, expired, other_bot, from_the_future, "", "hash=00&user=%7B%7D"):
            status, answer = await Page(client, init_data).post("cell", body)
            # Nothing verified says who asks: the refusal is in the college's language.
            assert (status, answer) == (401, {"error": SIGN_IN_FAILED_RU})
        assert (await Page(client, good).post("journals", {}))[0] == 200
    assert await kit.grades_of(session_factory, college.lessons.today.id, body["student"]) == []  # type: ignore[arg-type]


async def test_another_teachers_journal_is_refused_with_403_and_nothing_changes(
    session_factory: Factory, college: College, db_url: str
) -> None:
    informatics = journal(college) | {"discipline": college.informatics.id}
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        page = await page_of(client, session_factory, college.teacher, college)
        status, answer = await page.post("grid", informatics)
        assert status == 403
        assert answer["error"] == "This journal is not among those you may open."
        # The other teacher's lesson through one's own journal: refused by the rules.
        status, answer = await page.post(
            "cell",
            {
                "journal": journal(college) | {"discipline": college.english.id, "subgroup": None},
                "lesson": college.lessons.foreign.id,
                "student": college.sub2_students[0].id,
                "action": "add",
                "value": "2",
            },
        )
        assert status == 403
    lesson = college.lessons.foreign
    assert await kit.grades_of(session_factory, lesson.id, college.sub2_students[0].id) == []
    assert await kit.events_of(session_factory) == []


async def test_a_grade_outside_the_scale_and_a_lesson_of_another_group_are_refused(
    session_factory: Factory, college: College, db_url: str
) -> None:
    async with session_factory.begin() as session:
        elsewhere = await add_lesson(
            session,
            period=college.autumn,
            group=college.other_group,
            discipline=college.math,
            teacher=college.teacher,
            day=college.today,
            pair_no=3,
        )
    student = college.students[0]
    base = {"journal": journal(college), "student": student.id, "action": "add"}
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        page = await page_of(client, session_factory, college.teacher, college)
        status, answer = await page.post(
            "cell", base | {"lesson": college.lessons.today.id, "value": "7"}
        )
        assert (status, answer["error"]) == (400, "A grade is one of 2, 3, 4, 5, pass or fail.")
        status, answer = await page.post(
            "cell",
            base | {"lesson": elsewhere.id, "student": college.other_students[0].id, "value": "5"},
        )
        assert status == 400
        assert answer["error"].startswith("This lesson is not in this journal.")
        status, answer = await page.post("cell", base | {"lesson": "1; DROP", "value": "5"})
        assert status == 400
    assert await kit.grades_of(session_factory, college.lessons.today.id, student.id) == []
    assert await kit.grades_of(session_factory, elsewhere.id, college.other_students[0].id) == []
    assert await kit.audit_of(session_factory, "grade") == []


async def test_a_cell_changed_since_the_page_loaded_it_is_shown_anew_and_not_overwritten(
    session_factory: Factory, college: College, db_url: str
) -> None:
    from tests.notifications.kit import add_grade

    student = college.students[1]
    lesson = college.lessons.today
    cell = {"journal": journal(college), "lesson": lesson.id, "student": student.id}
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        page = await page_of(client, session_factory, college.teacher, college)
        # The page loaded an empty cell; meanwhile a 3 was given from the chat.
        grade_id = await add_grade(session_factory, college, student, "3", college.now)
        status, answer = await page.post(
            "cell", cell | {"action": "add", "seen_grades": [], "value": "5"}
        )
        assert status == 409
        assert "changed this cell" in answer["message"]
        assert ">3</td>" in answer["html"]  # the new value, to look at before trying again
        # The page tries again with what it now shows: the change goes through.
        status, answer = await page.post(
            "cell",
            cell
            | {
                "action": "change",
                "grade": grade_id,
                "seen_grades": [[grade_id, "3"]],
                "value": "4",
            },
        )
        assert status == 200
        # A mark the page did not see is not overwritten either.
        async with session_factory.begin() as session:
            from services.journal import register

            await register.toggle_mark(
                session, college.actor(college.teacher), lesson.id, student.id, Mark.PRESENT,
                college.now,
            )  # fmt: skip
        status, answer = await page.post(
            "cell", cell | {"action": "mark", "seen_mark": "present", "mark": "late"}
        )
        assert status == 409 and "m-absent" in answer["html"]
    [grade] = await kit.grades_of(session_factory, lesson.id, student.id)
    assert grade.value == "4"


async def test_read_only_grids_for_the_director_and_the_curator_and_a_diary_for_the_parent(
    session_factory: Factory, college: College, db_url: str
) -> None:
    from tests.notifications.kit import add_grade

    student = college.students[0]
    await add_grade(session_factory, college, student, "4", college.now)
    informatics = journal(college) | {"discipline": college.informatics.id}
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        for person in (college.director, college.curator):
            page = await page_of(client, session_factory, person, college)
            status, home = await page.post("journals", {})
            assert status == 200 and college.informatics.name in home["html"]
            status, grid = await page.post("grid", informatics)
            assert status == 200 and "read only" in grid["html"]
            status, grid = await page.post("grid", journal(college))
            assert 'class="cell edit' not in grid["html"]
            status, answer = await page.post(
                "cell",
                {
                    "journal": journal(college),
                    "lesson": college.lessons.today.id,
                    "student": student.id,
                    "action": "add",
                    "value": "2",
                },
            )
            assert status == 403, answer
        # The curator of ИС-21 does not read the other group's journals.
        page = await page_of(client, session_factory, college.curator, college)
        status, _answer = await page.post(
            "grid", journal(college) | {"group": college.other_group.id}
        )
        assert status == 403

        parent = await page_of(client, session_factory, college.parents[student.id], college)
        status, home = await parent.post("journals", {})
        assert status == 200 and home["home"] == "diary"  # the child's term at once
        assert college.math.name in home["html"] and "4.00" in home["html"]
        status, diary = await parent.post("diary", {})
        assert status == 200
        assert college.math.name in diary["html"] and "4.00" in diary["html"]
        status, _answer = await parent.post("grid", journal(college))
        assert status == 403
        status, _answer = await parent.post("diary", {"student": college.students[1].id})
        assert status == 403
    assert len(await kit.grades_of(session_factory, college.lessons.today.id, student.id)) == 1


async def test_one_person_is_limited_to_a_number_of_requests_a_minute(
    session_factory: Factory, college: College, db_url: str
) -> None:
    settings = kit.settings_for(db_url, webapp={"per_minute": 5})
    async with kit.serve(session_factory, settings, college.now) as client:
        page = await page_of(client, session_factory, college.teacher, college)
        answers = [await page.post("journals", {}) for _ in range(6)]
        other = await page_of(client, session_factory, college.deputy, college)
        assert (await other.post("journals", {}))[0] == 200
    assert [status for status, _answer in answers] == [200] * 5 + [429]
    # Said in the person's language (their Telegram's here, English).
    assert answers[-1][1] == {"error": "Too many requests: please wait a minute."}


async def test_the_page_and_the_answers_carry_a_strict_content_security_policy(
    session_factory: Factory, college: College, db_url: str
) -> None:
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        response = await client.get("/app/")
        body = await response.text()
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src 'self' https://telegram.org" in policy
        assert "unsafe-inline" not in policy
        assert "<script>" not in body  # no inline script: the policy would refuse it
        script = await client.get("/app/static/app.js")
        assert script.status == 200 and "X-Telegram-Init-Data" in await script.text()
        page = await page_of(client, session_factory, college.teacher, college)
        response = await client.post(
            "/app/api/journals", json={}, headers={"X-Telegram-Init-Data": page.init_data}
        )
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_the_webhook_server_serves_the_grid_and_the_menu_button_opens_it(
    session_factory: Factory, college: College, db_url: str, engine: AsyncEngine,
    fake_api: FakeBotAPI,
) -> None:  # fmt: skip
    settings = Settings(
        bot_token=fake_api.token,
        telegram_api_url=fake_api.base_url,
        database_url=db_url,
        webhook_url="https://journal.example.org/tg",
        webhook_secret="s3cret",
        webapp_url=kit.URL,
    )
    i18n = create_i18n("en")
    dp = create_dispatcher(settings, session_factory, i18n)
    app = create_web_app(fake_api.make_bot(), dp, settings, engine, i18n=i18n)
    user_id = await kit.link(session_factory, college.teacher)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/app/")).status == 200
        assert (await client.post("/app/api/journals", json={})).status == 401
        signed = sign(fake_api.token, user_id, utcnow() - timedelta(minutes=1))
        response = await client.post(
            "/app/api/journals", json={}, headers={"X-Telegram-Init-Data": signed}
        )
        assert response.status == 200
    assert fake_api.default_menu_button == {
        "type": "web_app",
        "text": "Journal",
        "web_app": {"url": kit.URL},
    }


async def test_a_grade_changed_in_the_grid_keeps_what_was_not_changed(
    session_factory: Factory, college: College, db_url: str
) -> None:
    student = college.students[2]
    lesson = college.lessons.today
    cell = {"journal": journal(college), "lesson": lesson.id, "student": student.id}
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        page = await page_of(client, session_factory, college.teacher, college)
        status, _answer = await page.post(
            "cell", cell | {"action": "add", "value": "3", "kind": "oral", "comment": "at board"}
        )
        assert status == 200
        [grade] = await kit.grades_of(session_factory, lesson.id, student.id)
        seen = {"seen_grades": [[grade.id, "3"]]}
        status, _answer = await page.post(
            "cell", cell | seen | {"action": "change", "grade": grade.id, "value": "4"}
        )
        assert status == 200
        [grade] = await kit.grades_of(session_factory, lesson.id, student.id)
        assert (grade.value, grade.kind, grade.comment) == ("4", GradeKind.ORAL, "at board")
        status, _answer = await page.post(
            "cell",
            cell
            | {"seen_grades": [[grade.id, "4"]], "action": "change", "grade": grade.id}
            | {"kind": "test", "comment": ""},
        )
        assert status == 200
        [grade] = await kit.grades_of(session_factory, lesson.id, student.id)
        assert (grade.value, grade.kind, grade.comment) == ("4", GradeKind.TEST, "")
        status, answer = await page.post(
            "cell", cell | {"seen_grades": [[grade.id, "4"]], "action": "remove", "grade": grade.id}
        )
        assert status == 200 and answer["average"] == ""
    assert await kit.grades_of(session_factory, lesson.id, student.id) == []
    actions = [e.action for e in await kit.audit_of(session_factory, "grade")]
    assert actions == ["create", "update", "update", "delete"]


async def test_the_deputy_sees_the_monitoring_as_charts_and_a_teacher_does_not(
    session_factory: Factory, college: College, db_url: str
) -> None:
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        deputy = await page_of(client, session_factory, college.deputy, college)
        status, home = await deputy.post("journals", {})
        assert status == 200 and 'data-monitoring="m"' in home["html"]
        for preset in ("w", "m", "s"):
            status, answer = await deputy.post("monitoring", {"preset": preset})
            assert status == 200
            assert answer["html"].count("<svg") == 3
            assert "R1 registers" in answer["html"]
        status, _answer = await deputy.post("monitoring", {"preset": "year"})
        assert status == 400
        teacher = await page_of(client, session_factory, college.teacher, college)
        status, home = await teacher.post("journals", {})
        assert "data-monitoring" not in home["html"]
        status, answer = await teacher.post("monitoring", {})
        assert (status, answer["error"]) == (
            403,
            "Monitoring is for the deputy director and the director.",
        )


async def test_the_regional_specialist_sees_the_colleges_side_by_side(
    session_factory: Factory, college: College, db_url: str
) -> None:
    from storage import region
    from storage.models import Organisation, Role
    from tests.factories import add_member, add_person

    async with session_factory.begin() as session:
        org = await session.get(Organisation, college.org.id)
        assert org is not None
        specialist = await add_person(session, org, "Новикова", "Анна")
        await add_member(session, specialist, Role.REGIONAL)
        await region.set_scope(session, specialist.id, [org.id])
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        page = await page_of(client, session_factory, specialist, college)
        status, home = await page.post("journals", {})
        assert status == 200 and "data-monitoring" in home["html"]
        status, answer = await page.post("monitoring", {"preset": "s"})
        assert status == 200 and answer["html"].count("<svg") == 3
        assert college.org.short_name in answer["html"]
        assert college.teacher.last_name not in answer["html"]  # aggregates only
        status, _answer = await page.post("grid", journal(college))
        assert status == 403


async def test_a_mark_set_in_a_finalised_register_tells_the_parent_and_strangers_are_refused(
    session_factory: Factory, college: College, db_url: str
) -> None:
    from services.journal import register

    lesson = college.lessons.today
    student = college.students[3]
    async with session_factory.begin() as session:
        await register.finalise_register(
            session, college.actor(college.teacher), lesson.id, college.now
        )
    cell = {"journal": journal(college), "lesson": lesson.id, "student": student.id}
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        page = await page_of(client, session_factory, college.teacher, college)
        status, answer = await page.post(
            "cell", cell | {"action": "mark", "seen_mark": "present", "mark": "absent"}
        )
        assert status == 200 and "m-absent" in answer["html"]
        # A Telegram user who is no person of the journal: signed, but not linked.
        stranger = Page(client, sign(TOKEN, 99_999_999, ago(college.now, 1), language_code="ru"))
        status, answer = await stranger.post("journals", {})
        assert status == 403 and answer["error"].startswith("Ваш аккаунт Telegram")
    [event] = [e for e in await kit.events_of(session_factory) if e.kind == "register.finalised"]
    assert event.payload["students"] == [
        {"student_id": student.id, "mark": "absent", "was": "present"}
    ]


async def test_in_the_groups_journal_a_subgroups_lesson_has_only_its_students(
    session_factory: Factory, college: College, db_url: str
) -> None:
    english = journal(college) | {"discipline": college.english.id}
    lesson = college.lessons.subgroup  # English to subgroup 1, today
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        deputy = await page_of(client, session_factory, college.deputy, college)
        status, grid = await deputy.post("grid", english)
    assert status == 200
    html = grid["html"]
    for student in college.sub1_students:
        assert f'class="cell edit" data-l="{lesson.id}" data-s="{student.id}"' in html
    for student in college.sub2_students:
        assert f'data-l="{lesson.id}" data-s="{student.id}"' not in html  # off the register
    assert html.count('class="cell off"') >= len(college.sub2_students)


async def test_two_pages_adding_to_the_same_cell_at_once_store_one_grade(
    session_factory: Factory, college: College, db_url: str
) -> None:
    import asyncio

    student = college.students[5]
    lesson = college.lessons.today
    body = {
        "journal": journal(college),
        "lesson": lesson.id,
        "student": student.id,
        "action": "add",
        "seen_grades": [],
    }
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        teacher = await page_of(client, session_factory, college.teacher, college)
        deputy = await page_of(client, session_factory, college.deputy, college)
        answers = await asyncio.gather(
            teacher.post("cell", body | {"value": "5"}),
            deputy.post("cell", body | {"value": "3"}),
        )
    assert sorted(status for status, _answer in answers) == [200, 409]
    assert len(await kit.grades_of(session_factory, lesson.id, student.id)) == 1
