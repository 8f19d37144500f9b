"""The one place the bot's HTML is made.

Texts use Telegram's small subset (b, i, u, s, code, pre, a href, blockquote). A template is
the bot's own words, translated; every value put into it (a name from the store, what a person
typed, a number) is escaped on the way in, so it always reads as text and never as markup.
Pieces already made here are ``Markup`` and are not escaped twice.

    format_html(_("Welcome, {name}!"), name=person.first_name)
    join([bold(title), format_html("{} · {}", group, discipline)])
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

__all__ = ["Markup", "bold", "format_html", "join", "link", "oneline", "strike", "text"]


def format_html(template: str, /, *args: object, **kwargs: object) -> Markup:
    """``template`` with ``{}`` fields filled by escaped values."""
    return Markup(template).format(*args, **kwargs)


def text(value: object) -> Markup:
    """A value as text: its ``<``, ``&``, ``>`` and quotes escaped."""
    return escape(value)


def oneline(value: str) -> Markup:
    """A name from the store on one line, escaped."""
    return escape(" ".join(value.split()))


def join(parts: Iterable[str], separator: str = "\n") -> Markup:
    """The parts one after another; plain strings among them are escaped."""
    return Markup(separator).join(parts)


def bold(value: object) -> Markup:
    return format_html("<b>{}</b>", value)


def strike(value: object) -> Markup:
    return format_html("<s>{}</s>", value)


def link(url: str, label: object) -> Markup:
    return format_html('<a href="{}">{}</a>', url, label)
