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

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AbsenceReason, Attendance, Grade, Lesson, Mark
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
