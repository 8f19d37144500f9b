"""A small college for tests, built straight from the models.

    college = await make_college(session)
    college.lessons.today            # the main teacher's lesson of today, whole group
    college.actor(college.teacher)   # an Actor for the service layer
    college.now                      # today at noon, college time, as an aware UTC datetime

What is in it (``today`` is a Tuesday, 17 November 2026, unless given):
* periods: ``autumn`` (open, holds ``today``) and ``spring`` (the previous one, closed);
* ``group`` ИС-21 (course 2) with subgroups ``sub1`` and ``sub2``, six studying students
  (three per subgroup; ``students`` is in name order) and one expelled; ``other_group`` ТМ-11
  with two students; every student has one parent in ``parents``; student lists are in name
  order;
* people: ``teacher`` (math to the group, English to sub1), ``other_teacher`` (English to
  sub2, informatics to the group), ``curator`` of the group, ``deputy``, ``director``;
* a curriculum with math as an exam, English as a credit and informatics as a diff. credit
  in the autumn semester;
* ``lessons`` of the teacher: ``today`` (pair 1, from the timetable), ``yesterday``,
  ``tomorrow``, ``old`` (past the edit window of 7 working days), ``subgroup`` (today,
  English, sub1), ``cancelled`` (today, pair 4), ``closed`` (in the closed spring period);
  and ``foreign``: the other teacher's lesson today.

The helpers (``add_student``, ``add_lesson``, ``add_member`` …) build more of the same;
``audit_trail`` and ``events_of`` read back what a use case wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.access import DEFAULT_EDIT_WINDOW_DAYS, Actor
from services.calendar.workdays import WorkCalendar
from storage.models import (
    AttestationForm,
    AuditEntry,
    Bell,
    Curriculum,
    CurriculumItem,
    Discipline,
    Event,
    Group,
    GroupEnrolment,
    Lesson,
    Membership,
    Organisation,
    Period,
    Person,
    Role,
    Student,
    StudentStatus,
    Subgroup,
    SubgroupMember,
    TeachingAssignment,
    TimetableEntry,
)

TODAY = date(2026, 11, 17)
BELLS = {1: (time(9, 0), time(10, 30)), 2: (time(10, 40), time(12, 10))}
BELLS |= {3: (time(12, 40), time(14, 10)), 4: (time(14, 20), time(15, 50))}

SAKHALIN = ZoneInfo("Asia/Sakhalin")

_ids = count(1)


def local_dt(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``day`` at ``at`` college time, as an aware UTC datetime (what the store keeps)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


@dataclass
class Lessons:
    today: Lesson
    yesterday: Lesson
    tomorrow: Lesson
    old: Lesson
    subgroup: Lesson
    cancelled: Lesson
    closed: Lesson
    foreign: Lesson


@dataclass
class College:
    org: Organisation
    today: date
    autumn: Period
    spring: Period
    group: Group
    sub1: Subgroup
    sub2: Subgroup
    other_group: Group
    students: list[Student]
    sub1_students: list[Student]
    sub2_students: list[Student]
    expelled: Student
    other_students: list[Student]
    parents: dict[int, Person]
    teacher: Person
    other_teacher: Person
    curator: Person
    deputy: Person
    director: Person
    math: Discipline
    english: Discipline
    informatics: Discipline
    curriculum: Curriculum
    lessons: Lessons
    roles: dict[int, set[Role]] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.org.timezone)

    @property
    def now(self) -> datetime:
        """Today at noon, college time."""
        return self.at(self.today, 12)

    @property
    def periods(self) -> list[Period]:
        return [self.spring, self.autumn]

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return local_dt(day, time(hour, minute), self.tz)

    def actor(self, person: Person, *, window: int = DEFAULT_EDIT_WINDOW_DAYS) -> Actor:
        return Actor(
            person_id=person.id,
            org_id=self.org.id,
            roles=frozenset(self.roles.get(person.id, set())),
            name=person.short_name,
            timezone=self.org.timezone,
            edit_window_days=window,
            curator_group_ids=frozenset({self.group.id}) if person is self.curator else frozenset(),
        )


async def add_person(
    session: AsyncSession, org: Organisation, last: str, first: str, middle: str = ""
) -> Person:
    person = Person(
        org_id=org.id,
        external_id=f"p{next(_ids)}",
        last_name=last,
        first_name=first,
        middle_name=middle,
    )
    session.add(person)
    await session.flush()
    return person


async def add_member(
    session: AsyncSession,
    person: Person,
    role: Role,
    *,
    group: Group | None = None,
    student: Student | None = None,
    roles: dict[int, set[Role]] | None = None,
) -> Membership:
    membership = Membership(
        org_id=person.org_id,
        person_id=person.id,
        role=role,
        group_id=group.id if group else None,
        student_id=student.id if student else None,
    )
    session.add(membership)
    await session.flush()
    if roles is not None:
        roles.setdefault(person.id, set()).add(role)
    return membership


async def add_student(
    session: AsyncSession,
    group: Group,
    last: str,
    first: str,
    middle: str = "",
    *,
    subgroup: Subgroup | None = None,
    status: StudentStatus = StudentStatus.STUDYING,
    since: date = date(2025, 9, 1),
) -> Student:
    org = await session.get(Organisation, group.org_id)
    assert org is not None
    person = await add_person(session, org, last, first, middle)
    student = Student(org_id=org.id, person=person, group_id=group.id, status=status)
    session.add(student)
    await session.flush()
    # A student who no longer studies left before any lesson of the tests.
    until = None if status is StudentStatus.STUDYING else since
    session.add(GroupEnrolment(student_id=student.id, group_id=group.id, since=since, until=until))
    if subgroup is not None:
        session.add(SubgroupMember(subgroup_id=subgroup.id, student_id=student.id))
    await add_member(session, person, Role.STUDENT, student=student)
    return student


async def add_lesson(
    session: AsyncSession,
    *,
    period: Period,
    group: Group,
    discipline: Discipline,
    teacher: Person,
    day: date,
    pair_no: int = 1,
    subgroup: Subgroup | None = None,
    timetable_entry: TimetableEntry | None = None,
    hours: int = 2,
    cancelled: bool = False,
    tz: ZoneInfo = SAKHALIN,
) -> Lesson:
    starts, ends = BELLS[pair_no]
    lesson = Lesson(
        org_id=group.org_id,
        period_id=period.id,
        group_id=group.id,
        subgroup_id=subgroup.id if subgroup else None,
        discipline_id=discipline.id,
        teacher_id=teacher.id,
        timetable_entry_id=timetable_entry.id if timetable_entry else None,
        date=day,
        pair_no=pair_no,
        starts_at=local_dt(day, starts, tz),
        ends_at=local_dt(day, ends, tz),
        hours=hours,
        cancelled=cancelled,
    )
    session.add(lesson)
    await session.flush()
    return lesson


async def make_college(session: AsyncSession, *, code: str = "c1", today: date = TODAY) -> College:
    """Build the college described in the module's docstring and commit it. The objects
    returned are detached: read their ids and names; load a row again to see changes."""
    org = Organisation(code=code, name=f"College {code}", short_name=code.upper())
    session.add(org)
    await session.flush()
    roles: dict[int, set[Role]] = {}
    for pair_no, (starts, ends) in BELLS.items():
        session.add(Bell(org_id=org.id, pair_no=pair_no, starts=starts, ends=ends))

    autumn = Period(
        org_id=org.id,
        name="2026/27, semester 1",
        semester=1,
        starts_on=date(2026, 9, 1),
        ends_on=date(2026, 12, 31),
    )
    spring = Period(
        org_id=org.id,
        name="2025/26, semester 2",
        semester=2,
        starts_on=date(2026, 1, 12),
        ends_on=date(2026, 6, 30),
        closed=True,
    )
    math = Discipline(org_id=org.id, code="ЕН.01", name="Математика")
    english = Discipline(org_id=org.id, code="ОГСЭ.03", name="Иностранный язык")
    informatics = Discipline(org_id=org.id, code="ОП.02", name="Информатика")
    curriculum = Curriculum(org_id=org.id, code="09.02.07-2025", academic_year="2026/27")
    session.add_all([autumn, spring, math, english, informatics, curriculum])
    await session.flush()
    # Course 2, semester 1 of the year: the third semester of the curriculum.
    for discipline, form in (
        (math, AttestationForm.EXAM),
        (english, AttestationForm.CREDIT),
        (informatics, AttestationForm.DIFF_CREDIT),
    ):
        session.add(
            CurriculumItem(
                curriculum_id=curriculum.id,
                discipline_id=discipline.id,
                semester=3,
                hours=72,
                attestation_form=form,
            )
        )

    group = Group(org_id=org.id, name="ИС-21", course_year=2, curriculum_id=curriculum.id)
    other_group = Group(org_id=org.id, name="ТМ-11", course_year=1)
    session.add_all([group, other_group])
    await session.flush()
    sub1 = Subgroup(group_id=group.id, name="1")
    sub2 = Subgroup(group_id=group.id, name="2")
    session.add_all([sub1, sub2])
    await session.flush()

    # Deliberately not in name order; Ёлкин sorts after Егоров although Ё precedes Е in Unicode.
    sub1_students = [
        await add_student(session, group, "Алексеев", "Иван", "Петрович", subgroup=sub1),
        await add_student(session, group, "Ёлкин", "Пётр", subgroup=sub1),
        await add_student(session, group, "Борисова", "Анна", "Сергеевна", subgroup=sub1),
    ]
    sub2_students = [
        await add_student(session, group, "Егоров", "Олег", subgroup=sub2),
        await add_student(session, group, "Смирнова", "Мария", subgroup=sub2),
        await add_student(session, group, "Яковлев", "Денис", subgroup=sub2),
    ]
    name_order = ["Алексеев", "Борисова", "Егоров", "Ёлкин", "Смирнова", "Яковлев"]
    by_name = lambda s: name_order.index(s.person.last_name)  # noqa: E731
    students = sorted(sub1_students + sub2_students, key=by_name)
    sub1_students.sort(key=by_name)
    sub2_students.sort(key=by_name)
    expelled = await add_student(
        session, group, "Андреев", "Глеб", subgroup=sub1, status=StudentStatus.EXPELLED
    )
    other_students = [
        await add_student(session, other_group, "Петров", "Кирилл"),
        await add_student(session, other_group, "Зайцева", "Ольга"),
    ]
    parents: dict[int, Person] = {}
    for student in students + other_students:
        parent = await add_person(session, org, student.person.last_name, "Родитель")
        await add_member(session, parent, Role.PARENT, student=student, roles=roles)
        parents[student.id] = parent

    teacher = await add_person(session, org, "Кузнецова", "Елена", "Викторовна")
    other_teacher = await add_person(session, org, "Орлов", "Павел", "Андреевич")
    curator = await add_person(session, org, "Морозова", "Ирина", "Павловна")
    deputy = await add_person(session, org, "Волков", "Сергей", "Николаевич")
    director = await add_person(session, org, "Лебедев", "Андрей", "Ильич")
    for person in (teacher, other_teacher):
        await add_member(session, person, Role.TEACHER, roles=roles)
    await add_member(session, curator, Role.CURATOR, group=group, roles=roles)
    await add_member(session, deputy, Role.DEPUTY, roles=roles)
    await add_member(session, director, Role.DIRECTOR, roles=roles)

    for person, discipline, subgroup in (
        (teacher, math, None),
        (teacher, english, sub1),
        (other_teacher, english, sub2),
        (other_teacher, informatics, None),
    ):
        session.add(
            TeachingAssignment(
                org_id=org.id,
                teacher_id=person.id,
                group_id=group.id,
                subgroup_id=subgroup.id if subgroup else None,
                discipline_id=discipline.id,
                period_id=autumn.id,
            )
        )
    entry = TimetableEntry(
        org_id=org.id,
        period_id=autumn.id,
        group_id=group.id,
        weekday=today.weekday(),
        pair_no=1,
        discipline_id=math.id,
        teacher_id=teacher.id,
        hours=2,
    )
    session.add(entry)
    await session.flush()

    tz = ZoneInfo(org.timezone)
    day = timedelta(days=1)

    async def lesson(**kw: object) -> Lesson:
        base: dict[str, object] = {
            "period": autumn,
            "group": group,
            "discipline": math,
            "teacher": teacher,
            "tz": tz,
        }
        return await add_lesson(session, **(base | kw))  # type: ignore[arg-type]

    lessons = Lessons(
        today=await lesson(day=today, pair_no=1, timetable_entry=entry),
        yesterday=await lesson(day=today - day, pair_no=2),
        tomorrow=await lesson(day=today + day, pair_no=1),
        old=await lesson(
            day=WorkCalendar().add_working_days(today, -(DEFAULT_EDIT_WINDOW_DAYS + 3)), pair_no=1
        ),
        subgroup=await lesson(day=today, pair_no=3, discipline=english, subgroup=sub1),
        cancelled=await lesson(day=today, pair_no=4, cancelled=True),
        closed=await lesson(day=date(2026, 5, 20), pair_no=1, period=spring),
        foreign=await lesson(day=today, pair_no=2, discipline=informatics, teacher=other_teacher),
    )
    await session.commit()
    # Detached, so a test's rollback cannot expire them: they are a snapshot of the setup.
    session.expunge_all()
    return College(
        org=org,
        today=today,
        autumn=autumn,
        spring=spring,
        group=group,
        sub1=sub1,
        sub2=sub2,
        other_group=other_group,
        students=students,
        sub1_students=sub1_students,
        sub2_students=sub2_students,
        expelled=expelled,
        other_students=other_students,
        parents=parents,
        teacher=teacher,
        other_teacher=other_teacher,
        curator=curator,
        deputy=deputy,
        director=director,
        math=math,
        english=english,
        informatics=informatics,
        curriculum=curriculum,
        lessons=lessons,
        roles=roles,
    )


async def audit_trail(
    session: AsyncSession, entity: str, entity_id: int | None = None
) -> list[AuditEntry]:
    """Audit entries of an entity (and id), oldest first."""
    query = select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(await session.scalars(query))


async def events_of(session: AsyncSession, kind: str | None = None) -> list[Event]:
    """Outbox events (of a kind), oldest first."""
    query = select(Event).order_by(Event.id)
    if kind is not None:
        query = query.where(Event.kind == kind)
    return list(await session.scalars(query))
