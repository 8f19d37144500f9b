"""Telegram's HTML parse mode, as strict as the real server.

Follows the rules of TDLib's ``parse_html``: only Telegram's tags, balanced nesting, ``<``
must be escaped, unknown ``&name;`` entities stay literal. Errors carry the server's wording
so a test sees exactly what production would answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
        "tg-spoiler", "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip
ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}
SPACES = " \t\r\n\f\v"
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is the server's."""


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and its entities (UTF-16 offsets, like the Bot API)."""
    parser = _Parser(source)
    parser.run()
    return parser.result()


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.n = len(source)
        self.out: list[str] = []
        self.stack: list[_OpenTag] = []
        self.spans: list[tuple[int, int, dict[str, Any]]] = []  # code-point start, end, entity

    def fail(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode())

    def run(self) -> None:
        i = 0
        while i < self.n:
            ch = self.src[i]
            if ch == "&":
                decoded, after = decode_entity(self.src, i)
                self.out.append(decoded or "&")
                i = after if decoded else i + 1
            elif ch != "<":
                self.out.append(ch)
                i += 1
            elif i + 1 < self.n and self.src[i + 1] == "/":
                i = self.end_tag(i)
            else:
                i = self.start_tag(i)
        if self.stack:
            name = self.stack[-1].name
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{name}"')

    def start_tag(self, begin: int) -> int:
        src, n = self.src, self.n
        i = begin + 1
        while i < n and src[i] not in SPACES and src[i] != ">":
            i += 1
        if i >= n:
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = src[begin + 1 : i].lower()
        if name not in SUPPORTED_TAGS:
            raise self.fail(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while i < n and src[i] in SPACES:
                i += 1
            if i >= n:
                raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if src[i] == ">":
                i += 1
                break
            i = self.attribute(name, begin, i, attrs)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise self.fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.stack.append(_OpenTag(name, attrs, len(self.out)))
        return i

    def attribute(self, tag: str, begin: int, i: int, attrs: dict[str, str]) -> int:
        src, n = self.src, self.n
        name_start = i
        while i < n and src[i] not in SPACES and src[i] not in "=>":
            i += 1
        attr = src[name_start:i].lower()
        if not attr:
            raise self.fail(
                f'Empty attribute name in the tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        while i < n and src[i] in SPACES:
            i += 1
        if i < n and src[i] != "=" and tag == "blockquote" and attr == "expandable":
            attrs[attr] = ""
            return i
        if i >= n or src[i] != "=":
            raise self.fail(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {self.byte_offset(begin)}"
            )
        i += 1
        while i < n and src[i] in SPACES:
            i += 1
        if i >= n:
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        if src[i] in "'\"":
            quote = src[i]
            i += 1
            value: list[str] = []
            while i < n and src[i] != quote:
                decoded, after = decode_entity(src, i) if src[i] == "&" else ("", i)
                if decoded:
                    value.append(decoded)
                    i = after
                else:
                    value.append(src[i])
                    i += 1
            if i >= n:
                raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            attrs[attr] = "".join(value)
            return i + 1
        token_start = i
        while i < n and ((src[i].isascii() and src[i].isalnum()) or src[i] in ".-"):
            i += 1
        if i >= n:
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        if src[i] not in SPACES and src[i] != ">":
            raise self.fail(
                f"Unexpected end of name token at byte offset {self.byte_offset(token_start)}"
            )
        attrs[attr] = src[token_start:i].lower()
        return i

    def end_tag(self, begin: int) -> int:
        src, n = self.src, self.n
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while i < n and src[i] not in SPACES and src[i] != ">":
            i += 1
        end_name = src[begin + 2 : i].lower()
        while i < n and src[i] in SPACES:
            i += 1
        if i >= n or src[i] != ">":
            raise self.fail(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        tag = self.stack.pop()
        if end_name and end_name != tag.name:
            raise self.fail(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{end_name}>"'
            )
        self.close(tag)
        return i + 1

    def close(self, tag: _OpenTag) -> None:
        end = len(self.out)
        if end <= tag.start:
            return
        kind = ENTITY_OF_TAG[tag.name]
        entity: dict[str, Any] = {"type": kind}
        if tag.name == "code" and self.stack and self.stack[-1].name == "pre":
            language = tag.attrs.get("class", "")
            if language.startswith("language-"):
                # <pre><code class="language-x"> is one pre entity with a language.
                self.stack[-1].language = language.removeprefix("language-")
                return
        if kind == "pre" and tag.language:
            entity["language"] = tag.language
        if kind == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        if kind == "text_link":
            url = tag.attrs.get("href") or "".join(self.out[tag.start : end])
            if not url:
                return
            entity["url"] = url
        if kind == "custom_emoji":
            entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
        self.spans.append((tag.start, end, entity))

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        return to_utf16_entities("".join(self.out), self.spans)


def decode_entity(src: str, i: int) -> tuple[str, int]:
    """Decode ``&lt;``-style and numeric references at ``i``; ``("", i)`` when not one."""
    j = i + 1
    n = len(src)
    if j < n and src[j] == "#":
        j += 1
        hexa = j < n and src[j] == "x"
        j += hexa
        digits_start = j
        allowed = "0123456789abcdefABCDEF" if hexa else "0123456789"
        while j < n and src[j] in allowed:
            j += 1
        digits = src[digits_start:j]
        code = int(digits, 16 if hexa else 10) if digits else 0
        if code == 0 or code >= 0x10FFFF or j - i >= 10:
            return "", i
        char = chr(code)
    else:
        while j < n and src[j].isascii() and src[j].isalpha():
            j += 1
        char = NAMED_ENTITIES.get(src[i + 1 : j], "")
        if not char:
            return "", i
    if j < n and src[j] == ";":
        j += 1
    return char, j


def to_utf16_entities(
    text: str, spans: list[tuple[int, int, dict[str, Any]]]
) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does and express entities in UTF-16 units."""
    stripped_left = len(text) - len(text.lstrip())
    plain = text.strip()
    entities: list[dict[str, Any]] = []
    for start, end, entity in spans:
        start = max(start - stripped_left, 0)
        end = min(end - stripped_left, len(plain))
        if end <= start:
            continue
        offset = utf16_len(plain[:start])
        length = utf16_len(plain[start:end])
        entities.append({**entity, "offset": offset, "length": length})
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return plain, entities
