"""Positions: named sets of rights (§3.3.6). The regulation's positions are built in (``org_id``
NULL, ``builtin`` true) and kept in step with this module; a college adds its own on the
``positions`` sheet, each based on one role (the role decides the scope, the position the
rights)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services import policy
from storage import importing as q
from storage.models import Position, Role

# The rights vocabulary: custom positions may only use these words. What each word grants is
# services/policy.py's ``WORDS`` (docs/permissions.md lists them).
RIGHTS = tuple(policy.WORDS)


@dataclass(frozen=True)
class BuiltinPosition:
    code: str
    role: Role
    name: str  # stored in the college's language; the bot shows role names through gettext
    rights: tuple[str, ...]


BUILTIN_POSITIONS = (
    BuiltinPosition(
        "teacher",
        Role.TEACHER,
        "Преподаватель",
        ("journal.mark", "journal.topic", "journal.attestation", "documents.upload"),
    ),
    BuiltinPosition(
        "curator",
        Role.CURATOR,
        "Куратор группы",
        (
            "journal.view_group",
            "absence.reason",
            "absence.approve",
            "announce.group",
            "invites.group",
        ),
    ),
    BuiltinPosition(
        "deputy",
        Role.DEPUTY,
        "Заместитель директора",
        (
            "journal.view_all",
            "journal.keep_all",
            "journal.correct",
            "teaching.assign",
            "documents.upload",
            "calendar.manage",
            "curriculum.manage",
            "timetable.manage",
            "orders.manage",
            "monitoring.view",
            "announce.org",
        ),
    ),
    BuiltinPosition(
        "secretary",
        Role.SECRETARY,
        "Секретарь",
        ("invites.manage", "people.manage", "orders.manage"),
    ),
    BuiltinPosition(
        "admin",
        Role.ADMIN,
        "Администратор",
        (
            "invites.manage",
            "accounts.manage",
            "staff.manage",
            "people.manage",
            "positions.manage",
            "settings.manage",
            "import.run",
        ),
    ),
    BuiltinPosition(
        "director",
        Role.DIRECTOR,
        "Директор",
        ("journal.view_all", "monitoring.view", "announce.org"),
    ),
    BuiltinPosition(
        "parent",
        Role.PARENT,
        "Родитель (законный представитель)",
        ("diary.view", "absence.submit"),
    ),
    BuiltinPosition(
        "student", Role.STUDENT, "Обучающийся", ("diary.view", "absence.submit", "diary.parents")
    ),
)

BUILTIN_BY_ROLE = {p.role: p for p in BUILTIN_POSITIONS}


async def ensure_builtin_positions(
    session: AsyncSession, *, source: str = "bot", actor_id: int | None = None
) -> dict[Role, int]:
    """Create or bring up to date the built-in positions; returns their ids by role.

    Safe to call at every start and every import; writes audit entries only for changes.
    """
    existing = {
        row["code"]: row
        for row in await q.rows_of(
            session, Position, ("code", "name", "rights", "builtin"), Position.org_id.is_(None)
        )
    }
    audit = []
    ids: dict[Role, int] = {}
    for spec in BUILTIN_POSITIONS:
        want = {"name": spec.name, "rights": list(spec.rights), "builtin": True}
        old = existing.get(spec.code)
        if old is None:
            [ids[spec.role]] = await q.insert_rows(
                session, Position, [{"org_id": None, "code": spec.code, **want}]
            )
            action, before = "create", {}
        else:
            ids[spec.role] = old["id"]
            changed = {k: v for k, v in want.items() if old[k] != v}
            if not changed:
                continue
            await q.update_rows(session, Position, [{"id": old["id"], **changed}])
            action, before = "update", {k: old[k] for k in changed}
            want = changed
        audit.append(
            q.audit_row(
                org_id=None,
                action=action,
                entity="position",
                entity_id=ids[spec.role],
                old=before,
                new=want,
                source=source,
                actor_id=actor_id,
            )
        )
    await q.insert_audit(session, audit)
    return ids
