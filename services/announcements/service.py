"""Announcements: a curator to their group, the deputy director, director or administrator to
the whole college or chosen groups, to chosen kinds of people.

Every step is authorised here, on the server, against the author's current roles: a curator
may address only the groups they curate, and only students and parents; a group id of
another college or a kind not open to the author is refused, whatever the buttons sent.

Only people with an active linked Telegram account receive the announcement (one message
each, through the outbox, keyed ``ann:<id>:<person>``); the others are counted so the author
knows. The author is not among the recipients: they see the preview and the progress.
The author's text is kept as typed; the screens escape it wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import SUPPORTED_LOCALES
from core.errors import Denied, Invalid
from core.i18n import _, current_locale, use_locale
from services import policy
from services.access import Actor
from storage import announcements as q
from storage import audit
from storage.models import Announcement, OutboxStatus, Role
from storage.notify import Account, active_accounts

TEXT_MAX = 3500  # characters: the preview (header, text, figures) fits one Telegram message
KIND = "announcement"  # the outbox kind


class Kind(StrEnum):
    """Who in the chosen groups (or the college) the announcement is for."""

    STUDENTS = "students"
    PARENTS = "parents"
    TEACHERS = "teachers"
    CURATORS = "curators"
    STAFF = "staff"  # everyone holding a staff role in the college, groups or not


CURATOR_KINDS = (Kind.STUDENTS, Kind.PARENTS)
ANNOUNCING = (policy.Action.ANNOUNCE_GROUP, policy.Action.ANNOUNCE_COLLEGE)


@dataclass(frozen=True)
class Author:
    """A person announcing in one of their roles."""

    person_id: int
    org_id: int
    name: str
    role: Role
    curated: frozenset[int] = frozenset()  # a curator's groups
    org_wide: bool = False  # announces to the whole college

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return tuple(Kind) if self.org_wide else CURATOR_KINDS


def author_of(actor: Actor, role: Role | str | None) -> Author:
    """The actor announcing as ``role``, if they hold it and it may announce: to the whole
    college, or to the groups they curate."""
    try:
        chosen = Role(role) if role else None
    except ValueError:
        chosen = None
    rights = actor.rights_as(chosen)
    held = chosen in actor.roles and any(a in rights for a in ANNOUNCING)
    if chosen is None or not held:
        raise Denied(
            _(
                "Announcements are sent by curators, the deputy director, the director and "
                "the administrator."
            )
        )
    # Announcing to the college reaches every group; to groups, those curated.
    org_wide = policy.Action.ANNOUNCE_COLLEGE in rights
    curated = frozenset() if org_wide else actor.curator_group_ids
    if not org_wide and not curated:
        raise Denied(_("You do not curate any group yet."))
    return Author(actor.person_id, actor.org_id, actor.name, chosen, curated, org_wide)


@dataclass(frozen=True)
class Audience:
    """Chosen groups (none: the whole college) and kinds of people."""

    group_ids: tuple[int, ...]
    kinds: tuple[Kind, ...]

    @classmethod
    def of(cls, group_ids: Collection[int], kinds: Collection[str]) -> Audience:
        chosen = {str(k) for k in kinds}
        return cls(
            tuple(sorted({int(g) for g in group_ids})),
            tuple(k for k in Kind if k.value in chosen),
        )


def not_your_group() -> str:
    return _("You can only address the groups you curate.")


def check_kind(author: Author, value: str) -> Kind:
    try:
        kind = Kind(value)
    except ValueError:
        kind = None
    if kind is None or kind not in author.kinds:
        raise Denied(_("This audience is not open to you."))
    return kind


async def check_groups(
    session: AsyncSession, author: Author, group_ids: Collection[int]
) -> dict[int, str]:
    """Names of the groups if the author may address them all, else Denied."""
    ids = set(group_ids)
    if not author.org_wide and not ids <= author.curated:
        raise Denied(not_your_group())
    found = dict(await q.active_groups(session, author.org_id, ids))
    if set(found) != ids:
        raise Denied(not_your_group() if not author.org_wide else _("There is no such group."))
    return found


async def choosable_groups(session: AsyncSession, author: Author) -> list[tuple[int, str]]:
    """``(id, name)`` of the groups the author may choose from, by name."""
    scope = None if author.org_wide else author.curated
    return await q.active_groups(session, author.org_id, scope)


async def check_audience(
    session: AsyncSession, author: Author, audience: Audience
) -> dict[int, str]:
    """The group names of an audience the author may address; Denied or Invalid else."""
    for kind in audience.kinds:
        check_kind(author, kind)
    if not audience.kinds:
        raise Invalid(_("Choose at least one kind of recipients."))
    if not audience.group_ids and not author.org_wide:
        raise Invalid(_("Choose at least one group."))
    return await check_groups(session, author, audience.group_ids)


async def addressed_people(session: AsyncSession, author: Author, audience: Audience) -> set[int]:
    """Everyone the audience names (linked or not), the author left out."""
    org, groups = author.org_id, audience.group_ids
    people: set[int] = set()
    for kind in audience.kinds:
        if kind is Kind.STUDENTS:
            people |= await q.students(session, org, groups)
        elif kind is Kind.PARENTS:
            people |= await q.parents(session, org, groups)
        elif kind is Kind.TEACHERS:
            people |= await q.teachers(session, org, groups)
        elif kind is Kind.CURATORS:
            people |= await q.curators(session, org, groups)
        else:
            people |= await q.staff(session, org)
    people.discard(author.person_id)
    return people


@dataclass(frozen=True)
class Reach:
    """Who will get the announcement: one active account per person; and how many won't."""

    accounts: dict[int, Account]
    not_linked: int

    @property
    def linked(self) -> int:
        return len(self.accounts)


