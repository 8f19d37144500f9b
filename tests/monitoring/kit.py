"""The test college with a month of journal kept on time, late and not at all.

In November 2026, up to Tuesday 17 (``college.today``):
* the teacher's lesson of Monday 16 (``lessons.yesterday``): register done on the day (R1 on
  time), topic entered on Tuesday (R2 late); six students marked, two absent, one of them
  with a reason; two current grades;
* the teacher's ``lessons.old`` (2 November): nothing kept (R1 and R2 missing);
* the other teacher's informatics lesson of Tuesday 10: register done on Thursday 12 (R1
  late, its deadline was Wednesday 11), topic on the day (R2 on time).
Today's lessons are not due yet.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AbsenceJustification,
    AbsenceReason,
    Attendance,
    AttestationForm,
    Curriculum,
    CurriculumItem,
    DocumentKind,
    Grade,
    JustificationStatus,
    Lesson,
    Mark,
    MovementOrder,
    OrderKind,
    OrderStudent,
    TeachingAssignment,
    TeachingDocument,
)
from tests.factories import College, add_lesson

TUE_10 = date(2026, 11, 10)


async def keep_journal(session: AsyncSession, college: College) -> Lesson:
    """Record the month described above; returns the other teacher's lesson of the 10th."""
    monday = await session.get(Lesson, college.lessons.yesterday.id)
    assert monday is not None
    monday.register_done_at = college.at(date(2026, 11, 16), 12)
    monday.topic_entered_at = college.at(date(2026, 11, 17), 9)
    monday.topic = "Производные"
    for n, student in enumerate(college.students):
        mark = Mark.ABSENT if n < 2 else Mark.PRESENT
        reason = AbsenceReason.ILLNESS if n == 0 else None
        session.add(Attendance(lesson_id=monday.id, student_id=student.id, mark=mark,
                               reason=reason))  # fmt: skip
    for student in college.students[2:4]:
        session.add(
            Grade(org_id=college.org.id, lesson_id=monday.id, student_id=student.id,
                  discipline_id=college.math.id, value="5")
        )  # fmt: skip
    other = await add_lesson(
        session,
        period=college.autumn,
        group=college.group,
        discipline=college.informatics,
        teacher=college.other_teacher,
        day=TUE_10,
        pair_no=2,
    )
    other.register_done_at = college.at(date(2026, 11, 12), 10)
    other.topic_entered_at = college.at(TUE_10, 11)
    await session.commit()
    return other


async def keep_every_rule(session: AsyncSession, college: College) -> None:
    """R3–R8 items of June–November 2026:
    * R3: the teacher taught math in the spring period, ending with an exam, and gave no
      period grade (the curriculum's semester is read from the group's course now, as the
      reminders read it: 4);
    * R4: a certificate sent on Monday 9 November, approved on the 10th (on time);
    * R6: an order decided on Monday 2 November, entered on the 10th (due the 5th: late);
    * R7: the curriculum of 2026/27 entered on 3 September (late);
    * R8: the teacher's math work programme and КТП of 2026/27 came on 1 September (on time),
      her English ones are of 2025/26 (missing); the other teacher's informatics has only a
      КТП (missing), his English nothing (missing)."""
    org, tz = college.org.id, college.tz

    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 10, tzinfo=tz)

    session.add(
        CurriculumItem(
            curriculum_id=college.curriculum.id, discipline_id=college.math.id, semester=4,
            hours=72, attestation_form=AttestationForm.EXAM,
        )
    )  # fmt: skip
    session.add(
        TeachingAssignment(
            org_id=org, teacher_id=college.teacher.id, group_id=college.group.id,
            discipline_id=college.math.id, period_id=college.spring.id,
        )
    )  # fmt: skip
    student = college.students[0]
    session.add(
        AbsenceJustification(
            org_id=org, student_id=student.id, submitted_by=college.parents[student.id].id,
            date_from=date(2026, 11, 5), date_to=date(2026, 11, 6),
            status=JustificationStatus.APPROVED, reason=AbsenceReason.ILLNESS,
            submitted_at=at(date(2026, 11, 9)), decided_by=college.curator.id,
            decided_at=at(date(2026, 11, 10)),
        )
    )  # fmt: skip
    session.add(
        MovementOrder(
            org_id=org, number="12-к", year=2026, kind=OrderKind.TRANSFER,
            group_id=college.group.id, decided_on=date(2026, 11, 2),
            effective_on=date(2026, 11, 2), entered_at=at(date(2026, 11, 10)),
        )
    )  # fmt: skip
    await session.execute(
        update(Curriculum)
        .where(Curriculum.id == college.curriculum.id)
        .values(entered_at=at(date(2026, 9, 3)))
    )
    documents = [
        (college.teacher, college.math, kind, 2026, date(2026, 9, 1)) for kind in DocumentKind
    ] + [(college.teacher, college.english, kind, 2025, date(2025, 9, 1)) for kind in DocumentKind]
    documents.append(
        (college.other_teacher, college.informatics, DocumentKind.KTP, 2026, date(2026, 9, 1))
    )
    for teacher, discipline, kind, year, day in documents:
        session.add(
            TeachingDocument(
                org_id=org, kind=kind, academic_year=year, group_id=college.group.id,
                discipline_id=discipline.id, uploaded_by=teacher.id, file_id=f"f-{kind}-{year}",
                uploaded_at=at(day),
            )
        )  # fmt: skip


async def keep_enrolment_and_distance(session: AsyncSession, college: College) -> None:
    """R5 and R9 of November 2026:
    * R5: the group's second student enrolled by an order of Monday 2 November (entered the
      same day), and no invite issued for them (missing: due the 5th);
    * R9: the teacher's lesson of Monday 16 given online, its format recorded that day (on
      time); her lesson of 2 November online without a platform (missing)."""
    org, tz = college.org.id, college.tz
    order = MovementOrder(
        org_id=org, number="7-к", year=2026, kind=OrderKind.ENROLMENT, group_id=college.group.id,
        decided_on=date(2026, 11, 2), effective_on=date(2026, 11, 2),
        entered_at=datetime(2026, 11, 2, 15, tzinfo=tz),
    )  # fmt: skip
    session.add(order)
    await session.flush()
    session.add(
        OrderStudent(order_id=order.id, student_id=college.students[1].id,
                     to_group_id=college.group.id)
    )  # fmt: skip
    monday = await session.get(Lesson, college.lessons.yesterday.id)
    old = await session.get(Lesson, college.lessons.old.id)
    assert monday is not None and old is not None
    monday.distance = {"mode": "online", "platform": "Сферум", "time": "09:00"}
    monday.distance_entered_at = college.at(date(2026, 11, 16), 8)
    old.distance = {"mode": "online", "platform": "", "time": "09:00"}
    old.distance_entered_at = college.at(date(2026, 11, 2), 8)
