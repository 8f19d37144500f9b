"""The journal grid in a real browser: headless Chromium (the distribution's) driven by
Playwright opens the page as Telegram would, signed in with initData built here, reads the
grid, sets a grade by tapping, and the parent is told through the fake Bot API.

Nothing is downloaded: Telegram's script is answered by a small stand-in that hands the page
the signed initData and the theme, and every other address outside the test server is
refused. Without Playwright or Chromium the tier is skipped, saying what to install.
Screenshots (390 × 844, light and dark) go to ``$SCREENSHOTS_DIR`` when it is set
(docs/screenshots holds the current ones), else to the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import notify_events
from handlers.sender import Sender
from services.journal import register
from storage.models import Grade, Mark
from tests.factories import College
from tests.fakebot import FakeBotAPI
from tests.notifications.kit import add_grade
from tests.webapp import kit
from tests.webapp.kit import ago, sign

try:
    from playwright.async_api import Browser, Page, async_playwright, expect
except ImportError:  # the browser tier is optional where Playwright is not installed
    async_playwright = None  # type: ignore[assignment]

CHROMIUM = os.environ.get("CHROMIUM_PATH") or next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None
)
MISSING = (
    "the browser tier needs Playwright (pip install -e '.[test]') and Chromium "
    "(apt-get install chromium, or CHROMIUM_PATH)"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(async_playwright is None or CHROMIUM is None, reason=MISSING),
]

Factory = async_sessionmaker[AsyncSession]
LIGHT = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#3390ec",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f4f4f5",
}
DARK = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#232e3c",
}


def telegram_stand_in(init_data: str, scheme: str) -> str:
    """What the page gets for telegram-web-app.js: the WebApp object as Telegram's script
    makes it, with the signed initData and the theme."""
    theme = DARK if scheme == "dark" else LIGHT
    return (
        "window.Telegram = {WebApp: {"
        f"initData: {json.dumps(init_data)}, colorScheme: {json.dumps(scheme)}, "
        f"themeParams: {json.dumps(theme)}, "
        "ready() {}, expand() {}, onEvent() {}, "
        "BackButton: {show() {}, hide() {}}, HapticFeedback: {notificationOccurred() {}}"
        "}};"
    )


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert async_playwright is not None and CHROMIUM is not None
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        await launched.close()


async def open_page(
    browser: Browser, base: str, init_data: str, *, scheme: str = "light", query: str = ""
) -> Page:
    context = await browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        color_scheme="dark" if scheme == "dark" else "light",
    )
    page = await context.new_page()
    stand_in = telegram_stand_in(init_data, scheme)

    async def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith("https://telegram.org/js/telegram-web-app.js"):
            await request_route.fulfill(body=stand_in, content_type="application/javascript")
        elif url.startswith(base):
            await request_route.continue_()
        else:  # nothing leaves the machine
            await request_route.abort()

    await page.route("**/*", route)
    await page.goto(f"{base}/app/{query}")
    return page


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_a_teacher_opens_the_grid_from_the_lesson_card_sets_a_grade_and_the_parent_is_told(
    browser: Browser,
    fake_api: FakeBotAPI,
    session_factory: Factory,
    college: College,
    db_url: str,
    tmp_path: Path,
) -> None:
    factory = session_factory
    app = kit.bot_app(fake_api, factory, db_url, kit.URL)
    app.stand_at(college.now)
    settings = app.settings
    # A few grades already given, so the grid looks like a journal in use.
    for student, value in zip(college.students, ("4", "5", "3", "5"), strict=False):
        await add_grade(factory, college, student, value, college.now)
    async with factory.begin() as session:  # and an absence the day before
        await register.toggle_mark(
            session,
            college.actor(college.teacher),
            college.lessons.yesterday.id,
            college.students[2].id,
            Mark.PRESENT,
            college.now,
        )
    await notify_events(factory, settings, now=college.now)
    student = college.students[4]
    parent = await app.link(college.parents[student.id])
    lesson = college.lessons.today
    # In the chat, the teacher opens the lesson card; its button opens the grid.
    teacher = await app.link(college.teacher)
    await kit.open_card(app, teacher)
    [button] = kit.web_app_buttons(teacher)
    query = str(button["web_app"]["url"]).removeprefix(kit.URL)
    assert query == f"?lesson={lesson.id}"
    async with kit.serve(factory, settings, college.now) as client:
        base = str(client.make_url("")).rstrip("/")
        # Telegram hands the page the initData it signed for this user.
        signed = sign(app.api.token, teacher.id, ago(college.now, 1))
        page = await open_page(browser, base, signed, query=query)
        # The grid of the lesson's journal: the students down, the lessons across.
        await expect(page.locator("table.grid")).to_be_visible()
        names = await page.locator("tbody th.name").all_inner_texts()
        assert names == [s.person.short_name for s in college.students]
        assert await page.locator("thead th.lesson").count() >= 3
        await page.screenshot(path=str(shots_dir(tmp_path) / "grid-light.png"))
        # Scrolled sideways, the names stay in place; the dates stay on top.
        name = page.locator("tbody th.name").first
        before = await name.bounding_box()
        await page.locator(".scroller").evaluate("s => { s.scrollLeft = 200; }")
        assert await page.locator(".scroller").evaluate("s => s.scrollLeft") > 0
        after = await name.bounding_box()
        assert before is not None and after is not None and after["x"] == before["x"]
        await page.locator(".scroller").evaluate("s => { s.scrollLeft = 0; }")

        # The lesson's header tells its date and topic.
        await page.locator(f'th.lesson[data-l="{lesson.id}"]').click()
        await expect(page.locator("#sheet")).to_be_visible()
        await page.get_by_role("button", name="Close").click()

        # Tomorrow's lesson cannot be graded yet: a tap says why.
        tomorrow = college.lessons.tomorrow.id
        await page.locator(f'td.cell[data-l="{tomorrow}"][data-s="{student.id}"]').click()
        await expect(page.locator("#message")).to_contain_text("has not taken place yet")

        # Tap the cell, tap 5.
        cell = page.locator(f'td.cell[data-l="{lesson.id}"][data-s="{student.id}"]')
        await cell.click()
        await expect(page.locator("#sheet")).to_be_visible()
        await page.screenshot(path=str(shots_dir(tmp_path) / "cell-light.png"))
        await page.locator('.values button[data-value="5"]').click()
        await expect(cell).to_have_text("5")
        await expect(page.locator("#message")).to_have_text("Saved")
        await expect(page.locator(f'td.avg[data-avg="{student.id}"]')).to_have_text("5.00")

        # The same grid in the dark theme.
        dark = await open_page(browser, base, signed, scheme="dark", query=query)
        await expect(
            dark.locator(f'td.cell[data-l="{lesson.id}"][data-s="{student.id}"]')
        ).to_have_text("5")
        background = await dark.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(23, 33, 43)"
        await dark.screenshot(path=str(shots_dir(tmp_path) / "grid-dark.png"))

    async with factory() as session:
        from sqlalchemy import select

        [grade] = (
            await session.scalars(
                select(Grade).where(Grade.lesson_id == lesson.id, Grade.student_id == student.id)
            )
        ).all()
    assert grade.value == "5" and grade.created_by == college.teacher.id
    audit = [e for e in await kit.audit_of(factory, "grade") if e.entity_id == grade.id]
    assert [e.actor_id for e in audit] == [college.teacher.id]

    # The notifier and the sender do their rounds: the parent gets the notice in the chat.
    assert await notify_events(factory, settings, now=college.now) == 1
    await Sender(app.bot, factory).drain_once(college.now + timedelta(minutes=3))
    # The parent's language is the college's (Russian), as for a grade given in the chat.
    assert parent.texts == [
        f"📘 {student.person.first_name}: новая оценка 5\nМатематика, занятие 17 ноября"
    ]


async def test_a_forged_or_expired_sign_in_and_another_teachers_lesson_are_refused_in_the_page(
    browser: Browser, college: College, session_factory: Factory, db_url: str
) -> None:
    settings = kit.settings_for(db_url)
    teacher_id = await kit.link(session_factory, college.teacher)
    good = sign(kit.TOKEN, teacher_id, ago(college.now, 1))
    expired = sign(kit.TOKEN, teacher_id, ago(college.now, 24 * 60))
    forged = sign(kit.OTHER_BOT, teacher_id, ago(college.now, 1))
    async with kit.serve(session_factory, settings, college.now) as client:
        base = str(client.make_url("")).rstrip("/")
        for init_data in (expired, forged):
            page = await open_page(browser, base, init_data)
            # Nothing verified says who it is: the college's language (Russian here).
            await expect(page.locator("#message")).to_contain_text("откройте журнал заново из бота")
            assert await page.locator("table.grid").count() == 0
        page = await open_page(browser, base, good, query=f"?lesson={college.lessons.foreign.id}")
        await expect(page.locator("#message")).to_have_text(
            "This journal is not among those you may open."
        )
        assert await page.locator("table.grid").count() == 0
        # Opened outside Telegram, the page says where to open it.
        page = await open_page(browser, base, "")
        await expect(page.locator("#loading")).to_contain_text("open the journal from the bot")


async def test_from_the_menu_button_a_teacher_picks_a_journal_and_a_parent_sees_the_term(
    browser: Browser, college: College, session_factory: Factory, db_url: str, tmp_path: Path
) -> None:
    settings = kit.settings_for(db_url)
    student = college.students[0]
    await add_grade(session_factory, college, student, "4", college.now)
    await add_grade(session_factory, college, student, "5", college.now)
    async with session_factory.begin() as session:
        await register.toggle_mark(
            session,
            college.actor(college.teacher),
            college.lessons.yesterday.id,
            student.id,
            Mark.PRESENT,
            college.now,
        )
    teacher_id = await kit.link(session_factory, college.teacher)
    parent_id = await kit.link(session_factory, college.parents[student.id])
    async with kit.serve(session_factory, settings, college.now) as client:
        base = str(client.make_url("")).rstrip("/")
        page = await open_page(browser, base, sign(kit.TOKEN, teacher_id, ago(college.now, 1)))
        journals = page.locator("[data-journal]")
        await expect(journals.first).to_be_visible()
        assert await journals.all_inner_texts() == [college.math.name, college.english.name]
        await page.screenshot(path=str(shots_dir(tmp_path) / "journals-light.png"))
        await journals.first.click()
        await expect(page.locator("table.grid")).to_be_visible()
        await expect(page.locator(".grid-title h2")).to_have_text(
            f"{college.group.name} · {college.math.name}"
        )
        await page.locator("#back").click()
        await expect(journals.first).to_be_visible()

        # A parent's page opens on the child's term.
        page = await open_page(browser, base, sign(kit.TOKEN, parent_id, ago(college.now, 1)))
        row = page.locator("table.diary tbody tr", has_text=college.math.name)
        await expect(row).to_contain_text("4 5")
        await expect(row.locator("td.avg")).to_have_text("4.50")
        await expect(page.locator("ul.calendar")).to_contain_text(f"{college.math.name}: absent")
        # The calendar marks the day of the absence.
        absent = page.locator("table.month td.m-absent")
        await expect(absent).to_have_count(1)
        await expect(absent).to_have_text(str(college.lessons.yesterday.date.day))
        assert await page.locator("#back").is_hidden()
        await page.screenshot(path=str(shots_dir(tmp_path) / "diary-light.png"))


async def test_the_deputy_opens_the_monitoring_dashboard_as_charts(
    browser: Browser, college: College, session_factory: Factory, db_url: str, tmp_path: Path
) -> None:
    for student in college.students[:3]:
        await add_grade(session_factory, college, student, "5", college.now)
    async with session_factory.begin() as session:  # registers taken, one of them late
        teacher = college.actor(college.teacher)
        await register.finalise_register(session, teacher, college.lessons.today.id, college.now)
        await register.finalise_register(
            session, teacher, college.lessons.yesterday.id, college.now
        )
    deputy_id = await kit.link(session_factory, college.deputy)
    async with kit.serve(session_factory, kit.settings_for(db_url), college.now) as client:
        base = str(client.make_url("")).rstrip("/")
        signed = sign(kit.TOKEN, deputy_id, ago(college.now, 1))
        page = await open_page(browser, base, signed, scheme="dark")
        await page.locator("[data-monitoring]").click()
        await expect(page.locator("svg.chart").first).to_be_visible()
        await page.locator('[data-preset="s"]').click()
        await expect(page.locator('[data-preset="s"].on')).to_be_visible()
        assert await page.locator("svg.chart").count() == 3
        await expect(page.locator("main")).to_contain_text("R1 registers")
        await page.screenshot(path=str(shots_dir(tmp_path) / "monitoring-dark.png"), full_page=True)
