"""Bells, the weekly timetable and the dated lessons it produces."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps, partial_index, str_enum, utcnow
from .enums import WeekParity


class Bell(Base):
    """Pair number → start and end (local college time)."""

    __tablename__ = "bells"
    __table_args__ = (UniqueConstraint("org_id", "pair_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    pair_no: Mapped[int]
    starts: Mapped[time]
    ends: Mapped[time]


class TimetableEntry(Base):
    """One line of the weekly timetable of a period. ``weekday``: Monday = 0."""

    __tablename__ = "timetable_entries"
    # One line per slot: a group's (or subgroup's) pair on a weekday of a period, per parity.
    __table_args__ = (
        Index("ix_timetable_entries_group", "group_id", "weekday", "pair_no"),
        Index(
            "uq_timetable_entries_slot",
            *("period_id", "group_id", "subgroup_id", "weekday", "pair_no", "parity"),
            unique=True,
        ),
        partial_index(
            "uq_timetable_entries_group_slot",
            *("period_id", "group_id", "weekday", "pair_no", "parity"),
            where="subgroup_id IS NULL",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    pair_no: Mapped[int]
    parity: Mapped[WeekParity] = mapped_column(str_enum(WeekParity), default=WeekParity.EVERY)
    discipline_id: Mapped[int] = mapped_column(ForeignKey("disciplines.id"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    room: Mapped[str] = mapped_column(String(32), default="")
    hours: Mapped[int] = mapped_column(default=2)


class Lesson(Timestamps, Base):
    """A dated lesson (занятие): what the register, grades, topic and homework hang on."""

    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("timetable_entry_id", "date"),
        Index("ix_lessons_teacher_date", "teacher_id", "date"),
        Index("ix_lessons_group_date", "group_id", "date"),
        Index("ix_lessons_org_date", "org_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id"))
    discipline_id: Mapped[int] = mapped_column(ForeignKey("disciplines.id"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    timetable_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("timetable_entries.id", ondelete="SET NULL")
    )
    date: Mapped[date]
    pair_no: Mapped[int]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    hours: Mapped[int] = mapped_column(default=2)
    room: Mapped[str] = mapped_column(String(32), default="")
    cancelled: Mapped[bool] = mapped_column(default=False)

    topic: Mapped[str] = mapped_column(Text, default="")
    homework: Mapped[str] = mapped_column(Text, default="")
    homework_file_id: Mapped[str | None] = mapped_column(String(255))
    homework_file_name: Mapped[str | None] = mapped_column(String(255))
    topic_entered_at: Mapped[datetime | None]
    # R9: {"mode": "online"|"offline", "platform": str, "time": "HH:MM"}
    distance: Mapped[dict[str, Any] | None]
    distance_entered_at: Mapped[datetime | None]  # first recorded: what R9 is judged by
    # Bumped by every change of the details above (storage/journal.py update_lesson_details):
    # a teacher and the deputy editing at once cannot overwrite each other unseen.
    details_version: Mapped[int] = mapped_column(default=1, server_default="1")

    register_done_at: Mapped[datetime | None]
    register_done_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class DistanceDay(Base):
    """Days a group studies at a distance, declared by the deputy director (R9): its lessons
    of those days are expected to carry their distance format."""

    __tablename__ = "distance_days"
    __table_args__ = (Index("ix_distance_days_org_days", "org_id", "first_day", "last_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    first_day: Mapped[date]
    last_day: Mapped[date]
    platform: Mapped[str] = mapped_column(String(255))
    declared_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcements.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
