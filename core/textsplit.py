"""Splitting a long HTML message into parts Telegram accepts (4096 characters each).

Telegram counts the text after its HTML is parsed, in UTF-16 code units. Parts break at a line
end when one is in the second half of the part, else at a space, else anywhere; tags open at a
break are closed at the end of the part and opened again at the start of the next one, so
every part is valid HTML on its own.
"""

from __future__ import annotations

import re

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|.", re.S)


def _width(token: str) -> int:
    """Visible UTF-16 length of a token: tags none, an entity one character."""
    if token.startswith("<") and len(token) > 1:
        return 0
    if token.startswith("&") and len(token) > 1:
        return 1
    return len(token.encode("utf-16-le")) // 2


def visible_length(text: str) -> int:
    return sum(_width(token) for token in _TOKEN.findall(text))


def _tag_name(tag: str) -> str:
    return tag.strip("</>").split(maxsplit=1)[0].lower() if tag.strip("</>") else ""


def _closing(stack: list[str]) -> str:
    return "".join(f"</{_tag_name(tag)}>" for tag in reversed(stack))


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    if visible_length(text) <= limit:
        return [text]
    tokens = _TOKEN.findall(text)
    parts: list[str] = []
    opening: list[str] = []  # tags open where the current part starts
    i = 0
    while i < len(tokens):
        stack, length = list(opening), 0
        line_break: tuple[int, list[str]] | None = None
        space: tuple[int, list[str]] | None = None
        j = i
        while j < len(tokens):
            token, width = tokens[j], _width(tokens[j])
            if width == 0 and token.startswith("</"):
                if stack:
                    stack.pop()
            elif width == 0:
                stack.append(token)
            elif length + width > limit:
                break
            else:
                length += width
                half = length >= limit // 2
                if token == "\n" and half:
                    line_break = (j + 1, list(stack))
                elif token == " " and half:
                    space = (j + 1, list(stack))
            j += 1
        if j == len(tokens):
            parts.append("".join(opening) + "".join(tokens[i:]))
            break
        cut, open_at_cut = line_break or space or (j, stack)
        parts.append("".join(opening) + "".join(tokens[i:cut]) + _closing(open_at_cut))
        opening, i = open_at_cut, cut
    return [part for part in parts if part.strip()]
