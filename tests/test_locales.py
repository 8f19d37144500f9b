"""The catalogs are current: every string in the code is in both catalogs, Russian is fully
translated, placeholders survive translation, and the committed .mo files match the .po."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from core import LOCALES_DIR, PROJECT_ROOT

KEYWORDS = {"_": None, "__": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _code_messages() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers", "keyboards", "services", "storage"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            PROJECT_ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _po(locale: str):
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_catalog_has_every_message(locale: str) -> None:
    catalog = _po(locale)
    missing = sorted(m for m in _code_messages() if m not in catalog)
    assert not missing, f"run scripts/locales.sh; missing in {locale}: {missing[:10]}"


def test_russian_is_complete_and_keeps_placeholders() -> None:
    problems = []
    for message in _po("ru"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) - wanted - set(PLACEHOLDER.findall(ids[-1])):
                problems.append(f"unknown placeholder in {text!r}")
            if not wanted <= set(PLACEHOLDER.findall(text)) and len(strings) == 1:
                problems.append(f"lost placeholder in {text!r}")
    assert not problems, problems[:10]


def _key(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list | tuple) else (str(value),)


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_compiled_catalog_matches_po(locale: str) -> None:
    mo_path = Path(LOCALES_DIR / locale / "LC_MESSAGES" / "messages.mo")
    with mo_path.open("rb") as handle:
        compiled = read_mo(handle)
    po = _po(locale)
    expected = {
        _key(m.id): _key(m.string) for m in po if m.id and all(_key(m.string)) and not m.fuzzy
    }
    actual = {_key(m.id): _key(m.string) for m in compiled if m.id and all(_key(m.string))}
    # pybabel compiles an untranslated plural as its msgid forms: not a translation.
    fallbacks = {k for k, v in actual.items() if set(v) <= set(k) and k not in expected}
    assert {k: v for k, v in actual.items() if k not in fallbacks} == expected, (
        "run scripts/locales.sh to compile the catalogs"
    )
