"""Writing people: persons, students with their group history and subgroups, and the roles
(memberships) of staff, students and parents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, or_, select

from core.i18n import _
from services.people import leaving
from storage import importing as q
from storage.models import (
    GroupEnrolment,
    Membership,
    Person,
    Role,
    Student,
    StudentStatus,
    SubgroupMember,
    utcnow,
)

from .model import StudentData
from .writer import Writer

LEFT = frozenset({StudentStatus.EXPELLED, StudentStatus.GRADUATED})
STAFF_ROLES = frozenset(
    {Role.TEACHER, Role.CURATOR, Role.DEPUTY, Role.SECRETARY, Role.ADMIN, Role.DIRECTOR}
)


async def write_people(w: Writer) -> dict[str, int]:
    """Persons of every sheet; returns their ids by external id."""
    ids = await w.sync(
        Person,
        "person",
        [
            {
                "org_id": w.org_id,
                "external_id": p.external_id,
                "last_name": p.last_name,
                "first_name": p.first_name,
                "middle_name": p.middle_name,
                "birth_date": p.birth_date,
                "phone": p.phone,
                "email": p.email,
                "locale": p.locale,
            }
            for p in w.data.people.values()
        ],
        ("external_id",),
        Person.org_id == w.org_id,
        defaults={"middle_name": "", "phone": "", "email": ""},
    )
    return {ext: id_ for (ext,), id_ in ids.items()}


async def write_students(
    w: Writer,
    person_id: dict[str, int],
    group_id: dict[str, int],
    subgroup_id: dict[tuple[str, str], int],
) -> dict[str, int]:
    """Students, their open group enrolment and subgroups; returns ids by external id. A
    student a movement order has touched keeps the group, status, history and subgroups the
    orders gave them; the report says where the file differs."""
    ordered = await q.ordered_students(w.session, w.org_id)
    w.ordered = frozenset(o.student_id for o in ordered.values())
    w.left = frozenset(o.student_id for o in ordered.values() if o.status in LEFT)
    group_name = {id_: name for name, id_ in group_id.items()}
    rows = []
    for s in w.data.students:
        found = ordered.get(person_id[s.external_id])
        if found is not None:
            _differs(w, s, found, group_id, group_name)
        rows.append(
            {
                "org_id": w.org_id,
                "person_id": person_id[s.external_id],
                # None: not given, so the stored group stays.
                "group_id": group_id[s.group] if found is None else None,
                "record_book": s.record_book,
            }
        )
    ids = await w.sync(
        Student,
        "student",
        rows,
        ("person_id",),
        Student.org_id == w.org_id,
        defaults={"record_book": ""},
    )
    student_id = {s.external_id: ids[(person_id[s.external_id],)] for s in w.data.students}
    await _enrolments(w, student_id, group_id)
    await _subgroup_members(w, student_id, subgroup_id)
    return student_id


def _differs(
    w: Writer,
    s: StudentData,
    found: q.Ordered,
    group_id: dict[str, int],
    group_name: dict[int, str],
) -> None:
    person = w.data.people[s.external_id]
    name = f"{person.last_name} {person.first_name} ({s.external_id})"
    if found.status in LEFT:
        w.report.warnings.append(
            _("{name} left by order {number}; the file's row does not bring them back.").format(
                name=name, number=found.number
            )
        )
    elif found.group_id != group_id[s.group]:
        w.report.warnings.append(
            _("{name} is in {group} by order {number}; the file says {sheet}.").format(
                name=name,
                group=group_name.get(found.group_id or 0, "—"),
                number=found.number,
                sheet=s.group,
            )
        )


async def _enrolments(w: Writer, student_id: dict[str, int], group_id: dict[str, int]) -> None:
    """One open enrolment per student, in the student's group; a move closes the old one."""
    org_students = select(Student.id).where(Student.org_id == w.org_id)
    open_rows = await q.rows_of(
        w.session,
        GroupEnrolment,
        ("student_id", "group_id"),
        GroupEnrolment.student_id.in_(org_students),
        GroupEnrolment.until.is_(None),
    )
    current = {r["student_id"]: r for r in open_rows}
    closes: list[dict[str, Any]] = []
    opens: list[dict[str, Any]] = []
    for s in w.data.students:
        sid, gid = student_id[s.external_id], group_id[s.group]
        if sid in w.ordered:  # the orders keep the history
            continue
        open_row = current.get(sid)
        if open_row is not None and open_row["group_id"] == gid:
            continue
        since = w.today
        if open_row is None:
            since = s.enrolled_on or w.today
        else:
            closes.append({"id": open_row["id"], "until": w.today})
            w.log("update", "group_enrolment", open_row["id"], {"until": None}, {"until": w.today})
        opens.append({"student_id": sid, "group_id": gid, "since": since})
    await q.update_rows(w.session, GroupEnrolment, closes)
    new_ids = await q.insert_keyed(
        w.session,
        GroupEnrolment,
        opens,
        ("student_id",),
        GroupEnrolment.student_id.in_(org_students),
        GroupEnrolment.until.is_(None),
    )
    for row in opens:
        w.log("create", "group_enrolment", new_ids[(row["student_id"],)], None, row)


