"""Checks of the teaching sheets: assignments and the weekly timetable."""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import _
from storage.models import WeekParity

from .cells import Row, norm
from .choices import PARITY_ALIASES, WEEKDAY_ALIASES
from .context import Context
from .model import AssignmentData, TimetableLine


def _teacher(ctx: Context, row: Row, column: str) -> str | None:
    teacher = row.text(column, required=True, limit=64)
    if teacher is None or ctx.teachers is None or teacher in ctx.teachers:
        return teacher
    if teacher in ctx.data.people:
        row.error(
            column,
            _("{value} is not a teacher: add the teacher role on the staff sheet.").format(
                value=teacher
            ),
        )
    else:
        row.error(column, _("Unknown teacher “{value}”.").format(value=teacher))
    return None


def _group_subgroup(ctx: Context, row: Row) -> tuple[str | None, str | None]:
    group = row.text("group", required=True, limit=32)
    subgroup = row.text("subgroup", limit=32)
    if ctx.known(row, "group", group, ctx.groups, _("Unknown group “{value}”.")):
        ctx.subgroup_known(row, "subgroup", group or "", subgroup)
    return group, subgroup


def _discipline(ctx: Context, row: Row) -> str | None:
    code = row.text("discipline", required=True, limit=32)
    ctx.known(row, "discipline", code, ctx.disciplines, _("Unknown discipline “{value}”."))
    return code


def _period(ctx: Context, row: Row, *, required: bool) -> str | None:
    name = row.text("period", required=required, limit=64)
    ctx.known(row, "period", name, ctx.periods, _("Unknown period “{value}”."))
    return name


def read_assignments(ctx: Context) -> None:
    seen: set[AssignmentData] = set()
    for row in ctx.rows("assignments"):
        teacher = _teacher(ctx, row, "teacher")
        group, subgroup = _group_subgroup(ctx, row)
        discipline = _discipline(ctx, row)
        period = _period(ctx, row, required=False)
        if row.failed or teacher is None or group is None or discipline is None:
            continue
        assignment = AssignmentData(teacher, group, subgroup, discipline, period)
        if assignment not in seen:  # a repeated line says nothing new
            seen.add(assignment)
            ctx.data.assignments.append(assignment)


@dataclass
class _Slot:
    row: int
    subgroup: str | None
    parity: WeekParity
    discipline: str
    room: str | None
    group: str


def _overlap(a: _Slot, parity: WeekParity) -> bool:
    """Do two lines meet in some week? Every week meets all; odd and even never meet."""
    return WeekParity.EVERY in (a.parity, parity) or a.parity == parity


def _same_students(a: str | None, b: str | None) -> bool:
    """The whole group shares students with each of its subgroups."""
    return a is None or b is None or a == b


def read_timetable(ctx: Context) -> None:
    groups_at: dict[tuple[str, str, int, int], list[_Slot]] = {}
    teachers_at: dict[tuple[str, str, int, int], list[_Slot]] = {}
    for row in ctx.rows("timetable"):
        period = _period(ctx, row, required=True)
        group, subgroup = _group_subgroup(ctx, row)
        weekday_text = row.text("weekday", required=True)
        weekday = WEEKDAY_ALIASES.get(norm(weekday_text)) if weekday_text else None
        if weekday_text is not None and weekday is None:
            row.error(
                "weekday",
                _("“{value}” is not a weekday: write 1 to 7 (Monday is 1) or mon … sun.").format(
                    value=weekday_text
                ),
            )
        pair = row.integer("pair", required=True, low=1, high=12)
        ctx.known(row, "pair", pair, ctx.bells, _("No bell for pair {value}."))
        parity = row.choice("parity", PARITY_ALIASES) or WeekParity.EVERY
        discipline = _discipline(ctx, row)
        teacher = _teacher(ctx, row, "teacher")
        room = row.text("room", limit=32)
        hours = row.integer("hours", low=1, high=12)
        if (
            row.failed
            or period is None
            or group is None
            or weekday is None
            or pair is None
            or discipline is None
            or teacher is None
        ):
            continue
        slot = _Slot(row.number, subgroup, parity, discipline, room, group)
        at = (period, group, weekday, pair)
        clash = next(
            (
                s
                for s in groups_at.get(at, [])
                if _overlap(s, parity) and _same_students(s.subgroup, subgroup)
            ),
            None,
        )
        if clash is not None:
            row.error(
                "pair",
                _("The group already has a lesson at this time on row {row}.").format(
                    row=clash.row
                ),
            )
            continue
        busy = next(
            (
                s
                for s in teachers_at.get((period, teacher, weekday, pair), [])
                if _overlap(s, parity) and (s.discipline, s.room) != (discipline, room)
            ),
            None,
        )
        if busy is not None:
            row.error(
                "teacher",
                _("The teacher already teaches at this time on row {row}.").format(row=busy.row),
            )
            continue
        groups_at.setdefault(at, []).append(slot)
        teachers_at.setdefault((period, teacher, weekday, pair), []).append(slot)
        ctx.data.timetable.append(
            TimetableLine(
                period, group, subgroup, weekday, pair, parity, discipline, teacher, room, hours
            )
        )
