"""Writing the college-wide part: the college, positions, programmes, curricula, disciplines,
groups, subgroups, periods, calendar and bells."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.i18n import _
from services import college_settings
from storage import importing as q
from storage.models import (
    Bell,
    CalendarEntry,
    Curriculum,
    CurriculumItem,
    Discipline,
    Group,
    Organisation,
    Period,
    Position,
    Programme,
    Subgroup,
)

from .writer import Writer


async def write_college(w: Writer) -> None:
    college = w.data.college
    assert college is not None  # validate() returns no data without a college
    ids = await w.sync(
        Organisation,
        "organisation",
        [
            {
                "code": college.code,
                "name": college.name,
                "short_name": college.short_name,
                "region": college.region,
                "timezone": college.timezone,
            }
        ],
        ("code",),
        Organisation.code == college.code,
        defaults={"short_name": "", "region": ""},
    )
    w.org_id = ids[(college.code,)]
    # The college's own creation entry was logged before its id was known.
    for entry in w.audit:
        entry["org_id"] = w.org_id
    for key, value in college.settings.items():
        if await college_settings.store(
            w.session, w.org_id, key, value, actor_id=None, source="import"
        ):
            w.report.updated["college_setting"] += 1


async def write_positions(w: Writer) -> dict[str, int]:
    rows = [
        {
            "org_id": w.org_id,
            "code": p.code,
            "name": p.name,
            "role": p.role,
            "rights": p.rights,
            "builtin": False,
        }
        for p in w.data.positions
    ]
    ids = await w.sync(Position, "position", rows, ("code",), Position.org_id == w.org_id)
    return {code: id_ for (code,), id_ in ids.items()}


async def write_curriculum(w: Writer) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Programmes, curricula, disciplines and curriculum lines; returns their ids by code."""
    org = w.org_id
    programmes = await w.sync(
        Programme,
        "programme",
        [{"org_id": org, "code": p.code, "name": p.name} for p in w.data.programmes.values()],
        ("code",),
        Programme.org_id == org,
        defaults={"name": lambda row: row["code"]},
    )
    programme_id = {code: id_ for (code,), id_ in programmes.items()}
    curricula = await w.sync(
        Curriculum,
        "curriculum",
        [
            {
                "org_id": org,
                "code": c.code,
                "programme_id": programme_id.get(c.programme_code or ""),
                "academic_year": c.academic_year,
            }
            for c in w.data.curricula.values()
        ],
        ("code",),
        Curriculum.org_id == org,
        defaults={"academic_year": ""},
    )
    curriculum_id = {code: id_ for (code,), id_ in curricula.items()}

    discipline_id: dict[str, int] = {}
    # Modules first, so МДК and practices can point at them.
    for with_parent in (False, True):
        rows: list[dict[str, Any]] = [
            {
                "org_id": org,
                "code": d.code,
                "name": d.name,
                "kind": d.kind,
                "cycle": d.cycle,
                **(
                    {"parent_id": discipline_id[d.parent_code]} if d.parent_code is not None else {}
                ),
            }
            for d in w.data.disciplines.values()
            if (d.parent_code is not None) == with_parent
        ]
        ids = await w.sync(
            Discipline,
            "discipline",
            rows,
            ("code",),
            Discipline.org_id == org,
            defaults={"cycle": ""},
        )
        discipline_id.update({code: id_ for (code,), id_ in ids.items()})

    in_file = list(curriculum_id.values())
    await w.sync(
        CurriculumItem,
        "curriculum_item",
        [
            {
                "curriculum_id": curriculum_id[line.curriculum_code],
                "discipline_id": discipline_id[line.discipline_code],
                "semester": line.semester,
                "hours": line.hours,
                "attestation_form": line.form,
            }
            for line in w.data.curriculum_lines
        ],
        ("curriculum_id", "discipline_id", "semester"),
        CurriculumItem.curriculum_id.in_(in_file),
        defaults={"hours": 0},
        delete_missing=True,  # the sheet lists the whole of each curriculum it names
    )
    return programme_id, curriculum_id, discipline_id


async def write_groups(
    w: Writer, programme_id: dict[str, int], curriculum_id: dict[str, int]
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Groups and subgroups; returns group ids by name and subgroup ids by (group, name). A
    group a next-course order has moved keeps the course the order gave it."""
    ordered = await q.ordered_groups(w.session, w.org_id)
    stored = {
        r["name"]: r
        for r in await q.rows_of(
            w.session, Group, ("name", "course_year"), Group.org_id == w.org_id
        )
    }
    rows = []
    for g in w.data.groups:
        course: int | None = g.course_year
        found = stored.get(g.name)
        if found is not None and found["id"] in ordered and found["course_year"] != course:
            w.report.warnings.append(
                _("{group} is in course {course} by order {number}; the file says {sheet}.").format(
                    group=g.name,
                    course=found["course_year"],
                    number=ordered[found["id"]],
                    sheet=course,
                )
            )
            course = None  # not given: the stored course stays
        rows.append(
            {
                "org_id": w.org_id,
                "name": g.name,
                "programme_id": programme_id[g.programme_code],
                "course_year": course,
                "curriculum_id": curriculum_id.get(g.curriculum_code or ""),
            }
        )
    ids = await w.sync(
        Group,
        "group",
        rows,
        ("name",),
        Group.org_id == w.org_id,
    )
    group_id = {name: id_ for (name,), id_ in ids.items()}
    org_groups = select(Group.id).where(Group.org_id == w.org_id)
    sub_ids = await w.sync(
        Subgroup,
        "subgroup",
        [{"group_id": group_id[s.group], "name": s.name} for s in w.data.subgroups],
        ("group_id", "name"),
        Subgroup.group_id.in_(org_groups),
    )
    name_of = {id_: name for name, id_ in group_id.items()}
    subgroup_id = {
        (name_of[gid], name): id_ for (gid, name), id_ in sub_ids.items() if gid in name_of
    }
    return group_id, subgroup_id


async def write_calendar(w: Writer, group_id: dict[str, int]) -> dict[str, int]:
    """Periods, the college calendar (replaced as a whole) and bells; returns period ids."""
    ids = await w.sync(
        Period,
        "period",
        [
            {
                "org_id": w.org_id,
                "name": p.name,
                "semester": p.semester,
                "starts_on": p.starts_on,
                "ends_on": p.ends_on,
            }
            for p in w.data.periods
        ],
        ("name",),
        Period.org_id == w.org_id,
    )
    await w.sync(
        CalendarEntry,
        "calendar_entry",
        [
            {
                "org_id": w.org_id,
                "kind": c.kind,
                "name": c.name,
                "group_id": group_id[c.group] if c.group else None,
                "starts_on": c.starts_on,
                "ends_on": c.ends_on,
            }
            for c in w.data.calendar
        ],
        ("kind", "name", "group_id"),
        CalendarEntry.org_id == w.org_id,
        delete_missing=True,
    )
    await w.sync(
        Bell,
        "bell",
        [
            {"org_id": w.org_id, "pair_no": b.pair, "starts": b.starts, "ends": b.ends}
            for b in w.data.bells
        ],
        ("pair_no",),
        Bell.org_id == w.org_id,
    )
    return {name: id_ for (name,), id_ in ids.items()}
