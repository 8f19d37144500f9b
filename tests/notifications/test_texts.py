"""Long texts split into valid parts; quiet hours and digest times in the college's zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from core.textsplit import split_html, visible_length
from services.notifications.quiet_hours import latest_local, release_time
from tests.fakebot import parse_html

SAKHALIN = ZoneInfo("Asia/Sakhalin")  # UTC+11


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SAKHALIN).astimezone(UTC)


def test_short_text_is_left_alone() -> None:
    assert split_html("<b>5</b> &amp; 4", 10) == ["<b>5</b> &amp; 4"]
    assert visible_length("<b>5</b> &amp; 4 😀") == 8  # the emoji is two UTF-16 units


def test_parts_break_at_line_ends_and_reopen_tags() -> None:
    text = "<b>" + "\n".join(f"line {n} &lt;x&gt;" for n in range(20)) + "</b>"
    parts = split_html(text, 60)
    assert len(parts) > 1
    plain = [parse_html(part) for part in parts]  # each part is valid HTML on its own
    assert all(len(text) <= 60 for text, _ in plain)
    assert all(entities[0]["type"] == "bold" for _, entities in plain)
    assert "\n".join(text.strip() for text, _ in plain) == parse_html(text)[0]


def test_a_line_without_breaks_is_cut_at_spaces_or_anywhere() -> None:
    words = " ".join(["word"] * 50)
    parts = split_html(words, 64)
    assert all(visible_length(p) <= 64 for p in parts)
    assert " ".join(p.strip() for p in parts) == words
    solid = "x" * 150
    assert [len(p) for p in split_html(solid, 64)] == [64, 64, 22]


def test_quiet_hours_hold_until_their_end() -> None:
    quiet = (time(22, 0), time(7, 0))
    assert release_time(local(17, 21, 59), SAKHALIN, *quiet) == local(17, 21, 59)
    assert release_time(local(17, 22, 0), SAKHALIN, *quiet) == local(18, 7, 0)
    assert release_time(local(18, 3, 0), SAKHALIN, *quiet) == local(18, 7, 0)
    assert release_time(local(18, 7, 0), SAKHALIN, *quiet) == local(18, 7, 0)
    lunch = (time(13, 0), time(14, 0))
    assert release_time(local(18, 13, 30), SAKHALIN, *lunch) == local(18, 14, 0)
    assert release_time(local(18, 3, 0), SAKHALIN, time(7), time(7)) == local(18, 3, 0)


def test_the_latest_digest_moment() -> None:
    assert latest_local(local(17, 19, 5), SAKHALIN, time(19)) == local(17, 19)
    assert latest_local(local(17, 18, 0), SAKHALIN, time(19)) == local(16, 19)
    # 17 November 2026 is a Tuesday; the Sunday before is the 15th.
    assert latest_local(local(17, 12), SAKHALIN, time(19), weekday=6) == local(15, 19)
