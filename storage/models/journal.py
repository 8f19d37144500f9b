"""Attendance, grades, attestation grades, teaching documents and absence justifications."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps, str_enum, utcnow
from .enums import (
    AbsenceReason,
    AttestationForm,
    DocumentKind,
    GradeKind,
    JustificationStatus,
    Mark,
)


class Attendance(Base):
    """A student's mark on a lesson. No row means present (the register's default)."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("lesson_id", "student_id"),
        Index("ix_attendance_student", "student_id", "mark"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    mark: Mapped[Mark] = mapped_column(str_enum(Mark))
    reason: Mapped[AbsenceReason | None] = mapped_column(str_enum(AbsenceReason))
    reason_set_at: Mapped[datetime | None]
    reason_set_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class Grade(Timestamps, Base):
    """A current grade on a lesson. Values: "2".."5", "pass", "fail"."""

    __tablename__ = "grades"
    __table_args__ = (
        Index("ix_grades_lesson", "lesson_id", "student_id"),
        Index("ix_grades_student", "student_id", "discipline_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("disciplines.id"))
    value: Mapped[str] = mapped_column(String(8))
    kind: Mapped[GradeKind] = mapped_column(str_enum(GradeKind), default=GradeKind.CURRENT)
    comment: Mapped[str] = mapped_column(String(255), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # Bumped by every change: a change or removal of a grade someone else changed or removed
    # in the meantime writes nothing (StaleDataError) instead of auditing a stale "old".
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class PeriodGrade(Timestamps, Base):
    """Intermediate attestation grade of a student in a discipline for a period."""

    __tablename__ = "period_grades"
    __table_args__ = (UniqueConstraint("student_id", "discipline_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("disciplines.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    form: Mapped[AttestationForm] = mapped_column(str_enum(AttestationForm))
    value: Mapped[str] = mapped_column(String(8))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class TeachingDocument(Base):
    """A work programme or КТП of a discipline for a group (R8). Files stay in Telegram;
    the store keeps their ids. A document belongs to an academic year (``academic_year`` is
    the year it starts: 2026 for 2026/2027): last year's does not count for this one."""

    __tablename__ = "teaching_documents"
    __table_args__ = (Index("ix_teaching_documents_key", "group_id", "discipline_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind))
    academic_year: Mapped[int]
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("disciplines.id"))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(64), default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class AbsenceJustification(Base):
    """A document justifying absences over a date range: a photo a parent (or an adult
    student) sent, or a paper one brought to the curator (no file; ``received_on`` is the day
    the curator received it, and R4's two working days count from it)."""

    __tablename__ = "absence_justifications"
    __table_args__ = (Index("ix_absence_justifications_org_status", "org_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    submitted_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    date_from: Mapped[date]
    date_to: Mapped[date]
    comment: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[str | None] = mapped_column(String(255))
    file_kind: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[JustificationStatus] = mapped_column(
        str_enum(JustificationStatus), default=JustificationStatus.PENDING
    )
    reason: Mapped[AbsenceReason | None] = mapped_column(str_enum(AbsenceReason))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_on: Mapped[date | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime | None]
