"""Settings from the environment and an optional ``.env`` file.

Nested groups use ``__`` in variable names (``REMINDERS__HOUR=9``); the top-level names the
README documents (``BOT_TOKEN``, ``DATABASE_URL`` …) stay flat because operators type them.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DB_PATH = Path("data") / "journal.sqlite3"
SUPPORTED_LOCALES = ("ru", "en")
# What @BotFather hands out: the bot's numeric id, a colon, then the secret part.
TOKEN_PATTERN = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{20,}")
# Telegram's secret_token of setWebhook: 1-256 characters, letters, digits, _ and -.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class JournalRules(BaseModel):
    """Knobs of the journal's own rules."""

    # Staff working days after a lesson; never shorter than R1 plus a working day (see
    # services/calendar/edit_window.py).
    edit_window_days: int = Field(7, ge=0, le=365)
    invite_ttl_days: int = Field(30, ge=1, le=365)
    invite_attempts_per_hour: int = Field(5, ge=1, le=100)


class Reminders(BaseModel):
    """Hours (college time) at which the scheduler sends deadline digests
    (services/reminders/deadlines.py
    says which rule goes in which). Only on working days."""

    teacher_hour: time = time(8, 0)  # registers, topics, period grades, work programmes
    # Lessons of the day still without a topic (due that day).
    teacher_evening_hour: time = time(17, 0)
    curator_hour: time = time(8, 30)  # unexplained absences, absence documents
    admin_hour: time = time(9, 0)  # accounts of newly enrolled people and new staff
    deputy_weekday: int = Field(0, ge=0, le=6)  # Monday = 0: the weekly overdue digest
    deputy_hour: time = time(9, 0)
    scan_minutes: int = Field(5, ge=1, le=120)


class Notifications(BaseModel):
    """Parents' and students' notifications. Times are in the college's time zone."""

    # Messages that fall in the quiet hours wait for their end; they are never dropped.
    quiet_from: time = time(22, 0)
    quiet_to: time = time(7, 0)
    # A teacher's correction within this window merges into one message with the final value.
    merge_minutes: int = Field(2, ge=0, le=60)
    digest_hour: time = time(19, 0)
    weekly_weekday: int = Field(6, ge=0, le=6)  # Monday = 0; the weekly summary's day
    scan_seconds: int = Field(10, ge=1, le=600)  # how often new journal events are read
    # Telegram allows 30 a second overall; a little under it keeps clear of 429s.
    send_per_second: int = Field(29, ge=1, le=30)
    # A message failing with server or network errors this many times is marked failed
    # (backing off up to 15 minutes, 20 attempts span about three hours of outage).
    send_attempts: int = Field(20, ge=1, le=100)
    # Several processes on one PostgreSQL (docs/replicas.md): a message the sender took is
    # another's only after this many seconds without renewal (its process died); a standby
    # process asks this often whether the sender is gone.
    lease_seconds: int = Field(60, ge=3, le=3600)
    election_seconds: int = Field(5, ge=1, le=300)


class Retention(BaseModel):
    """What the daily clean-up removes and when (README, *Retention*). Days count from
    delivery (outbox texts), processing (event payloads), the last change (conversation
    drafts) or the attempt (failed invite attempts)."""

    hour: time = time(3, 0)  # college time
    # At least 8: the weekly summaries read the week's processed events.
    delivered_days: int = Field(30, ge=8, le=3650)
    drafts_days: int = Field(7, ge=1, le=365)
    invite_attempts_days: int = Field(30, ge=1, le=365)
    # People who left (no role for ``leavers_days``): ``keep`` their personal data, or
    # ``erase`` contacts and birth date and drop their Telegram accounts; names stay on the
    # journal's records, which the college keeps by its archive rules.
    leavers: Literal["keep", "erase"] = "keep"
    leavers_days: int = Field(365, ge=0, le=3650)


class Adults(BaseModel):
    """Parents of a student who has turned 18 (§1.6): ``student_decides`` (default: the
    student allows or stops it on one screen; until they allow it, parents see nothing dated
    after the birthday), ``keep`` (parents keep access) or ``end`` (access ends at 18)."""

    parents: Literal["student_decides", "keep", "end"] = "student_decides"


