"""Absence justifications (R4): a certificate for the days a student missed.

A parent sends one for their child; a student for themself only when an adult (18 or over by
``Person.birth_date`` in the college's time zone; with no birth date on file, not an adult):
for a minor it is the legal representative's word that counts. The row's ``submitted_at`` is
when the R4 clock (two working days for the curator) starts.

A paper certificate brought to the curator is recorded by the curator (``record_paper``) with
the day they received it (``received_on``): R4's clock starts that day, and the certificate
waits for the same Approve / Reject decision as a photo, so it is reminded of until decided.

The curators of the student's current group get it through the outbox with the file and the
Approve / Reject buttons. A decision is taken once: the first press wins (a conditional
UPDATE), every later press hears who decided. Approval sets the reason (illness unless the
curator picks excused) on every still unexplained absence of the student in the dates;
rejection sets nothing. The sender of the certificate hears the outcome through the outbox.

Messages are composed by the caller (``compose``), in each recipient's language: this module
knows who is told and when, not what a Telegram message looks like.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.errors import Denied, Invalid
from core.i18n import _, use_locale
from services import policy
from services.absences.dates import DateRange, check_range
from services.absences.unexplained import apply_reason
from services.access import Actor
from services.notifications.notifier import locale_for
from services.notifications.quiet_hours import release_time
from storage import absences as q
from storage import audit
from storage import outbox as out
from storage.absences import AbsenceRow, StudentInfo
from storage.models import AbsenceJustification, AbsenceReason, JustificationStatus, Role
from storage.notify import active_accounts
from storage.people import short_names

ADULT_AGE = 18
MAX_COMMENT = 500  # the comment goes into a caption, which Telegram caps at 1024
MAX_DAYS = 62
DAYS_AHEAD = 14  # a planned absence (a clinic appointment tomorrow) may be announced ahead
DAYS_BACK = 120
PHOTO, DOCUMENT, PAPER = "photo", "document", "paper"
APPROVAL_REASONS = (AbsenceReason.ILLNESS, AbsenceReason.EXCUSED)
ENTITY = "absence_justification"
CURATOR_KIND = "justification"
OUTCOME_KIND = "justification.outcome"


@dataclass(frozen=True)
class Outgoing:
    """One Telegram message for the outbox."""

    text: str
    reply_markup: dict[str, Any] | None = None
    document_file_id: str | None = None
    file_kind: str | None = None  # PHOTO or DOCUMENT when there is a file


@dataclass(frozen=True)
class JustificationView:
    id: int
    student: StudentInfo
    dates: DateRange
    comment: str
    file_id: str | None
    file_kind: str | None
    status: JustificationStatus
    reason: AbsenceReason | None
    submitted_by: int
    submitted_by_name: str
    by_parent: bool
    submitted_at: datetime
    received_on: date | None  # a paper certificate: the day the curator received it
    decided_by_name: str
    decided_at: datetime | None
    unexplained: int  # the student's unexplained absences in the dates, now


@dataclass(frozen=True)
class Submitted:
    view: JustificationView
    curators_told: int  # Telegram chats of curators the certificate was queued for


@dataclass(frozen=True)
class Decision:
    view: JustificationView
    already: bool  # decided before this press: nothing changed now
    lessons: tuple[AbsenceRow, ...] = ()


Compose = Callable[[JustificationView], Outgoing]
ComposeOutcome = Callable[[Decision], Outgoing]


def not_yours() -> str:
    return _("You cannot send a certificate for this student.")


def not_yours_to_decide() -> str:
    return _("This certificate is not for a student of your groups.")


def is_adult(birth_date: date | None, today: date) -> bool:
    if birth_date is None:
        return False
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years >= ADULT_AGE


async def default_student(
    session: AsyncSession, actor: Actor, role: Role | None, child_id: int | None
) -> int | None:
    """Whom a certificate is for: oneself in the student role, the child in use as a parent."""
    if role is Role.STUDENT:
        return await q.student_of_person(session, actor.person_id)
    if child_id in actor.child_ids:
        return child_id
    return min(actor.child_ids, default=None)


async def student_for_submitter(
    session: AsyncSession, actor: Actor, student_id: int, today: date
) -> StudentInfo:
    """The student if the actor may send a certificate for them, else Denied saying why."""
    student = await q.student_info(session, student_id)
    if student is None or student.org_id != actor.org_id:
        raise Denied(not_yours())
    if not policy.can(actor, policy.Action.JUSTIFY_ABSENCE, policy.Target.student(student)):
        # Not their child: themself, as the store knows them, and only of age.
        if await q.student_of_person(session, actor.person_id) != student_id:
            raise Denied(not_yours())
        if not is_adult(student.birth_date, today):
            raise Denied(
                _(
                    "Students under 18 cannot send a certificate themselves: your parent can "
                    "send it through the bot, or hand it to your curator."
                )
            )
    if student.group_id is None:
        raise Denied(_("The student is not in a group now. Please contact the college."))
    return student


def check_dates(dates: DateRange, today: date) -> None:
    check_range(
        dates,
        max_days=MAX_DAYS,
        not_after=today + timedelta(days=DAYS_AHEAD),
        not_before=today - timedelta(days=DAYS_BACK),
    )


def check_comment(comment: str) -> str:
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid(
            _("The comment is too long: {length} characters, at most {limit}.").format(
                length=len(comment), limit=MAX_COMMENT
            )
        )
    return comment


async def _store_pending(
    session: AsyncSession,
    actor: Actor,
    student: StudentInfo,
    dates: DateRange,
    now: datetime,
    *,
    file_kind: str,
    comment: str = "",
    file_id: str | None = None,
    received_on: date | None = None,
) -> AbsenceJustification:
    """A certificate waiting for the curator's decision, stored and audited: one sent in the
    bot (a file) or one brought on paper (the day it was received)."""
    row = q.add_justification(
        session,
        org_id=student.org_id,
        student_id=student.student_id,
        submitted_by=actor.person_id,
        date_from=dates.first,
        date_to=dates.last,
        comment=comment,
        file_id=file_id,
        file_kind=file_kind,
        status=JustificationStatus.PENDING,
        submitted_at=now,
        received_on=received_on,
    )
    await session.flush()
    new: dict[str, Any] = {
        "student_id": student.student_id,
        "date_from": dates.first,
        "date_to": dates.last,
        "file_kind": file_kind,
        "status": JustificationStatus.PENDING,
    }
    if received_on is not None:
        new["received_on"] = received_on
    audit.record(
        session,
        org_id=student.org_id,
        actor_id=actor.person_id,
        action="create",
        entity=ENTITY,
        entity_id=row.id,
        new=new,
    )
    return row


async def submit(
    session: AsyncSession,
    actor: Actor,
    student_id: int,
    dates: DateRange,
    comment: str,
    file_id: str,
    file_kind: str,
    now: datetime,
    *,
    settings: Settings,
    compose: Compose,
) -> Submitted:
    """Store the certificate and queue it for the curators. The caller commits."""
    today = actor.today(now)
    student = await student_for_submitter(session, actor, student_id, today)
    check_dates(dates, today)
    comment = check_comment(comment)
    if file_kind not in (PHOTO, DOCUMENT) or not file_id:
        raise Invalid(_("Please send a photo of the certificate or the document."))
    row = await _store_pending(
        session, actor, student, dates, now, comment=comment, file_id=file_id, file_kind=file_kind
    )
    view = await _view(session, row, student)
    assert student.group_id is not None  # student_for_submitter refuses otherwise
    curators = await q.curators_of(session, student.group_id)
    told = await _queue(
        session,
        view,
        curators,
        kind=CURATOR_KIND,
        key=f"just:{row.id}:c",
        now=now,
        settings=settings,
        render=lambda: compose(view),
    )
    return Submitted(view, told)


def check_received(received_on: date, dates: DateRange, today: date) -> None:
    if received_on > today:
        raise Invalid(_("The day the certificate was received cannot be in the future."))
    if received_on < today - timedelta(days=DAYS_BACK) or received_on < dates.first - timedelta(
        days=DAYS_AHEAD
    ):
        raise Invalid(_("Please check the day the certificate was received."))


async def record_paper(
    session: AsyncSession,
    actor: Actor,
    student_id: int,
    dates: DateRange,
    received_on: date,
    now: datetime,
) -> JustificationView:
    """A paper certificate brought to the curator: stored as waiting for a decision, with the
    day it was received (R4 counts from it). Only who may decide it may record it. The caller
    commits."""
    student = await q.student_info(session, student_id)
    if student is None or not policy.can(
        actor, policy.Action.DECIDE_CERTIFICATE, policy.Target.student(student)
    ):
        raise Denied(not_yours_to_decide())
    today = actor.today(now)
    check_dates(dates, today)
    check_received(received_on, dates, today)
    row = await _store_pending(
        session, actor, student, dates, now, file_kind=PAPER, received_on=received_on
    )
    return await _view(session, row, student)


async def for_decision(
    session: AsyncSession, actor: Actor, justification_id: int
) -> JustificationView:
    """The certificate if the actor may decide it (a curator of the student's group now, or
    the deputy director), else Denied."""
    row = await q.justification(session, justification_id)
    student = await q.student_info(session, row.student_id) if row is not None else None
    if (
        row is None
        or student is None
        or not policy.can(actor, policy.Action.DECIDE_CERTIFICATE, policy.Target.student(student))
    ):
        raise Denied(not_yours_to_decide())
    return await _view(session, row, student)


async def decide(
    session: AsyncSession,
    actor: Actor,
    justification_id: int,
    *,
    approve: bool,
    now: datetime,
    settings: Settings,
    compose: ComposeOutcome,
    reason: AbsenceReason = AbsenceReason.ILLNESS,
) -> Decision:
    """Approve (setting ``reason``) or reject, once. The caller commits."""
    if approve and reason not in APPROVAL_REASONS:
        raise Invalid(_("A certificate can excuse absences as illness or as excused only."))
    view = await for_decision(session, actor, justification_id)
    status = JustificationStatus.APPROVED if approve else JustificationStatus.REJECTED
    chosen = reason if approve else None
    if not await q.claim_decision(session, justification_id, status, chosen, actor.person_id, now):
        row = await q.justification(session, justification_id)
        assert row is not None
        return Decision(await _view(session, row, view.student), already=True)
    audit.record(
        session,
        org_id=view.student.org_id,
        actor_id=actor.person_id,
        action="update",
        entity=ENTITY,
        entity_id=justification_id,
        old={"status": JustificationStatus.PENDING, "reason": None},
        new={"status": status, "reason": chosen},
    )
    lessons: list[AbsenceRow] = []
    if chosen is not None:
        lessons = await apply_reason(
            session,
            view.student,
            chosen,
            actor.person_id,
            now,
            view.dates.first,
            view.dates.last,
            justification_id=justification_id,
        )
    row = await q.justification(session, justification_id)
    assert row is not None
    decision = Decision(await _view(session, row, view.student), False, tuple(lessons))
    await _queue(
        session,
        decision.view,
        [view.submitted_by],
        kind=OUTCOME_KIND,
        key=f"just:{justification_id}:o",
        now=now,
        settings=settings,
        render=lambda: compose(decision),
        quiet=False,  # the answer to their own request: it is awaited
    )
    return decision


async def _view(
    session: AsyncSession, row: AbsenceJustification, student: StudentInfo
) -> JustificationView:
    names = await short_names(
        session, {row.submitted_by} | ({row.decided_by} if row.decided_by else set())
    )
    unexplained = await q.absences_of_student(
        session, student.student_id, row.date_from, row.date_to
    )
    return JustificationView(
        id=row.id,
        student=student,
        dates=DateRange(row.date_from, row.date_to),
        comment=row.comment,
        file_id=row.file_id,
        file_kind=row.file_kind,
        status=row.status,
        reason=row.reason,
        submitted_by=row.submitted_by,
        submitted_by_name=names.get(row.submitted_by, ""),
        by_parent=row.submitted_by != student.person_id,
        submitted_at=row.submitted_at,
        received_on=row.received_on,
        decided_by_name=names.get(row.decided_by, "") if row.decided_by else "",
        decided_at=row.decided_at,
        unexplained=len(unexplained),
    )


async def _queue(
    session: AsyncSession,
    view: JustificationView,
    person_ids: list[int],
    *,
    kind: str,
    key: str,
    now: datetime,
    settings: Settings,
    render: Callable[[], Outgoing],
    quiet: bool = True,
) -> int:
    """One message to every active Telegram account of the people, each in its language;
    the dedup key makes a retried transaction queue nothing twice."""
    accounts = await active_accounts(session, person_ids)
    cfg = settings.notifications
    due = release_time(now, ZoneInfo(view.student.timezone), cfg.quiet_from, cfg.quiet_to)
    queued = 0
    for person_id, person_accounts in accounts.items():
        for account in person_accounts:
            with use_locale(locale_for(account.language, settings)):
                message = render()
            queued += await out.enqueue_once(
                session,
                org_id=view.student.org_id,
                dedup_key=f"{key}:{account.chat_id}",
                person_id=person_id,
                chat_id=account.chat_id,
                kind=kind,
                subject=f"justification:{view.id}",
                text=message.text,
                reply_markup=message.reply_markup,
                document_file_id=message.document_file_id,
                file_kind=message.file_kind,
                not_before=due if quiet else now,
                created_at=now,
            )
    return queued


async def waiting(session: AsyncSession, actor: Actor) -> list[JustificationView]:
    """Certificates of the actor's groups still waiting for a decision, oldest first."""
    rows = await q.pending_justifications(session, actor.org_id, actor.curator_group_ids)
    views = []
    for row in rows:
        student = await q.student_info(session, row.student_id)
        if student is not None:
            views.append(await _view(session, row, student))
    return views


async def count_waiting(session: AsyncSession, actor: Actor) -> int:
    return len(await q.pending_justifications(session, actor.org_id, actor.curator_group_ids))
