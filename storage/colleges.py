"""Queries about colleges (organisations)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Organisation, OrgSetting


async def pick(session: AsyncSession, code: str | None) -> Organisation | None:
    """The college with ``code``; without a code, the only college in the store (or None)."""
    if code:
        return await session.scalar(select(Organisation).where(Organisation.code == code))
    found = (await session.scalars(select(Organisation).limit(2))).all()
    return found[0] if len(found) == 1 else None


async def setting(session: AsyncSession, org_id: int, key: str) -> OrgSetting | None:
    return await session.scalar(
        select(OrgSetting).where(OrgSetting.org_id == org_id, OrgSetting.key == key)
    )


async def settings_of(
    session: AsyncSession, org_ids: Collection[int], key: str
) -> dict[int, dict[str, Any]]:
    """The stored value of ``key`` for each of the colleges that has one."""
    if not org_ids:
        return {}
    rows = await session.execute(
        select(OrgSetting.org_id, OrgSetting.value).where(
            OrgSetting.key == key, OrgSetting.org_id.in_(list(org_ids))
        )
    )
    return {org_id: value for org_id, value in rows.all()}


async def all_settings(session: AsyncSession, key: str) -> dict[int, dict[str, Any]]:
    rows = await session.execute(
        select(OrgSetting.org_id, OrgSetting.value).where(OrgSetting.key == key)
    )
    return {org_id: value for org_id, value in rows.all()}
