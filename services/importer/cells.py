"""Reading the cells of one row: text, numbers, dates, times, choices, lists.

A cell that is not what its column wants adds a located error and reads as None, so the
validator goes on and reports every problem of the file at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar

from core.i18n import _

from .report import RowError

T = TypeVar("T")

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::\d{2})?$")
_PHONE = re.compile(r"^\+?[\d\s()\-]{5,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIST_SPLIT = re.compile(r"[;,]")


def norm(value: str) -> str:
    """Lower case, single spaces, ё as е: how choices and aliases are compared."""
    return " ".join(value.lower().replace("ё", "е").split())


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a text column: 1001.0 → "1001"
    if isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    return str(value).strip()


class Row:
    def __init__(self, sheet: str, number: int, cells: dict[str, Any], errors: list[RowError]):
        self.sheet = sheet
        self.number = number
        self.cells = cells
        self.errors = errors
        self.failed = False

    def error(self, column: str | None, message: str) -> None:
        self.failed = True
        self.errors.append(RowError(self.sheet, self.number, column, message))

    def raw(self, column: str) -> Any:
        return self.cells.get(column)

    def _required(self, column: str) -> None:
        self.error(column, _("A value is required."))

    def text(self, column: str, *, required: bool = False, limit: int = 255) -> str | None:
        value = self.raw(column)
        if value is None:
            if required:
                self._required(column)
            return None
        text = " ".join(_as_text(value).split())
        if len(text) > limit:
            self.error(column, _("The text is longer than {limit} characters.").format(limit=limit))
            return None
        return text

    def integer(
        self, column: str, *, required: bool = False, low: int = 0, high: int = 10_000
    ) -> int | None:
        value = self.raw(column)
        if value is None:
            if required:
                self._required(column)
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            number = None
        elif isinstance(value, float):
            number = int(value) if value.is_integer() else None
        else:
            text = str(value).strip()
            number = int(text) if re.fullmatch(r"[+-]?\d+", text) else None
        if number is None:
            self.error(column, _("“{value}” is not a whole number.").format(value=value))
            return None
        if not low <= number <= high:
            self.error(
                column,
                _("{value} is out of range: expected {low} to {high}.").format(
                    value=number, low=low, high=high
                ),
            )
            return None
        return number

    def day(self, column: str, *, required: bool = False) -> date | None:
        value = self.raw(column)
        if value is None:
            if required:
                self._required(column)
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _as_text(value)
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.error(
            column,
            _("“{value}” is not a date: write it as 2026-09-01 or 01.09.2026.").format(value=text),
        )
        return None

    def clock(self, column: str, *, required: bool = False) -> time | None:
        value = self.raw(column)
        if value is None:
            if required:
                self._required(column)
            return None
        if isinstance(value, datetime):
            return value.time()
        if isinstance(value, time):
            return value
        text = _as_text(value)
        match = _TIME.match(text)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
        self.error(column, _("“{value}” is not a time: write it as 08:30.").format(value=text))
        return None

    def choice(self, column: str, aliases: Mapping[str, T], *, required: bool = False) -> T | None:
        """One of a fixed set; ``aliases`` maps normalised spellings to values."""
        text = self.text(column, required=required)
        if text is None:
            return None
        found = aliases.get(norm(text))
        if found is None:
            self.bad_choice(column, text, aliases)
        return found

    def bad_choice(self, column: str, text: str, aliases: Mapping[str, Any]) -> None:
        allowed = ", ".join(dict.fromkeys(str(v) for v in aliases.values()))
        self.error(
            column,
            _("“{value}” is not one of: {allowed}.").format(value=text, allowed=allowed),
        )

    def items(self, column: str, *, required: bool = False) -> list[str]:
        """A list cell: values separated by ``;`` or ``,``."""
        text = self.text(column, required=required, limit=10_000)
        if not text:
            return []
        items = [item.strip() for item in _LIST_SPLIT.split(text)]
        return list(dict.fromkeys(item for item in items if item))

    def phone(self, column: str) -> str | None:
        text = self.text(column, limit=32)
        if text and not _PHONE.match(text):
            self.error(column, _("“{value}” is not a phone number.").format(value=text))
            return None
        return text

    def email(self, column: str) -> str | None:
        text = self.text(column, limit=128)
        if text and not _EMAIL.match(text):
            self.error(column, _("“{value}” is not an e-mail address.").format(value=text))
            return None
        return text