async def reach(session: AsyncSession, author: Author, audience: Audience) -> Reach:
    await check_audience(session, author, audience)
    people = await addressed_people(session, author, audience)
    found = await active_accounts(session, people)
    # The most recently linked account: the phone the person uses now.
    accounts = {person: linked[-1] for person, linked in found.items() if linked}
    return Reach(accounts, len(people) - len(accounts))


def clean_text(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise Invalid(_("The announcement needs a text."))
    if len(cleaned) > TEXT_MAX:
        raise Invalid(
            _("The text is too long: {length} characters, at most {limit}.").format(
                length=len(cleaned), limit=TEXT_MAX
            )
        )
    return cleaned


@dataclass(frozen=True)
class Attachment:
    """A file sent with the announcement, as the author sent it: ``kind`` is ``document`` or
    ``photo``, and the sender sends it the same way."""

    file_id: str
    kind: str


AckMarkup = Callable[[int], dict[str, Any]]
# What a recipient reads: (author's name, author's role, text) in the current locale.
MessageText = Callable[[str, Role, str], str]


async def publish(
    session: AsyncSession,
    author: Author,
    audience: Audience,
    text: str,
    attachment: Attachment | None,
    now: datetime,
    *,
    progress_chat_id: int,
    progress_message_id: int,
    ack_markup: AckMarkup,
    message_text: MessageText,
    default_locale: str,
) -> Announcement:
    """Record the announcement and queue one message per linked recipient, each in their
    language (``message_text``) with ``ack_markup(announcement_id)`` under it. The progress
    message (the preview the author confirmed) identifies the send: confirming it twice
    publishes once."""
    await q.lock_author(session, author.person_id)
    if await q.by_progress_message(session, progress_chat_id, progress_message_id):
        raise Denied(_("This announcement has already been sent."))
    text = clean_text(text)
    reached = await reach(session, author, audience)
    if not reached.linked:
        raise Invalid(nobody_linked())
    announcement = Announcement(
        org_id=author.org_id,
        author_id=author.person_id,
        text=text,
        file_id=attachment.file_id if attachment else None,
        file_kind=attachment.kind if attachment else None,
        audience={
            "role": author.role.value,
            "groups": list(audience.group_ids),
            "kinds": [k.value for k in audience.kinds],
            "not_linked": reached.not_linked,
            # The language the author wrote in: their progress message stays in it.
            "locale": current_locale(),
        },
        recipients_total=reached.linked,
        created_at=now,
        progress_chat_id=progress_chat_id,
        progress_message_id=progress_message_id,
    )
    session.add(announcement)
    await session.flush()
    rendered: dict[str, tuple[str, dict[str, Any]]] = {}
    messages: list[dict[str, Any]] = []
    for person_id, account in sorted(reached.accounts.items()):
        locale = account.language if account.language in SUPPORTED_LOCALES else default_locale
        if locale not in rendered:
            with use_locale(locale):
                rendered[locale] = (
                    message_text(author.name, author.role, text),
                    ack_markup(announcement.id),
                )
        body, markup = rendered[locale]
        messages.append(
            {
                "org_id": author.org_id,
                "dedup_key": q.message_key(announcement.id, person_id),
                "person_id": person_id,
                "chat_id": account.chat_id,
                "kind": KIND,
                "subject": q.subject(announcement.id),
                "text": body,
                "reply_markup": markup,
                "document_file_id": attachment.file_id if attachment else None,
                "file_kind": attachment.kind if attachment else None,
                "status": OutboxStatus.PENDING,
                "not_before": now,
                "created_at": now,
            }
        )
    await q.add_receipts(session, announcement.id, sorted(reached.accounts))
    await q.queue_messages(session, messages)
    audit.record(
        session,
        org_id=author.org_id,
        actor_id=author.person_id,
        action="create",
        entity="announcement",
        entity_id=announcement.id,
        new={
            "text": text,
            "file_kind": announcement.file_kind,
            "audience": announcement.audience,
            "recipients_total": reached.linked,
        },
    )
    return announcement


def nobody_linked() -> str:
    return _("Nobody in this audience has linked Telegram yet, so there is nobody to send to.")


# --- acknowledgements ------------------------------------------------------------------


class AckOutcome(StrEnum):
    DONE = "done"
    ALREADY = "already"


def not_addressed() -> str:
    return _("This announcement was not addressed to you.")


async def acknowledge(
    session: AsyncSession, person_id: int, announcement_id: int, now: datetime
) -> AckOutcome:
    """The recipient's acknowledgement, recorded once; anyone else is refused."""
    announcement = await session.get(Announcement, announcement_id)
    receipt = await q.receipt(session, announcement_id, person_id) if announcement else None
    if announcement is None or receipt is None:
        raise Denied(not_addressed())
    if not await q.acknowledge(session, announcement_id, person_id, now):
        return AckOutcome.ALREADY
    audit.record(
        session,
        org_id=announcement.org_id,
        actor_id=person_id,
        action="update",
        entity="announcement_receipt",
        entity_id=receipt.id,
        old={"acknowledged_at": None},
        new={"acknowledged_at": now},
    )
    return AckOutcome.DONE


async def own_announcement(
    session: AsyncSession, person_id: int, announcement_id: int
) -> Announcement:
    """The announcement if ``person_id`` wrote it, else Denied."""
    announcement = await session.get(Announcement, announcement_id)
    if announcement is None or announcement.author_id != person_id:
        raise Denied(_("Only the author of an announcement can see who acknowledged it."))
    return announcement


@dataclass(frozen=True)
class Acknowledgers:
    names: list[str]  # short names, in name order
    total: int  # recipients


async def acknowledgers(
    session: AsyncSession, person_id: int, announcement_id: int
) -> Acknowledgers:
    announcement = await own_announcement(session, person_id, announcement_id)
    people = await q.acknowledged_people(session, announcement_id)
    return Acknowledgers([p.short_name for p in people], announcement.recipients_total)


# --- progress --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Where the recipients' messages are, and how many acknowledged."""

    total: int
    sent: int
    failed: int
    acknowledged: int

    @property
    def pending(self) -> int:
        return max(self.total - self.sent - self.failed, 0)

    @property
    def finished(self) -> bool:
        return self.pending == 0


async def figures(session: AsyncSession, announcement: Announcement) -> Figures:
    statuses = await q.outbox_figures(session, announcement.id)
    return Figures(
        total=announcement.recipients_total,
        sent=statuses.get(OutboxStatus.SENT, 0),
        failed=statuses.get(OutboxStatus.FAILED, 0),
        acknowledged=await q.acknowledged_count(session, announcement.id),
    )


async def group_names(session: AsyncSession, announcement: Announcement) -> list[str]:
    ids = [int(g) for g in announcement.audience.get("groups", [])]
    return [name for _gid, name in await q.active_groups(session, announcement.org_id, ids)]
