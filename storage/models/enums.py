"""The journal's fixed vocabularies (values are stored, so never rename one)."""

from enum import StrEnum


class Role(StrEnum):
    TEACHER = "teacher"
    CURATOR = "curator"
    PARENT = "parent"
    STUDENT = "student"
    DEPUTY = "deputy"
    SECRETARY = "secretary"
    ADMIN = "admin"
    DIRECTOR = "director"
    REGIONAL = "regional"


class DisciplineKind(StrEnum):
    DISCIPLINE = "discipline"
    MODULE = "module"  # ПМ, профессиональный модуль
    MDK = "mdk"  # МДК, междисциплинарный курс
    EDU_PRACTICE = "edu_practice"  # учебная практика
    PROD_PRACTICE = "prod_practice"  # производственная практика


class AttestationForm(StrEnum):
    EXAM = "exam"
    DIFF_CREDIT = "diff_credit"  # дифференцированный зачёт
    CREDIT = "credit"  # зачёт
    COURSE_WORK = "course_work"
    QUALIFICATION_EXAM = "qualification_exam"
    NONE = "none"


class CalendarKind(StrEnum):
    HOLIDAY = "holiday"  # college's own day off
    VACATION = "vacation"  # каникулы
    SESSION = "session"  # экзаменационная сессия
    PRACTICE = "practice"
    WORKDAY = "workday"  # extra working day of the college


class WeekParity(StrEnum):
    EVERY = "every"
    ODD = "odd"
    EVEN = "even"


class Mark(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"  # н
    LATE = "late"  # оп


class AbsenceReason(StrEnum):
    ILLNESS = "illness"  # б
    EXCUSED = "excused"  # уп
    UNEXCUSED = "unexcused"  # нп


class GradeKind(StrEnum):
    CURRENT = "current"
    TEST = "test"  # контрольная
    PRACTICAL = "practical"  # практическая работа
    LAB = "lab"  # лабораторная работа
    ORAL = "oral"  # устный ответ
    EXAM = "exam"


class StudentStatus(StrEnum):
    STUDYING = "studying"
    ACADEMIC_LEAVE = "academic_leave"
    EXPELLED = "expelled"
    GRADUATED = "graduated"


class OrderKind(StrEnum):
    ENROLMENT = "enrolment"
    TRANSFER = "transfer"
    EXPULSION = "expulsion"
    ACADEMIC_LEAVE = "academic_leave"
    REINSTATEMENT = "reinstatement"  # return from academic leave
    GRADUATION = "graduation"  # a whole group
    NEXT_COURSE = "next_course"  # a whole group to the next course


class DocumentKind(StrEnum):
    WORK_PROGRAMME = "work_programme"  # рабочая программа
    KTP = "ktp"  # календарно-тематический план


class JustificationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up: recipient inactive or message undeliverable
    MERGED = "merged"  # superseded by a later message for the same subject
