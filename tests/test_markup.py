"""The markup helper: a template's values are escaped once, pieces already made are kept, and
what comes out is HTML Telegram takes, reading as the values were typed."""

from __future__ import annotations

from screens.markup import bold, format_html, join, link, oneline, text
from tests.fakebot import parse_html

NAME = '<a href="https://x.ru">Ив&амп;</a> \'O\' > "1"'


def test_values_are_escaped_and_read_as_typed() -> None:
    made = format_html("<b>{}</b> · {group}", NAME, group="<i>ИС-21</i>")
    assert "<a " not in made and "<i>" not in made
    shown, entities = parse_html(made)
    assert shown == f"{NAME} · <i>ИС-21</i>"
    assert entities == [{"type": "bold", "offset": 0, "length": len(NAME)}]


def test_pieces_made_here_are_not_escaped_twice() -> None:
    made = format_html("{}: {}", bold(NAME), join([text("&"), "&"], " "))
    assert parse_html(made)[0] == f"{NAME}: & &"
    assert "&amp;amp;" not in made


def test_a_plain_string_joined_in_is_escaped() -> None:
    made = join(["<b>", bold("x")])
    assert parse_html(made) == ("<b>\nx", [{"type": "bold", "offset": 4, "length": 1}])


def test_a_name_on_one_line_and_a_link() -> None:
    assert oneline(" Иванов\n  <Иван> ") == "Иванов &lt;Иван&gt;"
    shown, [entity] = parse_html(link('https://x.ru/?a=1&b="2"', "<сайт>"))
    assert shown == "<сайт>"
    assert entity["url"] == 'https://x.ru/?a=1&b="2"'
