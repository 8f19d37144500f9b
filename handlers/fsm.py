"""aiogram FSM storage on the journal's own store (SQLite or PostgreSQL), so conversations
survive a restart without requiring Redis."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import ConversationState


class StoreFSMStorage(BaseStorage):
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._sessions = session_factory
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._sessions.begin() as session:
            row = await session.get(ConversationState, self._keys.build(key))
            if row is None:
                if value is None:
                    return
                session.add(ConversationState(key=self._keys.build(key), state=value, data={}))
            else:
                row.state = value

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._sessions() as session:
            row = await session.get(ConversationState, self._keys.build(key))
            return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._sessions.begin() as session:
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
        async with self._sessions() as session:
            row = await session.get(ConversationState, self._keys.build(key))
            return dict(row.data) if row else {}

    async def close(self) -> None:
        return None
