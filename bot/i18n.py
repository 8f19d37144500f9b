"""Translations and locale-aware formatting.

Every user-visible string goes through ``_`` (``gettext``), ``__`` (lazy, for module-level
constants) or ``ngettext``. The same catalogs serve the bot (locale per user, chosen by
``UserLocaleMiddleware``) and the command line (locale from ``DEFAULT_LOCALE``): wrap CLI work
in ``with use_locale("ru"):``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from functools import lru_cache

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time

from bot import LOCALES_DIR
from bot.config import SUPPORTED_LOCALES

__all__ = ["I18n", "_", "__", "create_i18n", "fmt_date", "fmt_time", "ngettext", "use_locale"]

DOMAIN = "messages"
LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}


def create_i18n(default_locale: str = "ru") -> I18n:
    i18n = I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)
    I18n.set_current(i18n)
    return i18n


def current_locale() -> str:
    try:
        return I18n.get_current().current_locale
    except LookupError:
        return "ru"


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    try:
        i18n = I18n.get_current()
    except LookupError:
        i18n = create_i18n(locale)
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
