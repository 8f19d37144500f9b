"""Movement orders and the audit log (§1.5, §1.7: every change is attributable)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, str_enum, utcnow
from .enums import OrderKind


class MovementOrder(Base):
    """An order moving students (приказ о движении контингента). History is kept; nothing is
    deleted. ``number`` is unique within the college and the order date's year. ``group_id``
    names the group of a whole-group order (next course, graduation). ``applied_on`` is when
    its effects on students' status and roles were made: empty while its effective date is
    ahead (the history rows with their dates are written when it is entered)."""

    __tablename__ = "movement_orders"
    __table_args__ = (
        Index("ix_movement_orders_org_decided", "org_id", "decided_on"),
        UniqueConstraint("org_id", "year", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32))
    year: Mapped[int]  # of ``decided_on``: numbers start again each year
    kind: Mapped[OrderKind] = mapped_column(str_enum(OrderKind))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    decided_on: Mapped[date]
    effective_on: Mapped[date]
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str] = mapped_column(Text, default="")  # the reason of an expulsion
    applied_on: Mapped[date | None]
    # An order annulled before its effective date: it stays on file (and in the history,
    # marked), its dated history is undone and it never takes effect.
    annulled_at: Mapped[datetime | None]
    annulled_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class OrderStudent(Base):
    """A student an order names, with where they were and where the order puts them."""

    __tablename__ = "order_students"
    __table_args__ = (UniqueConstraint("order_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("movement_orders.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    from_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    to_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    to_subgroup_id: Mapped[int | None] = mapped_column(ForeignKey("subgroups.id"))


class AuditEntry(Base):
    """Who changed what, when, from what to what. ``changes`` maps field → [old, new]."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_org_at", "org_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(32), default="bot")  # bot, import, scheduler
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(16))  # create, update, delete
    entity: Mapped[str] = mapped_column(String(48))
    entity_id: Mapped[int | None]
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
