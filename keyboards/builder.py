"""aiogram's inline keyboard builder without its copies.

``InlineKeyboardBuilder.add`` deep-copies the whole keyboard for every button it adds,
``adjust`` (through ``buttons``) and ``as_markup`` copy it once more each: a 25-student keyboard
cost several milliseconds of CPU per update in copies alone. ``KeyboardBuilder`` adds in place,
reads its own rows and hands them over; it is used once, for one keyboard, as everywhere in
``keyboards/``."""

from __future__ import annotations

from collections.abc import Generator
from itertools import chain

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder


class KeyboardBuilder(InlineKeyboardBuilder):
    def add(self, *buttons: InlineKeyboardButton) -> KeyboardBuilder:
        self._validate_buttons(*buttons)
        markup = self._markup
        rest = list(buttons)
        if markup and len(markup[-1]) < self.max_width:  # fill the last row first
            room = self.max_width - len(markup[-1])
            markup[-1].extend(rest[:room])
            rest = rest[room:]
        while rest:
            markup.append(rest[: self.max_width])
            rest = rest[self.max_width :]
        return self

    @property
    def buttons(self) -> Generator[InlineKeyboardButton, None, None]:
        yield from chain.from_iterable(self._markup)

    def as_markup(self, **kwargs: object) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=[list(row) for row in self._markup])
