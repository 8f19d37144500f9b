"""aiosqlite with short statements run where they are asked for, and one trip to its thread
for the rest.

aiosqlite runs each SQLite call in a thread of its own, and SQLAlchemy's adapter makes four
calls per statement: open a cursor, execute, fetch the rows, close the cursor. Each is a hand-off
to the thread and back (a queue, a future, a wake-up of the event loop): about 0.1 ms of CPU on
this project's machines, more than SQLite's own work for the indexed lookups a press makes.

So a statement first runs on the event loop's own thread, when that cannot hold the loop up:
- a read, within a budget of a few milliseconds: SQLite's progress handler interrupts one that
  runs longer (a report), and it runs again in the thread.
- a write of a few values, inside an update or a page's request (``interactive_work``). The
  process's own writers already queue at the write gate (storage/db.py) before their first
  write; a write lock held by another process (the CLI) sends the statement to the thread to
  wait there.
The connection's busy timeout is 0 but in the thread (``_waiting``): a statement that would
wait for a lock fails at once on the event loop, having done nothing, and runs again where
waiting is harmless.
What does not run inline goes to aiosqlite's thread in one trip: the four calls as one
function, and a commit or rollback with no transaction open not at all. Commits always go
there: one may checkpoint the WAL, which writes and syncs the database file.

It leans on ``Connection._execute``, aiosqlite's queue of calls for its thread, and
``Connection._conn``, as SQLAlchemy's own adapter leans on them for the isolation level. The
connection is opened with ``check_same_thread=False``: its calls never overlap, since each
statement is awaited before the next.
"""

from __future__ import annotations

import re
import sqlite3
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from time import perf_counter
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

_Outcome = tuple[Any, list[Any], int, int | None]

INLINE_READ_BUDGET = 0.003  # seconds a read may hold the event loop before it goes to the thread
_PROGRESS_STEPS = 1000  # SQLite virtual machine steps between looks at the clock
INLINE_WRITE_VALUES = 64  # a write with more bound values than this is bulk: the thread
BUSY_TIMEOUT_MS = 10_000  # a write's wait for another process's write lock, in the thread

WRITE = re.compile(
    r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b"
    r"|\s*WITH\b.*\b(INSERT|UPDATE|DELETE)\b",
    re.IGNORECASE | re.DOTALL,
)
_READ = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)

_interactive: ContextVar[bool] = ContextVar("sqlite_interactive", default=False)


@contextmanager
def interactive_work() -> Iterator[None]:
    """Writes inside run on the event loop's thread: an update's or a page's few rows."""
    token = _interactive.set(True)
    try:
        yield
    finally:
        _interactive.reset(token)


async def _nothing() -> None:
    return None


class _Deadline:
    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> bool:
        return perf_counter() > self.at


def _inline(conn: sqlite3.Connection, operation: str, parameters: Any) -> _Outcome | None:
    """The statement run right here, or None when it belongs in the thread (a read over its
    budget, a write outside an update or in bulk, one that met a lock, anything else)."""
    read = _READ.match(operation) is not None and WRITE.match(operation) is None
    if read:
        deadline = _Deadline(perf_counter() + INLINE_READ_BUDGET)
        conn.set_progress_handler(deadline, _PROGRESS_STEPS)
    elif not _interactive.get() or not WRITE.match(operation):
        return None
    elif parameters is not None and len(parameters) > INLINE_WRITE_VALUES:
        return None  # rows by the hundred (an import's flush): the thread, as for a report
    try:
        return _run(conn, operation, parameters)
    except sqlite3.OperationalError as error:
        # A read interrupted past its budget, or a statement that met another process's lock:
        # it did nothing (the transaction stays as it was) and runs again in the thread.
        if error.sqlite_errorcode in (sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_BUSY):
            return None
        raise
    finally:
        if read:
            conn.set_progress_handler(None, 0)


def _waiting(conn: sqlite3.Connection, run: Any, operation: str, parameters: Any) -> _Outcome:
    """``run`` in the thread, where a statement may wait for another process's lock: the
    connection's busy timeout is 0 everywhere else, so nothing on the event loop ever sleeps
    in SQLite's busy handler."""
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return run(conn, operation, parameters)
    finally:
        conn.execute("PRAGMA busy_timeout=0")


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
        connection = self._connection
        try:
            outcome = _inline(connection._conn, operation, parameters)
            if outcome is None:
                outcome = await_(
                    connection._execute(_waiting, connection._conn, _run, operation, parameters)
                )
            else:
                # SQLAlchemy's async layer checks that a statement awaited something (to catch
                # a driver that is not async); this await returns at once.
                await_(_nothing())
            self._take(outcome)
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            self._take(
                await_(
                    self._connection._execute(
                        _waiting, self._connection._conn, _run_many, operation, seq_of_parameters
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
        kw["check_same_thread"] = False
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDBAPI:
    """The DB-API module for ``create_async_engine(..., module=…)`` on ``sqlite+aiosqlite``."""
    import aiosqlite

    return OneTripDBAPI(aiosqlite, sqlite3)
