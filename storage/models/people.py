"""People, their roles with scope, their messenger accounts (Telegram or MAX) and invites."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.messenger import Messenger, messenger_of

from .base import Base, Timestamps, str_enum, utcnow
from .enums import Role

# A name part as long as a person may carry (double surnames, long patronymics, transliterations).
NAME_MAX = 128


def short_name(last: str, first: str, middle: str) -> str:
    """``Иванов И. П.``: enough to recognise, no more personal data than needed (§1.3)."""
    initials = " ".join(f"{p[0]}." for p in (first, middle) if p)
    return f"{last} {initials}".strip()


class Person(Timestamps, Base):
    """Anyone the journal knows: staff, students, parents. ``external_id`` is the import key."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("org_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    last_name: Mapped[str] = mapped_column(String(NAME_MAX))
    first_name: Mapped[str] = mapped_column(String(NAME_MAX))
    middle_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    birth_date: Mapped[date | None]
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(128), default="")
    locale: Mapped[str | None] = mapped_column(String(8))

    memberships: Mapped[list[Membership]] = relationship(back_populates="person")

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        return short_name(self.last_name, self.first_name, self.middle_name)


class Membership(Base):
    """A person in a role with its scope.

    Scope columns by role: curator → ``group_id``; parent → ``student_id`` (the child);
    student → ``student_id`` (themself); teacher → none here, their scope is the teaching
    assignments; deputy, secretary, admin, director → the whole organisation.
    """

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("person_id", "role", "group_id", "student_id"),
        Index("ix_memberships_org_role", "org_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    since: Mapped[date | None]
    until: Mapped[date | None]  # the first day without the role (an order, a leaving)

    person: Mapped[Person] = relationship(back_populates="memberships")


class TelegramAccount(Timestamps, Base):
    """A Telegram or a MAX user linked to a person (a MAX user's id is stored shifted, see
    core/messenger.py; the table keeps its first name). ``active`` turns false when the user
    blocks the bot
    (and true again when they come back); ``revoked_at`` is set when the person, the
    administrator or the person's leaving takes the account away: it stays refused until
    linked again by a new invite."""

    __tablename__ = "telegram_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # What the person is looking at now, when they hold several roles or have several children.
    current_role: Mapped[Role | None] = mapped_column(str_enum(Role))
    current_student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]
    # The person's choice of which of their accounts get notifications, reminders and
    # announcements (replies always go to the account that asked).
    notify: Mapped[bool] = mapped_column(default=True, server_default=true())

    person: Mapped[Person] = relationship()

    @property
    def messenger(self) -> Messenger:
        """Telegram or MAX, read from the user id (core/messenger.py)."""
        return messenger_of(self.telegram_user_id)


class Invite(Base):
    """A one-time deep-link code. Only its SHA-256 is stored; the code itself is shown once."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[datetime | None]


class InviteAttempt(Base):
    """Failed code attempts per Telegram account, for throttling guessing."""

    __tablename__ = "invite_attempts"
    __table_args__ = (Index("ix_invite_attempts_user_at", "telegram_user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ParentAccessChoice(Base):
    """An adult student's word on whether their parents keep seeing their diary (§1.6).
    No row: not decided yet, the college's setting applies."""

    __tablename__ = "parent_access_choices"

    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), primary_key=True
    )
    allowed: Mapped[bool]
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