async def _subgroup_members(
    w: Writer, student_id: dict[str, int], subgroup_id: dict[tuple[str, str], int]
) -> None:
    """Each student of the file is in exactly the subgroups the file lists."""
    wanted = {
        (subgroup_id[(s.group, name)], student_id[s.external_id])
        for s in w.data.students
        for name in s.subgroups
        if student_id[s.external_id] not in w.ordered
    }
    in_file = set(student_id.values()) - w.ordered
    result = await w.session.execute(
        select(SubgroupMember.subgroup_id, SubgroupMember.student_id).where(
            SubgroupMember.student_id.in_(select(Student.id).where(Student.org_id == w.org_id))
        )
    )
    have = {(r[0], r[1]) for r in result if r[1] in in_file}
    new = sorted(wanted - have)
    gone = sorted(have - wanted)
    await q.insert_plain(
        w.session, SubgroupMember, [{"subgroup_id": a, "student_id": b} for a, b in new]
    )
    for start in range(0, len(gone), q.CHUNK):
        pairs = gone[start : start + q.CHUNK]
        await w.session.execute(
            delete(SubgroupMember).where(
                or_(
                    *(
                        and_(SubgroupMember.subgroup_id == a, SubgroupMember.student_id == b)
                        for a, b in pairs
                    )
                )
            )
        )
    for a, b in new:
        w.log("create", "subgroup_member", None, None, {"subgroup_id": a, "student_id": b})
    for a, b in gone:
        w.log("delete", "subgroup_member", None, {"subgroup_id": a, "student_id": b})


async def write_memberships(
    w: Writer,
    person_id: dict[str, int],
    student_id: dict[str, int],
    group_id: dict[str, int],
    builtin: dict[Role, int],
    custom: dict[str, int],
) -> None:
    """Roles with their scope (see ``Membership``). The file decides, for each person on a
    sheet, the roles that sheet gives: staff roles on ``staff``, the parent role on
    ``parents``, the student role on ``students``. Other roles of a person are left alone."""
    wanted: dict[tuple[int, Role, int | None, int | None], int] = {}
    managed: set[tuple[int, Role]] = set()  # (person, role) pairs the file speaks for
    for staff in w.data.staff:
        if staff.left:  # their roles are ended by ``end_left_staff``, from their date
            continue
        pid = person_id[staff.external_id]
        managed.update((pid, role) for role in STAFF_ROLES)
        for r in staff.roles:
            position = custom[r.position] if r.position else builtin[r.role]
            wanted[(pid, r.role, group_id[r.group] if r.group else None, None)] = position
    for s in w.data.students:
        pid = person_id[s.external_id]
        managed.add((pid, Role.STUDENT))
        wanted[(pid, Role.STUDENT, None, student_id[s.external_id])] = builtin[Role.STUDENT]
    for parent in w.data.parents:
        pid = person_id[parent.external_id]
        managed.add((pid, Role.PARENT))
        for child in parent.children:
            wanted[(pid, Role.PARENT, None, student_id[child])] = builtin[Role.PARENT]

    existing = await q.rows_of(
        w.session,
        Membership,
        ("person_id", "role", "group_id", "student_id", "position_id", "active", "until"),
        Membership.org_id == w.org_id,
    )
    updates: list[dict[str, Any]] = []
    for m in existing:
        key = (m["person_id"], m["role"], m["group_id"], m["student_id"])
        if m["student_id"] in w.ordered:  # the orders decide these roles' dates
            wanted.pop(key, None)
            continue
        kept: int | None = wanted.pop(key, None)
        change: dict[str, Any]
        if kept is not None:
            change = {"active": True, "until": None, "position_id": kept}
        elif (m["person_id"], m["role"]) in managed and m["active"]:
            change = {"active": False, "until": w.today}
        else:
            continue
        change = {f: v for f, v in change.items() if m[f] != v}
        if change:
            updates.append({"id": m["id"], **change})
            w.log("update", "membership", m["id"], {f: m[f] for f in change}, change)
    await q.update_rows(w.session, Membership, updates)
    rows = [
        {
            "org_id": w.org_id,
            "person_id": pid,
            "role": role,
            "group_id": gid,
            "student_id": sid,
            "position_id": position,
            "active": True,
            "since": w.today,
        }
        for (pid, role, gid, sid), position in wanted.items()
        if sid not in w.left  # nobody gains a role for a student who has left
    ]
    key = ("person_id", "role", "group_id", "student_id")
    new_ids = await q.insert_keyed(w.session, Membership, rows, key, Membership.org_id == w.org_id)
    for row in rows:
        w.log("create", "membership", new_ids[tuple(row[k] for k in key)], None, row)


async def end_left_staff(w: Writer, person_id: dict[str, int]) -> None:
    """Staff the ``status`` column marks as left: their roles end from ``left_on`` (else the
    import's day), as when the administrator ends them in the bot."""
    now = utcnow()
    for staff in w.data.staff:
        if not staff.left:
            continue
        person = await w.session.get(Person, person_id[staff.external_id])
        if person is not None:
            await leaving.end_staff_roles(
                w.session,
                person,
                from_day=staff.left_on or w.today,
                today=w.today,
                now=now,
                actor_id=None,
                source="import",
            )
