"""Checks of the people sheets: staff with their roles, students, parents."""

from __future__ import annotations

from core.i18n import _
from storage.models import Role

from .cells import norm
from .choices import LEFT, ROLE_ALIASES, STATUS_ALIASES
from .context import Context
from .model import ParentData, Staff, StaffRole, StudentData


def read_staff(ctx: Context) -> None:
    if "staff" not in ctx.usable:
        return
    ctx.teachers = set()
    positions = {p.code.lower(): p for p in ctx.data.positions}
    for row in ctx.rows("staff"):
        person = ctx.person(row)
        roles: list[StaffRole] = []
        for item in row.items("roles", required=True):
            role = ROLE_ALIASES.get(norm(item))
            custom = positions.get(item.lower())
            if role is not None:
                roles.append(StaffRole(role, None))
            elif custom is not None:
                roles.append(StaffRole(custom.role, custom.code))
            else:
                row.error("roles", _("Unknown role or position “{value}”.").format(value=item))
        groups = row.items("curator_of")
        for group in groups:
            ctx.known(row, "curator_of", group, ctx.groups, _("Unknown group “{value}”."))
        curator = [r for r in roles if r.role == Role.CURATOR]
        if curator and not groups:
            row.error("curator_of", _("A curator needs their groups in this column."))
        # A curator holds one membership per group; the curator_of column alone makes one.
        position = curator[0].position if curator else None
        roles = [r for r in roles if r.role != Role.CURATOR]
        roles += [StaffRole(Role.CURATOR, position, group) for group in groups]
        left = row.choice("status", STATUS_ALIASES) == LEFT
        left_on = row.day("left_on")
        if person is None:
            continue
        if any(r.role == Role.TEACHER for r in roles):
            ctx.teachers.add(person.external_id)
        ctx.data.staff.append(Staff(person.external_id, roles, left, left_on))


def read_students(ctx: Context) -> None:
    if "students" not in ctx.usable:
        return
    ctx.students = set()
    for row in ctx.rows("students"):
        person = ctx.person(row, birth_date=True)
        group = row.text("group", required=True, limit=32)
        subgroups = row.items("subgroups")
        record_book = row.text("record_book", limit=32)
        enrolled_on = row.day("enrolled_on")
        if ctx.known(row, "group", group, ctx.groups, _("Unknown group “{value}”.")):
            for name in subgroups:
                ctx.subgroup_known(row, "subgroups", group or "", name)
        if person is None:
            continue
        ctx.students.add(person.external_id)
        if group is not None:
            ctx.data.students.append(
                StudentData(person.external_id, group, subgroups, record_book, enrolled_on)
            )


def read_parents(ctx: Context) -> None:
    for row in ctx.rows("parents"):
        person = ctx.person(row)
        children = row.items("children", required=True)
        for child in children:
            ctx.known(row, "children", child, ctx.students, _("Unknown student “{value}”."))
        if person is not None and children:
            ctx.data.parents.append(ParentData(person.external_id, children))
