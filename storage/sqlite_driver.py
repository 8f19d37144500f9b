"""aiosqlite with one trip to its thread per statement.

aiosqlite runs each SQLite call in a thread of its own, and SQLAlchemy's adapter makes four
calls per statement: open a cursor, execute, fetch the rows, close the cursor. Each is a hand-off
to the thread and back (a queue, a future, a wake-up of the event loop), and on a register tap's
ten statements those hand-offs cost more CPU than SQLite's own work. Here the four run as one
function in aiosqlite's thread, so a statement is one hand-off, and a commit or rollback with no
transaction open is none; the event loop still never waits on the disk, so a long report does
not hold up the presses beside it.

It leans on ``Connection._execute``, aiosqlite's queue of calls for its thread, as SQLAlchemy's
own adapter leans on its internals (``_tx``, ``_conn``) for the isolation level.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

_Outcome = tuple[Any, list[Any], int, int | None]


def _run(conn: sqlite3.Connection, operation: str, parameters: Any) -> _Outcome:
    cursor = conn.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_many(conn: sqlite3.Connection, operation: str, parameters: Sequence[Any]) -> _Outcome:
    cursor = conn.cursor()
    try:
        cursor.executemany(operation, parameters)
        return cursor.description, [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A statement, its rows and its counts in one call to aiosqlite's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # no aiosqlite cursor is kept open
        self._soft_closed_memoized = {}  # type: ignore[assignment]
        self._rows = deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    def _take(self, outcome: _Outcome) -> None:
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = deque(rows)

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            self._take(
                await_(
                    self._connection._execute(_run, self._connection._conn, operation, parameters)
                )
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            self._take(
                await_(
                    self._connection._execute(
                        _run_many, self._connection._conn, operation, seq_of_parameters
                    )
                )
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _async_soft_close(self) -> None:
        return None  # nothing is open in the thread

    def close(self) -> None:
        self._rows.clear()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Commit and rollback go to the thread only when SQLite has a transaction open: one that
    only read (a menu, a diary page) has none, since pysqlite opens one at the first write, and
    the pool's rollback of a connection coming back after a commit has none either."""

    __slots__ = ()
    _cursor_cls = OneTripCursor

    def _open(self) -> bool:
        # sqlite3's own commit and rollback do nothing without a transaction: skipping the
        # hand-off changes nothing else. Read between statements, when the thread is idle.
        conn = self._connection._connection
        return conn is None or conn.in_transaction

    def commit(self) -> None:
        if self._open():
            super().commit()

    def rollback(self) -> None:
        if self._open():
            super().rollback()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDBAPI:
    """The DB-API module for ``create_async_engine(..., module=…)`` on ``sqlite+aiosqlite``."""
    import aiosqlite

    return OneTripDBAPI(aiosqlite, sqlite3)
