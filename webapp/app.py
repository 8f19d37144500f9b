"""The journal grid as a Telegram Mini App, served by the bot's own aiohttp application.

``GET <path>`` is the page's shell (the same for everyone, no personal data) with its script
and styles under ``<path>static/``. Everything else is ``POST <path>api/…`` with JSON bodies
and the Mini App's signed ``initData`` in the ``X-Telegram-Init-Data`` header, never in the
address. A request without a valid, fresh sign-in of this bot gets 401; a person asking for
a journal outside their rights gets 403; a grade outside the scale or a lesson of another
journal 400; a cell someone else changed since the page loaded it 409 with the cell as it is
now. Every answer carries a strict Content-Security-Policy (the page runs only its own script
and Telegram's), and one person may make ``WEBAPP__PER_MINUTE`` requests a minute (429).

Each request is one transaction: a change goes through the chat's use cases and is committed
with its audit entry and outbox event, or rolled back whole on a refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from aiogram.utils.web_app import WebAppInitData
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import Settings
from core.errors import Denied, JournalError
from core.i18n import _, use_locale
from screens.accounts import not_linked_in_telegram
from services import policy
from services.diary import service as diary
from services.journal import grid as service
from services.journal.grid import CellAction, CellEdit, Scope, StaleCell
from services.monitoring import indicators, items, region, span
from services.people.identity import Actors
from services.policy import Action
from storage.models import GradeKind, Mark, utcnow
from storage.sqlite_driver import interactive_work
from webapp import charts, pages
from webapp.auth import (
    INIT_DATA_HEADER,
    NotLinked,
    PerPerson,
    Unauthorised,
    Visitor,
    locale_of,
    signed_user,
    visitor,
)

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
DEFAULT_PATH = "/app/"
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self' https://telegram.org",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        # Telegram's web clients show the Mini App in a frame of theirs.
        "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}
MAX_BODY = 16 * 1024

Clock = Callable[[], datetime]
Api = Callable[[web.Request, AsyncSession, Visitor, dict[str, Any]], Awaitable[web.Response]]


class MiniApp:
    """The Mini App's routes, with what they need: the bot token (to check the signature),
    the settings, the store, and the clock (tests stand on a chosen day)."""

    def __init__(
        self,
        token: str,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock = utcnow,
    ) -> None:
        self.token = token
        self.settings = settings
        self.session_factory = session_factory
        self.clock = clock
        self.actors = Actors()
        self.limits = PerPerson(settings.webapp.per_minute)
        self.max_age = timedelta(minutes=settings.webapp.max_age_minutes)

    def mount(self, app: web.Application, path: str) -> None:
        app.middlewares.append(secure_headers)
        app.router.add_get(path, self.page)
        app.router.add_static(path + "static/", STATIC, append_version=False)
        for name, api in (
            ("journals", self.journals),
            ("grid", self.grid),
            ("cell", self.cell),
            ("diary", self.diary),
            ("monitoring", self.monitoring),
        ):
            app.router.add_post(f"{path}api/{name}", self._api(api))

    async def page(self, request: web.Request) -> web.Response:
        with use_locale(self.settings.default_locale):  # the person's, once signed in
            return web.Response(text=pages.shell(), content_type="text/html")

    def _api(self, api: Api) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            now = self.clock()
            try:
                signed = signed_user(
                    self.token, request.headers.get(INIT_DATA_HEADER, ""), now, self.max_age
                )
            except Unauthorised:
                return self._refused(None, 401, pages.sign_in_failed)
            assert signed.user is not None
            if not self.limits.allow(signed.user.id):
                return self._refused(signed, 429, pages.too_many_requests)
            if request.content_length is not None and request.content_length > MAX_BODY:
                return self._refused(signed, 413, lambda: _("The request is too large."))
            try:
                body = orjson.loads(await request.read())
            except orjson.JSONDecodeError:
                body = None
            if not isinstance(body, dict):
                return self._refused(signed, 400, lambda: _("Bad request."))
            with interactive_work():  # a page writes a few rows, inline as a press's
                return await self._answer(api, request, signed, body, now)

        return handle

    def _refused(
        self, signed: WebAppInitData | None, status: int, text: Callable[[], str]
    ) -> web.Response:
        """A refusal as the page shows it, in the asker's language; in the college's when
        nothing verified says who asks (``signed`` None)."""
        default = self.settings.default_locale
        with use_locale(default if signed is None else locale_of(None, signed, default)):
            return _json(pages.error_json(text()), status)

    async def _answer(
        self,
        api: Api,
        request: web.Request,
        signed: WebAppInitData,
        body: dict[str, Any],
        now: datetime,
    ) -> web.Response:
        async with self.session_factory() as session:
            try:
                who = await visitor(session, signed, self.settings, self.actors, now)
            except NotLinked:
                return self._refused(signed, 403, not_linked_in_telegram)
            with use_locale(who.locale):
                try:
                    response = await api(request, session, who, body)
                except StaleCell as exc:
                    await session.rollback()
                    return _json(_cell_json(exc.cell, exc.average, body, exc.message), 409)
                except Denied as exc:
                    await session.rollback()
                    return _json(pages.error_json(exc.message), 403)
                except JournalError as exc:
                    await session.rollback()
                    return _json(pages.error_json(exc.message), 400)
                except BadRequest as exc:
                    await session.rollback()
                    return _json(pages.error_json(str(exc) or _("Bad request.")), 400)
                await session.commit()
                return response

    async def journals(
        self, request: web.Request, session: AsyncSession, who: Visitor, body: dict[str, Any]
    ) -> web.Response:
        """The journals one may open in a period; with ``lesson``, that lesson's journal."""
        now = self.clock()
        lesson_id = _int(body.get("lesson"), optional=True)
        answer: dict[str, Any] = {"labels": pages.labels()}
        if lesson_id is not None:
            scope = await service.scope_of_lesson(session, who.actor, lesson_id)
            grid = await service.discipline_grid(session, who.actor, scope, now)
            answer["html"] = str(pages.grid_html(grid))
            answer["journal"] = _journal_json(scope)
            return _json(answer)
        found = await service.journals(
            session, who.actor, now, _int(body.get("period"), optional=True)
        )
        viewer = diary.viewer_of(who.identity.person, who.identity.memberships)
        has_diary = any(viewer.may_see(sid) for sid, _name in _diary_students(who))
        if has_diary and not found.journals:  # a parent or a student: their term at once
            return await self.diary(request, session, who, {})
        watches = policy.can(who.actor, Action.SEE_MONITORING) or policy.can(
            who.actor, Action.SEE_REGION
        )
        answer["html"] = str(pages.journals_html(found, diary=has_diary, monitoring=watches))
        return _json(answer)

    async def grid(
        self, request: web.Request, session: AsyncSession, who: Visitor, body: dict[str, Any]
    ) -> web.Response:
        scope = await self._scope(session, who, body)
        grid = await service.discipline_grid(session, who.actor, scope, self.clock())
        return _json({"html": str(pages.grid_html(grid)), "journal": _journal_json(scope)})

    async def cell(
        self, request: web.Request, session: AsyncSession, who: Visitor, body: dict[str, Any]
    ) -> web.Response:
        scope = await self._scope(session, who, body.get("journal"))
        edit = _cell_edit(body)
        result = await service.edit_cell(session, who.actor, scope, edit, self.clock())
        return _json(_cell_json(result.cell, result.average, body, _("Saved")))

    async def diary(
        self, request: web.Request, session: AsyncSession, who: Visitor, body: dict[str, Any]
    ) -> web.Response:
        """A student's term (their own, or a child's): grades per discipline, attendance."""
        identity = who.identity
        viewer = diary.viewer_of(identity.person, identity.memberships)
        child = identity.child.student_id if identity.child else None
        wanted = _int(body.get("student"), optional=True)
        sid = wanted or diary.default_student(viewer, identity.role, child)
        today = who.actor.today(self.clock())
        card = await diary.open_student(
            session,
            viewer,
            sid,
            adults_default=self.settings.adults.parents,
            today=today,
        )
        grades = await diary.grades_summary(session, card, today)
        attendance = await diary.attendance_summary(session, card, today)
        misses = await diary.attendance_days(session, card, today)
        students = [c for c in _diary_students(who) if viewer.may_see(c[0])]
        html = pages.diary_html(card, grades, attendance, misses, students, today)
        return _json({"html": str(html), "labels": pages.labels(), "home": "diary"})

    async def monitoring(
        self, request: web.Request, session: AsyncSession, who: Visitor, body: dict[str, Any]
    ) -> web.Response:
        """The college's monitoring as charts (the deputy director's and the director's), or
        the region's colleges side by side (the regional specialist's)."""
        actor = who.actor
        regional = not policy.can(actor, Action.SEE_MONITORING) and policy.can(
            actor, Action.SEE_REGION
        )
        if regional:
            region.require(actor)
        else:
            indicators.require(actor)
        try:
            kind = span.Preset(body.get("preset") or span.Preset.MONTH)
        except ValueError:
            raise BadRequest from None
        now = self.clock()
        today = actor.today(now)
        if regional:
            chosen = region.preset_span(actor, kind, today)
            found = await region.region(session, actor, chosen, now)
            html = charts.region_dashboard(found, kind.value)
            return _json({"html": str(html), "labels": pages.labels()})
        chosen = await indicators.preset_span(session, actor, kind, today)
        m = await items.college_book(session, actor, chosen, today)
        html = charts.dashboard(m, indicators.weekly(m), kind.value)
        return _json({"html": str(html), "labels": pages.labels()})

    async def _scope(self, session: AsyncSession, who: Visitor, raw: Any) -> Scope:
        if not isinstance(raw, dict):
            raise BadRequest
        return await service.open_scope(
            session,
            who.actor,
            _int(raw.get("group")),
            _int(raw.get("discipline")),
            _int(raw.get("period")),
            _int(raw.get("subgroup"), optional=True),
        )


