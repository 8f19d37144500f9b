"""Checks of the college-wide sheets: college, positions, groups, curriculum, subgroups, bells,
calendar."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.i18n import _
from services import college_settings
from storage.models import AttestationForm, CalendarKind, DisciplineKind, Role

from .cells import Row
from .choices import (
    ADULT_PARENTS_ALIASES,
    CALENDAR_ALIASES,
    FORM_ALIASES,
    KIND_ALIASES,
    LEAVERS_DATA_ALIASES,
    MAX_ALIASES,
    PERIOD,
    ROLE_ALIASES,
)
from .context import Context
from .model import (
    BellData,
    CalendarData,
    College,
    CurriculumData,
    CurriculumLine,
    CustomPosition,
    DisciplineData,
    GroupData,
    PeriodData,
    Programme,
    SubgroupData,
)
from .positions import BUILTIN_POSITIONS, RIGHTS


def read_college(ctx: Context) -> None:
    rows = list(ctx.rows("college"))
    if "college" in ctx.usable and len(rows) != 1:
        at = rows[1].number if len(rows) > 1 else 2
        Row("college", at, {}, ctx.errors).error(
            None, _("The college sheet must have exactly one row.")
        )
        return
    for row in rows:
        zone = row.text("timezone", limit=64) or "Asia/Sakhalin"
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            row.error("timezone", _("Unknown time zone “{value}”.").format(value=zone))
        college = College(
            code=row.text("code", required=True, limit=32) or "",
            name=row.text("name", required=True) or "",
            short_name=row.text("short_name", limit=64),
            region=row.text("region", limit=128),
            timezone=zone,
        )
        for column, key, aliases in (
            ("adult_parents", college_settings.ADULTS, ADULT_PARENTS_ALIASES),
            ("leavers_data", college_settings.LEAVERS, LEAVERS_DATA_ALIASES),
            ("max", college_settings.MAX, MAX_ALIASES),
        ):
            value = row.choice(column, aliases)
            if value is not None:
                college.settings[key] = value
        if not row.failed:
            ctx.data.college = college


def read_positions(ctx: Context) -> None:
    reserved = {p.code for p in BUILTIN_POSITIONS} | {r.value for r in Role}
    for row in ctx.rows("positions"):
        code = row.text("code", required=True, limit=48)
        name = row.text("name", required=True, limit=128)
        role = row.choice("role", ROLE_ALIASES, required=True)
        rights = row.items("rights")
        for right in rights:
            if right not in RIGHTS:
                row.error("rights", _("Unknown right “{value}”.").format(value=right))
        if code is not None and code.lower() in reserved | set(ROLE_ALIASES):
            row.error("code", _("“{value}” is a built-in role or position.").format(value=code))
        elif code is not None and ctx.once(row, "code", "code", code.lower(), code):
            if name is not None and role is not None:
                ctx.data.positions.append(CustomPosition(code, name, role, rights))


def read_groups(ctx: Context) -> None:
    if "groups" not in ctx.usable:
        return
    ctx.groups = {}
    named: dict[str, int] = {}  # programme code → the row that named it
    for row in ctx.rows("groups"):
        name = row.text("name", required=True, limit=32)
        code = row.text("programme_code", required=True, limit=32)
        programme_name = row.text("programme_name")
        course = row.integer("course_year", required=True, low=1, high=6)
        curriculum = row.text("curriculum_code", limit=32)
        if name is None or not ctx.once(row, "name", "name", name, name):
            continue
        group = GroupData(name, code or "", course or 1, curriculum, row.number)
        ctx.groups[name] = group
        if code is None:
            continue
        ctx.data.groups.append(group)
        programme = ctx.data.programmes.setdefault(code, Programme(code, None))
        if programme_name is None:
            continue
        if code in named and programme.name != programme_name:
            row.error(
                "programme_name",
                _("Programme {code} has another name on row {row}: “{name}”.").format(
                    code=code, row=named[code], name=programme.name
                ),
            )
        elif code not in named:
            named[code] = row.number
            programme.name = programme_name


def _discipline(row: Row, ctx: Context, code: str) -> None:
    """The discipline columns of a curriculum line; the same code must read the same."""
    found = DisciplineData(
        code=code,
        name=row.text("discipline_name", required=True) or "",
        kind=row.choice("kind", KIND_ALIASES) or DisciplineKind.DISCIPLINE,
        cycle=row.text("cycle", limit=32),
        parent_code=row.text("parent_code", limit=32),
    )
    known = ctx.data.disciplines.setdefault(code, found)
    if known != found:
        row.error(
            "discipline_code",
            _("Discipline {code} is described differently on another row.").format(code=code),
        )


def _curriculum(row: Row, ctx: Context, code: str) -> None:
    programme = row.text("programme_code", limit=32)
    year = row.text("academic_year", limit=16)
    if programme is not None and ctx.groups is not None:
        ctx.known(
            row,
            "programme_code",
            programme,
            ctx.data.programmes,
            _("Unknown programme “{value}”: no group on the groups sheet has it."),
        )
    known = ctx.data.curricula.setdefault(code, CurriculumData(code))
    for attr, value in (("programme_code", programme), ("academic_year", year)):
        if value is None:
            continue
        if getattr(known, attr) is None:
            setattr(known, attr, value)
        elif getattr(known, attr) != value:
            row.error(
                attr,
                _("Curriculum {code} has “{value}” here and “{other}” on another row.").format(
                    code=code, value=value, other=getattr(known, attr)
                ),
            )


def read_curriculum(ctx: Context) -> None:
    if "curriculum" not in ctx.usable:
        return
    for row in ctx.rows("curriculum"):
        code = row.text("curriculum_code", required=True, limit=32)
        discipline = row.text("discipline_code", required=True, limit=32)
        semester = row.integer("semester", required=True, low=1, high=12)
        hours = row.integer("hours", low=0, high=10_000)
        form = row.choice("attestation_form", FORM_ALIASES) or AttestationForm.NONE
        if code is None or discipline is None:
            continue
        _curriculum(row, ctx, code)
        _discipline(row, ctx, discipline)
        key = (code, discipline, semester)
        shown = f"{code} / {discipline} / {semester}"
        if semester is not None and ctx.once(row, "discipline_code", "line", key, shown):
            ctx.data.curriculum_lines.append(
                CurriculumLine(code, discipline, semester, hours, form)
            )
    ctx.disciplines = set(ctx.data.disciplines)
    _check_modules(ctx)
    for group in ctx.groups.values() if ctx.groups else ():
        if group.curriculum_code is not None and group.curriculum_code not in ctx.data.curricula:
            Row("groups", group.row, {}, ctx.errors).error(
                "curriculum_code",
                _("Unknown curriculum “{value}”.").format(value=group.curriculum_code),
            )


def _check_modules(ctx: Context) -> None:
    """МДК and practices point at a professional module of the same file."""
    for number, cells in ctx.sheets["curriculum"].rows:
        row = Row("curriculum", number, cells, ctx.errors)
        parent = row.text("parent_code", limit=32)
        if parent is None:
            continue
        module = ctx.data.disciplines.get(parent)
        own = ctx.data.disciplines.get(row.text("discipline_code") or "")
        if own is not None and own.kind == DisciplineKind.MODULE:
            row.error("parent_code", _("A professional module has no parent module."))
        elif module is None:
            row.error("parent_code", _("Unknown module “{value}”.").format(value=parent))
        elif module.kind != DisciplineKind.MODULE or parent == row.text("discipline_code"):
            row.error(
                "parent_code",
                _("“{value}” is not a professional module.").format(value=parent),
            )


def read_subgroups(ctx: Context) -> None:
    for row in ctx.rows("subgroups"):
        group = row.text("group", required=True, limit=32)
        name = row.text("name", required=True, limit=32)
        if group is None or name is None:
            continue
        if ctx.known(row, "group", group, ctx.groups, _("Unknown group “{value}”.")):
            if ctx.once(row, "name", "name", (group, name), f"{group} / {name}"):
                ctx.subgroups.setdefault(group, set()).add(name)
                ctx.data.subgroups.append(SubgroupData(group, name))


def read_bells(ctx: Context) -> None:
    if "bells" not in ctx.usable:
        return
    ctx.bells = set()
    for row in ctx.rows("bells"):
        pair = row.integer("pair", required=True, low=1, high=12)
        starts = row.clock("starts", required=True)
        ends = row.clock("ends", required=True)
        if starts and ends and ends <= starts:
            row.error("ends", _("The end is not after the start."))
        if pair is not None and ctx.once(row, "pair", "pair", pair, pair):
            ctx.bells.add(pair)
            if starts and ends and not row.failed:
                ctx.data.bells.append(BellData(pair, starts, ends))


def read_calendar(ctx: Context) -> None:
    if "calendar" not in ctx.usable:
        return
    ctx.periods = {}
    for row in ctx.rows("calendar"):
        kind = row.choice("kind", CALENDAR_ALIASES, required=True)
        name = row.text("name", required=True, limit=64 if kind == PERIOD else 128)
        starts = row.day("starts_on", required=True)
        ends = row.day("ends_on", required=True)
        group = row.text("group", limit=32)
        if starts and ends and ends < starts:
            row.error("ends_on", _("The end is before the start."))
        if kind is None or name is None:
            continue
        if kind == PERIOD:
            semester = row.integer("semester", required=True, low=1, high=2)
            if group is not None:
                row.error("group", _("A period is for the whole college: leave the group empty."))
            if not ctx.once(row, "name", "period", name, name):
                continue
            # A faulty period stays known by name so the timetable's lines are still checked.
            ctx.periods[name] = None
            if starts and ends and semester and not row.failed:
                period = PeriodData(name, semester, starts, ends)
                ctx.periods[name] = period
                ctx.data.periods.append(period)
            continue
        assert isinstance(kind, CalendarKind)  # every alias but a period's names one
        if group is not None:
            ctx.known(row, "group", group, ctx.groups, _("Unknown group “{value}”."))
        key = (kind, name, group)
        if ctx.once(row, "name", "entry", key, name) and starts and ends and not row.failed:
            ctx.data.calendar.append(CalendarData(kind, name, starts, ends, group))
