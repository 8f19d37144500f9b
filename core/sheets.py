"""Text bound for a spreadsheet a person will open.

A cell starting with ``= + - @`` (or a tab or carriage return) is read by Excel and
LibreOffice as a formula, and a formula can read the cell beside it — a secret invite link —
and send it anywhere. Every exported cell goes through ``neutralise``: such text gets a leading
apostrophe, the spreadsheets' own mark for "this is text" (OWASP's advice for CSV injection).
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    return [neutralise(value) for value in values]