class BadRequest(Exception):
    """A body the page never sends: a missing or mistyped field."""


def _diary_students(who: Visitor) -> list[tuple[int, str]]:
    """Whose term the person may look at: themself when a student, their children."""
    found = []
    if who.actor.student_id is not None:
        found.append((who.actor.student_id, who.identity.person.short_name))
    found.extend((c.student_id, c.short_name) for c in who.identity.children)
    return found


def _int(value: Any, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise BadRequest
    return value


def _cell_edit(body: dict[str, Any]) -> CellEdit:
    try:
        action = CellAction(str(body.get("action")))
        seen_mark = Mark(body.get("seen_mark", "present"))
        seen = body.get("seen_grades") or []
        seen_grades = tuple((_int(g[0]), str(g[1])) for g in seen)
        kind = body.get("kind")  # none: a new grade is current, a changed one keeps its kind
        comment = body.get("comment")
        value = body.get("value")
        mark = body.get("mark")
    except (ValueError, TypeError, IndexError, KeyError):
        raise BadRequest from None
    if not all(isinstance(x, str | None) for x in (kind, comment, value, mark)):
        raise BadRequest
    return CellEdit(
        lesson_id=_int(body.get("lesson")),
        student_id=_int(body.get("student")),
        action=action,
        seen_grades=seen_grades,
        seen_mark=seen_mark,
        grade_id=_int(body.get("grade"), optional=True),
        value=value,
        kind=kind if kind is not None or action is not CellAction.ADD else GradeKind.CURRENT,
        comment=comment,
        mark=mark,
    )


def _journal_json(scope: Scope) -> dict[str, Any]:
    return {
        "group": scope.group.id,
        "discipline": scope.discipline.id,
        "period": scope.period.id,
        "subgroup": scope.subgroup_id,
    }


def _cell_json(
    cell: Any, average: float | None, body: dict[str, Any], message: str
) -> dict[str, Any]:
    return {
        "html": str(
            pages.cell_html(cell, _int(body.get("lesson")), _int(body.get("student")), True)
        ),
        "average": pages.average_text(average),
        "message": message,
    }


def _json(data: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, content_type="application/json")


@web.middleware
async def secure_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


def mount_path(settings: Settings) -> str:
    """Where the Mini App is served: the path of ``WEBAPP_URL`` (the proxy keeps it)."""
    if not settings.webapp_url:
        return DEFAULT_PATH
    path = urlsplit(settings.webapp_url).path or "/"
    return path if path.endswith("/") else path + "/"


def add_mini_app(
    app: web.Application,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    clock: Clock = utcnow,
) -> MiniApp:
    assert settings.bot_token is not None
    mini = MiniApp(settings.bot_token.get_secret_value(), settings, session_factory, clock)
    mini.mount(app, mount_path(settings))
    return mini


async def serve_mini_app(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> web.AppRunner:
    """Long polling: the Mini App on a port of its own (``WEBAPP__HOST``:``WEBAPP__PORT``).
    The caller cleans the runner up when the bot stops."""
    app = web.Application(client_max_size=MAX_BODY)
    add_mini_app(app, settings, session_factory)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.webapp.host, settings.webapp.port).start()
    log.info(
        "journal grid: listening on %s:%s at %s",
        settings.webapp.host,
        settings.webapp.port,
        mount_path(settings),
    )
    return runner
