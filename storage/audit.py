"""Writing the audit log. Every change path calls ``record`` in the transaction of the change."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def _plain(value: Any) -> Any:
    """JSON-safe form of a column value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose values differ."""
    keys = old.keys() | new.keys()
    return {
        k: [_plain(old.get(k)), _plain(new.get(k))]
        for k in sorted(keys)
        if _plain(old.get(k)) != _plain(new.get(k))
    }


def record(
    session: AsyncSession,
    *,
    org_id: int | None,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    source: str = "bot",
) -> AuditEntry:
    entry = AuditEntry(
        org_id=org_id,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        changes=diff(old or {}, new or {}),
        source=source,
    )
    session.add(entry)
    return entry
