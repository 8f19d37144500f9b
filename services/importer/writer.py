"""Writing a checked college to the store: create what is new, update what changed.

Each table is read once (the keys and columns the file carries), compared in memory and
written in bulk. An empty cell never clears a stored value (None means "not given"). The
timetable, the college calendar and the teaching assignments are replaced as a whole: what the
file no longer has is removed. Nothing about people is ever deleted: a role the file no
longer gives a person is made inactive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import importing as q
from storage.models import Base

from .model import CollegeData
from .report import ImportReport

Key = tuple[Any, ...]
Default = Any | Callable[[dict[str, Any]], Any]


class Writer:
    def __init__(
        self, session: AsyncSession, data: CollegeData, report: ImportReport, today: date
    ) -> None:
        self.session = session
        self.data = data
        self.report = report
        self.today = today
        self.org_id = 0
        self.audit: list[dict[str, Any]] = []
        # Students a movement order has touched: orders win over the file (docs/orders.md).
        self.ordered: frozenset[int] = frozenset()
        self.left: frozenset[int] = frozenset()  # of them, those who left (no roles back)

    def log(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        old: dict[str, Any] | None = None,
        new: dict[str, Any] | None = None,
    ) -> None:
        self.audit.append(
            q.audit_row(
                org_id=self.org_id or None,
                action=action,
                entity=entity,
                entity_id=entity_id,
                old=old,
                new=new,
            )
        )
        counter = {"create": self.report.created, "update": self.report.updated}.get(
            action, self.report.deleted
        )
        counter[entity] += 1

    async def sync(
        self,
        model: type[Base],
        entity: str,
        rows: Sequence[dict[str, Any]],
        key: tuple[str, ...],
        *scope: ColumnElement[bool],
        defaults: dict[str, Default] | None = None,
        delete_missing: bool = False,
    ) -> dict[Key, int]:
        """Upsert ``rows`` keyed by the ``key`` columns among the rows matching ``scope``.

        Returns the id of every key, existing or new. With ``delete_missing`` the rows in
        ``scope`` whose keys the file does not have are deleted.
        """
        fields = sorted({f for row in rows for f in row} | set(key))
        stored = await q.rows_of(self.session, model, fields, *scope)
        existing = {tuple(r[k] for k in key): r for r in stored}
        ids: dict[Key, int] = {}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for row in rows:
            k = tuple(row[f] for f in key)
            if k in ids:  # the same key twice in the rows: the first wins
                continue
            old = existing.get(k)
            if old is None:
                inserts.append(_filled(row, defaults or {}))
                ids[k] = 0  # placeholder until the insert returns the id
                continue
            ids[k] = old["id"]
            changed = {
                f: v for f, v in row.items() if f not in key and v is not None and old[f] != v
            }
            if changed:
                updates.append({"id": old["id"], **changed})
                self.log("update", entity, old["id"], {f: old[f] for f in changed}, changed)
        await q.update_rows(self.session, model, updates)
        new_ids = await q.insert_keyed(self.session, model, inserts, key, *scope)
        for row in inserts:
            k = tuple(row[f] for f in key)
            ids[k] = new_ids[k]
            self.log("create", entity, ids[k], None, row)
        if delete_missing:
            gone = [r for k, r in existing.items() if k not in ids]
            await q.delete_ids(self.session, model, [r["id"] for r in gone])
            for r in gone:
                self.log("delete", entity, r["id"], {f: v for f, v in r.items() if f != "id"})
        return ids

    async def ids_of(
        self, model: type[Base], key: str, *where: ColumnElement[bool]
    ) -> dict[Any, int]:
        """``key`` → id of the matching rows."""
        column = model.__table__.c[key]
        result = await self.session.execute(select(model.__table__.c.id, column).where(*where))
        return {row[1]: row[0] for row in result}


def _filled(row: dict[str, Any], defaults: dict[str, Default]) -> dict[str, Any]:
    """The row to insert: "not given" becomes the column's default."""
    out = dict(row)
    for field, default in defaults.items():
        if out.get(field) is None:
            out[field] = default(row) if callable(default) else default
    return out
