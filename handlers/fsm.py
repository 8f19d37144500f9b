"""aiogram FSM storage on the journal's own store (SQLite or PostgreSQL), so conversations
survive a restart without requiring Redis.

Within an update the conversation is read and written through the update's own session
(``update_session``, set by ``StoreSessionMiddleware``): it is saved or undone together with
what the update changed, and never waits on a lock that update itself holds. Outside an update
(the command line, tests) each call uses a short session of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import ConversationState

update_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)
# The state of the update's own chat as read with its first statement (``first_look``): the
# key and the state, so the FSM middleware's read costs no second statement.
known_state: ContextVar[tuple[str, str | None] | None] = ContextVar("known_state", default=None)


class StoreFSMStorage(BaseStorage):
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._sessions = session_factory
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        current = update_session.get()
        if current is not None:
            yield current  # committed (or rolled back) with the update
            return
        async with self._sessions.begin() as session:
            yield session

    def key_of(self, key: StorageKey) -> str:
        return self._keys.build(key)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        built = self._keys.build(key)
        known = known_state.get()
        if known is not None and known[0] == built:
            known_state.set((built, value))
        async with self._session() as session:
            row = await session.get(ConversationState, self._keys.build(key))
            if row is None:
                if value is None:
                    return
                session.add(ConversationState(key=self._keys.build(key), state=value, data={}))
            else:
                row.state = value

    async def get_state(self, key: StorageKey) -> str | None:
        known = known_state.get()
        if known is not None and known[0] == self._keys.build(key):
            return known[1]
        async with self._session() as session:
            row = await session.get(ConversationState, self._keys.build(key))
            return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._session() as session:
            row = await session.get(ConversationState, self._keys.build(key))
            if row is None:
                if not data:
                    return
                session.add(
                    ConversationState(key=self._keys.build(key), state=None, data=dict(data))
                )
            else:
                row.data = dict(data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._session() as session:
            row = await session.get(ConversationState, self._keys.build(key))
            return dict(row.data) if row else {}

    async def close(self) -> None:
        return None
