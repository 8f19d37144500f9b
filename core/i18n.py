"""Translations and locale-aware formatting, for every layer.

Every user-visible string goes through ``_`` (``gettext``), ``__`` (lazy, for module-level
constants) or ``ngettext``. The locale is a context variable: the Telegram adapter sets it per
update from the person's choice, the command line and background jobs wrap their work in
``with use_locale("ru"):``. Catalogs are gettext ``.mo`` files under ``locales/``.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from babel.support import LazyProxy

from core import LOCALES_DIR
from core.config import SUPPORTED_LOCALES

__all__ = [
    "I18n",
    "LazyProxy",
    "_",
    "__",
    "create_i18n",
    "current_locale",
    "fmt_date",
    "fmt_time",
    "ngettext",
    "use_locale",
]

DOMAIN = "messages"
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}

_current: ContextVar[I18n | None] = ContextVar("journal_i18n", default=None)


class I18n:
    """The compiled catalogs and the locale of the running context."""

    def __init__(self, *, path: Path = LOCALES_DIR, default_locale: str = "ru") -> None:
        self.default_locale = default_locale
        self._locale: ContextVar[str] = ContextVar("journal_locale", default=default_locale)
        self.locales: dict[str, _gettext.GNUTranslations] = {}
        for folder in sorted(Path(path).iterdir()):
            mo_path = folder / "LC_MESSAGES" / f"{DOMAIN}.mo"
            if mo_path.exists():
                with mo_path.open("rb") as fp:
                    self.locales[folder.name] = _gettext.GNUTranslations(fp)

    @property
    def current_locale(self) -> str:
        return self._locale.get()

    @contextmanager
    def use_locale(self, locale: str) -> Iterator[None]:
        token = self._locale.set(locale)
        try:
            yield
        finally:
            self._locale.reset(token)

    @property
    def available_locales(self) -> tuple[str, ...]:
        return tuple(self.locales)

    def gettext(
        self, singular: str, plural: str | None = None, n: int = 1, locale: str | None = None
    ) -> str:
        translator = self.locales.get(locale or self.current_locale)
        if translator is None:
            return singular if plural is None or n == 1 else plural
        if plural is None:
            return translator.gettext(singular)
        return translator.ngettext(singular, plural, n)

    @classmethod
    def get_current(cls) -> I18n:
        found = _current.get()
        if found is None:
            raise LookupError("no catalogs loaded: call create_i18n() first")
        return found


_fallback: I18n | None = None


def create_i18n(default_locale: str = "ru") -> I18n:
    """Load the catalogs and make them the current ones (for this context and its children)."""
    global _fallback
    i18n = I18n(default_locale=default_locale)
    _current.set(i18n)
    _fallback = i18n
    return i18n


def _i18n() -> I18n:
    found = _current.get() or _fallback
    if found is None:
        return create_i18n()
    return found


def gettext(singular: str) -> str:
    return _i18n().gettext(singular)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _i18n().gettext(singular, plural, n)


def lazy_gettext(singular: str) -> LazyProxy:
    return LazyProxy(gettext, singular, enable_cache=False)


_ = gettext
__ = lazy_gettext


def current_locale() -> str:
    return _i18n().current_locale


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    i18n = _i18n()
    if locale not in SUPPORTED_LOCALES:
        locale = i18n.default_locale
    with i18n.use_locale(locale):
        yield


def fmt_date(value: date | datetime, fmt: str = "d MMMM, EEE") -> str:
    """``28 ноября, сб`` / ``28 November, Sat``."""
    day = value.date() if isinstance(value, datetime) else value
    return _formatted_date(day, fmt, current_locale())


@lru_cache(maxsize=4096)
def _formatted_date(day: date, fmt: str, locale: str) -> str:
    # Babel's formatting costs ~25 µs; digests and diaries format the same days again and again.
    return _babel_date(day, fmt, locale=locale)


def fmt_time(value: time | datetime) -> str:
    return _babel_time(value, "HH:mm", locale=current_locale())
