"""Movement orders and the audit log (§1.5, §1.7: every change is attributable)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, str_enum, utcnow
from .enums import OrderKind


class MovementOrder(Base):
    """An order moving a student (приказ о движении). History is kept; nothing is deleted."""

    __tablename__ = "movement_orders"
    __table_args__ = (Index("ix_movement_orders_org_decided", "org_id", "decided_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32))
    kind: Mapped[OrderKind] = mapped_column(str_enum(OrderKind))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"))
    from_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    to_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))
    decided_on: Mapped[date]
    effective_on: Mapped[date]
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str] = mapped_column(Text, default="")


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
