"""What a lesson was about: topic and hours, homework (text and/or a Telegram file), and the
format of a distance lesson (R9). These may be entered ahead of the lesson (planning), and
follow the same edit window as the register. Hours come from the timetable when the lesson
is generated; a teacher changes them only when the lesson ran differently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, Invalid
from core.i18n import _
from services import access
from services.access import Actor
from services.policy import Action
from storage import audit
from storage import journal as q
from storage.journal import LessonInfo
from storage.models import Lesson

TOPIC_MAX = 500
HOMEWORK_MAX = 2000
HOURS_MIN, HOURS_MAX = 1, 8
PLATFORM_MAX = 64
FILE_ID_MAX = FILE_NAME_MAX = 255
DISTANCE_MODES = ("online", "offline")
_TIME = re.compile(r"^\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*$")


@dataclass(frozen=True)
class DistanceFormat:
    mode: str  # "online": a live session; "offline": tasks to do on the platform
    platform: str
    at: time


@dataclass(frozen=True)
class LessonDetails:
    info: LessonInfo
    locked: str | None  # why the details cannot be changed now; None: they can

    @property
    def lesson(self) -> Lesson:
        return self.info.lesson

    @property
    def distance(self) -> DistanceFormat | None:
        data = self.lesson.distance
        if not data:
            return None
        return DistanceFormat(data["mode"], data["platform"], time.fromisoformat(data["time"]))


def validate_topic(topic: str) -> str:
    cleaned = " ".join(topic.split())
    if not cleaned:
        raise Invalid(_("The topic is empty. Please write what the lesson was about."))
    if len(cleaned) > TOPIC_MAX:
        raise Invalid(
            _("The topic is too long: {length} characters, at most {limit}.").format(
                length=len(cleaned), limit=TOPIC_MAX
            )
        )
    return cleaned


def validate_hours(hours: int | str) -> int:
    text = str(hours).strip()
    if not text.isdigit() or not HOURS_MIN <= int(text) <= HOURS_MAX:
        raise Invalid(
            _("Hours must be a whole number from {low} to {high}.").format(
                low=HOURS_MIN, high=HOURS_MAX
            )
        )
    return int(text)


def validate_homework(text: str, file_id: str | None) -> str:
    cleaned = text.strip()
    if not cleaned and not file_id:
        raise Invalid(_("The homework is empty. Please write it or attach a file."))
    if len(cleaned) > HOMEWORK_MAX:
        raise Invalid(
            _("The homework is too long: {length} characters, at most {limit}.").format(
                length=len(cleaned), limit=HOMEWORK_MAX
            )
        )
    if file_id and len(file_id) > FILE_ID_MAX:
        raise Invalid(_("This file cannot be attached. Please send it again."))
    return cleaned


def validate_distance(
    mode: str, platform: str, at: str | time | None
) -> tuple[str, str, time | None]:
    mode = mode.strip().lower()
    if mode not in DISTANCE_MODES:
        raise Invalid(_("Please choose whether the lesson is online or offline."))
    platform = " ".join(platform.split())
    if not platform:
        raise Invalid(_("Please name the platform the lesson takes place on."))
    if len(platform) > PLATFORM_MAX:
        raise Invalid(
            _("The platform name is too long: {length} characters, at most {limit}.").format(
                length=len(platform), limit=PLATFORM_MAX
            )
        )
    return mode, platform, None if at is None else _parse_time(at)


def _parse_time(value: str | time) -> time:
    if isinstance(value, time):
        return value
    found = _TIME.match(value)
    if found and int(found[1]) < 24 and int(found[2]) < 60:
        return time(int(found[1]), int(found[2]))
    raise Invalid(_("Please write the time as HH:MM, for example 09:00."))


async def lesson_details(
    session: AsyncSession, actor: Actor, lesson_id: int, now: datetime
) -> LessonDetails:
    info = await access.lesson_for_view(session, actor, lesson_id)
    return LessonDetails(
        info, access.lock_reason(actor, info, now, action=Action.EDIT_LESSON_DETAILS)
    )


async def set_topic(
    session: AsyncSession,
    actor: Actor,
    lesson_id: int,
    topic: str,
    now: datetime,
    *,
    hours: int | str | None = None,
) -> LessonDetails:
    """Store the topic; ``hours`` None keeps the lesson's hours (the timetable's)."""
    changes: dict[str, Any] = {"topic": validate_topic(topic)}
    if hours is not None:
        changes["hours"] = validate_hours(hours)
    info = await access.lesson_for_edit(
        session, actor, lesson_id, now, action=Action.EDIT_LESSON_DETAILS
    )
    if info.lesson.topic_entered_at is None:
        # The first entry is what R2 (topic on the day of the lesson) is judged by.
        changes["topic_entered_at"] = now
    return await _apply(session, actor, info, changes, now)


async def set_homework(
    session: AsyncSession,
    actor: Actor,
    lesson_id: int,
    text: str,
    now: datetime,
    *,
    file_id: str | None = None,
    file_name: str | None = None,
) -> LessonDetails:
    """Store the homework: text, a file (its Telegram ``file_id`` and name), or both."""
    cleaned = validate_homework(text, file_id)
    info = await access.lesson_for_edit(
        session, actor, lesson_id, now, action=Action.EDIT_LESSON_DETAILS
    )
    changes = {
        "homework": cleaned,
        "homework_file_id": file_id or None,
        # A long name is the file's, not the teacher's doing: keep what fits.
        "homework_file_name": (file_name or "")[:FILE_NAME_MAX] or None if file_id else None,
    }
    return await _apply(session, actor, info, changes, now)


async def clear_homework(
    session: AsyncSession, actor: Actor, lesson_id: int, now: datetime
) -> LessonDetails:
    info = await access.lesson_for_edit(
        session, actor, lesson_id, now, action=Action.EDIT_LESSON_DETAILS
    )
    changes = {"homework": "", "homework_file_id": None, "homework_file_name": None}
    return await _apply(session, actor, info, changes, now)


async def set_distance(
    session: AsyncSession,
    actor: Actor,
    lesson_id: int,
    now: datetime,
    *,
    mode: str,
    platform: str,
    at: str | time | None = None,
) -> LessonDetails:
    """Record the distance format; without ``at`` the lesson's own start time is used."""
    mode, platform, parsed = validate_distance(mode, platform, at)
    info = await access.lesson_for_edit(
        session, actor, lesson_id, now, action=Action.EDIT_LESSON_DETAILS
    )
    starts = parsed or info.lesson.starts_at.astimezone(actor.tz).time()
    distance = {"mode": mode, "platform": platform, "time": starts.strftime("%H:%M")}
    changes: dict[str, Any] = {"distance": distance}
    if info.lesson.distance_entered_at is None:
        # The first entry is what R9 (the format recorded with the lesson) is judged by.
        changes["distance_entered_at"] = now
    return await _apply(session, actor, info, changes, now)


async def clear_distance(
    session: AsyncSession, actor: Actor, lesson_id: int, now: datetime
) -> LessonDetails:
    info = await access.lesson_for_edit(
        session, actor, lesson_id, now, action=Action.EDIT_LESSON_DETAILS
    )
    return await _apply(session, actor, info, {"distance": None}, now)


async def _apply(
    session: AsyncSession, actor: Actor, info: LessonInfo, changes: dict[str, Any], now: datetime
) -> LessonDetails:
    lesson = info.lesson
    old = {key: getattr(lesson, key) for key in changes}
    if old != changes:
        if not await q.update_lesson_details(session, lesson, changes, now):
            raise Conflict(access.changed_meanwhile())
        audit.record(
            session,
            org_id=lesson.org_id,
            actor_id=actor.person_id,
            action="update",
            entity="lesson",
            entity_id=lesson.id,
            old=old,
            new=changes,
        )
    return LessonDetails(info, None)
