"""A college's own settings (``org_settings``): what happens to parents of a student who has
turned 18 (§1.6) and to the personal data of people who left (README, *Retention*).

The deployment's settings (``ADULTS__PARENTS``, ``RETENTION__LEAVERS``) are the default of
every college that has set nothing; a college sets its own value by its workbook (the
``settings`` sheet, docs/import-format.md), by its administrator in the bot (*College
settings*) or by ``journal-bot college-settings``. Every change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.errors import Invalid
from core.i18n import _
from services import policy
from services.access import Actor
from storage import audit
from storage import colleges as q
from storage.models import OrgSetting

ADULTS = "adults.parents"  # student_decides | keep | end (services/diary/adults.py)
LEAVERS = "retention.leavers"  # keep | erase (services/retention.py)
# on | off: the college's people use the journal in MAX too (docs/max.md); off, MAX accounts
# of its people are refused and get no messages, and its invites do not open in MAX.
MAX = "messenger.max"
CHOICES: dict[str, tuple[str, ...]] = {
    ADULTS: ("student_decides", "keep", "end"),
    LEAVERS: ("keep", "erase"),
    MAX: ("on", "off"),
}


@dataclass(frozen=True)
class Defaults:
    """The deployment's values: what a college that set nothing gets."""

    adults: str = "student_decides"
    leavers: str = "keep"
    max: str = "on"

    @classmethod
    def of(cls, settings: Settings) -> Defaults:
        return cls(adults=settings.adults.parents, leavers=settings.retention.leavers)

    def __getitem__(self, key: str) -> str:
        return {ADULTS: self.adults, LEAVERS: self.leavers, MAX: self.max}[key]


@dataclass(frozen=True)
class CollegeSettings:
    adults: str
    leavers: str
    own: frozenset[str]  # the keys the college set itself (others follow the default)
    max: str = "on"


def _valid(key: str, value: object) -> str | None:
    return value if isinstance(value, str) and value in CHOICES.get(key, ()) else None


async def value_of(session: AsyncSession, org_id: int, key: str, default: str) -> str:
    found = await q.setting(session, org_id, key)
    return (_valid(key, found.value.get("value")) if found else None) or default


async def values_of(
    session: AsyncSession, org_ids: Collection[int], key: str, default: str
) -> dict[int, str]:
    """Each college's value (the default for those that set nothing)."""
    stored = await q.settings_of(session, set(org_ids), key)
    return {
        org_id: _valid(key, stored.get(org_id, {}).get("value")) or default for org_id in org_ids
    }


async def colleges_with(session: AsyncSession, key: str, value: str) -> set[int]:
    """The colleges that set ``key`` to ``value`` themselves."""
    stored = await q.all_settings(session, key)
    return {org_id for org_id, v in stored.items() if v.get("value") == value}


async def of_college(session: AsyncSession, org_id: int, defaults: Defaults) -> CollegeSettings:
    stored = {key: await q.setting(session, org_id, key) for key in CHOICES}
    values = {
        key: (_valid(key, row.value.get("value")) if row else None) or defaults[key]
        for key, row in stored.items()
    }
    own = frozenset(key for key, row in stored.items() if row is not None)
    return CollegeSettings(values[ADULTS], values[LEAVERS], own, values[MAX])


async def max_on(session: AsyncSession, org_id: int) -> bool:
    """Whether the college's people use the journal in MAX (on unless it turned it off)."""
    return await value_of(session, org_id, MAX, "on") == "on"


def not_yours() -> str:
    return _("Only the college's administrator changes its settings.")


def not_a_choice() -> str:
    return _("This setting has no such value.")


async def store(
    session: AsyncSession,
    org_id: int,
    key: str,
    value: str,
    *,
    actor_id: int | None,
    source: str,
) -> bool:
    """Set the college's value, audited; False when it already had it."""
    if _valid(key, value) is None:
        raise Invalid(not_a_choice())
    row = await q.setting(session, org_id, key)
    old = row.value.get("value") if row else None
    if old == value:
        return False
    if row is None:
        row = OrgSetting(org_id=org_id, key=key, value={"value": value})
        session.add(row)
    else:
        row.value = {"value": value}
    await session.flush()
    audit.record(
        session,
        org_id=org_id,
        actor_id=actor_id,
        action="update" if old else "create",
        entity="org_setting",
        entity_id=row.id,
        old={key: old} if old else {},
        new={key: value},
        source=source,
    )
    return True


def _require(actor: Actor) -> None:
    policy.require(actor, policy.Action.MANAGE_SETTINGS, policy.Target(actor.org_id), not_yours())


async def current(session: AsyncSession, actor: Actor, defaults: Defaults) -> CollegeSettings:
    """The administrator's screen: their own college's values."""
    _require(actor)
    return await of_college(session, actor.org_id, defaults)


async def change(
    session: AsyncSession, actor: Actor, key: str, value: str, defaults: Defaults
) -> CollegeSettings:
    """The administrator sets a value of their own college in the bot."""
    _require(actor)
    await store(session, actor.org_id, key, value, actor_id=actor.person_id, source="bot")
    return await of_college(session, actor.org_id, defaults)
