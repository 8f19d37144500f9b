"""Organisations (colleges), positions (named sets of rights) and per-college settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps, partial_index, str_enum
from .enums import Role


class Organisation(Timestamps, Base):
    """A college (ПОО). Many live in one store so a region can be served from one database."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str] = mapped_column(String(64), default="")
    region: Mapped[str] = mapped_column(String(128), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Sakhalin")


class Position(Base):
    """A named set of rights (§3.3.6). Built-in ones have ``org_id`` NULL."""

    __tablename__ = "positions"
    __table_args__ = (
        UniqueConstraint("org_id", "code"),
        # The unique key above lets NULL org ids repeat: one built-in position per code.
        partial_index("uq_positions_builtin_code", "code", where="org_id IS NULL", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(48))
    name: Mapped[str] = mapped_column(String(128))
    # The role a college's own position is based on (it decides the scope); None for the
    # built-in ones, one per role.
    role: Mapped[Role | None] = mapped_column(str_enum(Role))
    rights: Mapped[list[Any]] = mapped_column(default=list)
    builtin: Mapped[bool] = mapped_column(default=False)


class OrgSetting(Base):
    __tablename__ = "org_settings"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RegionalScope(Base):
    """A college a regional specialist monitors (§4.1, regional monitoring): aggregates only.
    Set by ``journal-bot regional``; the specialist is a person of some college (their home)."""

    __tablename__ = "regional_scopes"
    __table_args__ = (UniqueConstraint("person_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
