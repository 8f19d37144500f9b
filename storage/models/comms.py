"""Announcements, the durable outbox, reminders sent, preferences and processed updates.

Two queues, both in the store so nothing is lost on a crash:
* ``events``: domain facts (a grade was created, a register finalised) written in the same
  transaction as the change that caused them;
* ``outbox_messages``: concrete Telegram messages to one chat, drained by the sender.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, str_enum, utcnow
from .enums import OutboxStatus


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_unprocessed", "processed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(48))
    # What the event is about, e.g. "grade:17": later events about it supersede earlier ones.
    subject: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_chat", "chat_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    dedup_key: Mapped[str] = mapped_column(String(128), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(48))
    subject: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text)
    reply_markup: Mapped[dict[str, Any] | None]
    document_file_id: Mapped[str | None] = mapped_column(String(255))
    # How the file goes: "photo" (sendPhoto, shown in the chat) or "document"; None: no file.
    file_kind: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus), default=OutboxStatus.PENDING
    )
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # The sender that took the message and until when (docs/replicas.md): another sender
    # takes it only once the lease has run out, i.e. its holder died.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]


class Announcement(Base):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    file_id: Mapped[str | None] = mapped_column(String(255))
    file_kind: Mapped[str | None] = mapped_column(String(16))
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    recipients_total: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)


class AnnouncementReceipt(Base):
    __tablename__ = "announcement_receipts"
    __table_args__ = (UniqueConstraint("announcement_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    delivered_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]


class SentReminder(Base):
    """One row per reminder ever sent; the key makes every reminder at-most-once."""

    __tablename__ = "sent_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    rule: Mapped[str] = mapped_column(String(8))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    for_date: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestRange(Base):
    """The days a digest of a college covered (``first_day``…``last_day``). The next one starts
    the day after: no day is left out or counted twice when a holiday moves the digest."""

    __tablename__ = "digest_ranges"
    __table_args__ = (UniqueConstraint("org_id", "digest", "last_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(16))
    first_day: Mapped[date]
    last_day: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationPreference(Base):
    """How a person wants one kind of notification: ``now``, ``digest`` or ``off``."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("person_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    mode: Mapped[str] = mapped_column(String(16), default="now")


class JobRun(Base):
    """A scheduled job's run for one due time: the replica that inserts the row runs the job,
    the others skip it (docs/replicas.md)."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(48), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    runner: Mapped[str] = mapped_column(String(64))


class ChatInteraction(Base):
    """When a person last wrote or pressed in a chat that has outbox messages waiting: the
    sender (possibly in another process) yields that chat to the bot's replies for a moment.
    Written only on PostgreSQL and only while a message waits (see handlers/interactions.py)."""

    __tablename__ = "chat_interactions"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedUpdate(Base):
    """Telegram update ids already handled: a redelivered update is skipped, not re-applied."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ConversationState(Base):
    """aiogram FSM state per chat and user, kept in the store so that a restart in the middle
    of a conversation (a grade comment half typed) resumes where the person was."""

    __tablename__ = "conversation_states"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MaxMessage(Base):
    """A MAX message's id (a string, ``mid.…``) and the integer the journal's handlers know it
    by. Kept in the store so that every process gives one message the same number."""

    __tablename__ = "max_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    mid: Mapped[str] = mapped_column(String(128), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class MaxFile(Base):
    """A file a person sent in MAX: the token MAX re-sends it by, and the address it is
    downloaded from, so that it reaches people in Telegram too (bot/max/files.py)."""

    __tablename__ = "max_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(255), unique=True)
    url: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