class WebApp(BaseModel):
    """The journal grid opened inside Telegram (a Mini App, docs/deploy.md). In webhook mode
    the webhook's server serves it; with long polling the bot listens on ``host``:``port``
    for it. Telegram opens only https addresses, so a proxy with a certificate stands in
    front of either."""

    host: str = "127.0.0.1"
    port: int = Field(8081, ge=1, le=65535)
    # A signed sign-in older than this is refused: the page must be opened again.
    max_age_minutes: int = Field(120, ge=1, le=7 * 24 * 60)
    # Requests one person may make in a minute; more are answered 429.
    per_minute: int = Field(120, ge=5, le=10_000)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: SecretStr | None = None
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DB_PATH}"
    telegram_api_url: str | None = None
    # MAX (docs/max.md): with MAX_BOT_TOKEN set the bot answers in MAX as well (or only there
    # when BOT_TOKEN is not set); MAX_API_URL for tests and self-hosting.
    max_bot_token: SecretStr | None = None
    max_api_url: str = "https://platform-api.max.ru"
    # Webhook mode for MAX: MAX posts updates to this public address, a proxy forwards them
    # to WEBHOOK_HOST:MAX_WEBHOOK_PORT, with MAX_WEBHOOK_SECRET in MAX's header; long polling
    # otherwise.
    max_webhook_url: str | None = None
    max_webhook_secret: SecretStr | None = Field(None, validate_default=True)
    max_webhook_port: int = Field(8081, ge=1, le=65535)
    timezone: str = "Asia/Sakhalin"
    default_locale: str = "ru"
    polling_timeout: int = Field(30, ge=0, le=50)
    # Webhook mode (docs/deploy.md) when WEBHOOK_URL is set: Telegram posts updates to that
    # public address, a proxy forwards them to WEBHOOK_HOST:WEBHOOK_PORT; long polling otherwise.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(None, validate_default=True)
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(8080, ge=1, le=65535)
    # The public https address of the journal grid (the Mini App), e.g.
    # https://journal.example.org/app/; without it there are no grid buttons.
    webapp_url: str | None = None
    webapp: WebApp = WebApp()

    rules: JournalRules = JournalRules()
    reminders: Reminders = Reminders()
    notifications: Notifications = Notifications()
    retention: Retention = Retention()
    adults: Adults = Adults()

    @field_validator("bot_token")
    @classmethod
    def _token_format(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_PATTERN.fullmatch(value.get_secret_value()):
            # The value itself is a secret: the message never quotes it.
            raise ValueError("not a bot token (digits, a colon, the secret, from @BotFather)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            if info.data.get("webhook_url"):
                # Without it anyone who finds the address could post updates as any person.
                raise ValueError("required when WEBHOOK_URL is set (1-256 of A-Z a-z 0-9 _ -)")
            return None
        if not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("1-256 characters, only A-Z a-z 0-9 _ and -")
        return value

    @field_validator("max_webhook_secret")
    @classmethod
    def _max_webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            if info.data.get("max_webhook_url"):
                raise ValueError("required when MAX_WEBHOOK_URL is set (5-256 of A-Z a-z 0-9 _ -)")
            return None
        if not re.fullmatch(r"[A-Za-z0-9_-]{5,256}", value.get_secret_value()):
            raise ValueError("5-256 characters, only A-Z a-z 0-9 _ and -")
        return value

    @field_validator(
        "telegram_api_url", "webhook_url", "webapp_url", "max_api_url", "max_webhook_url"
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError("must be an http:// or https:// address")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # Operators paste plain URLs; the store needs the async drivers.
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            value = "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        try:
            make_url(value)
        except ArgumentError:
            raise ValueError("not a database URL") from None
        return value

    @property
    def telegram_on(self) -> bool:
        return self.bot_token is not None

    @property
    def max_on(self) -> bool:
        return self.max_bot_token is not None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the variable."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "__".join(str(part) for part in first["loc"]).upper()
        raise SettingsError(f"{name}: {first['msg']}") from None
    except SourceError as exc:  # a nested group that is not valid JSON, say
        field = re.search(r'field "(\w+)"', str(exc))
        name = field[1].upper() if field else "settings"
        raise SettingsError(f"{name}: not valid JSON") from None
