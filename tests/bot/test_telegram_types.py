"""What the process holds once started: aiogram's Telegram types are built when first used
(bot/telegram_types.py), and each one must still build, with every name its annotations use;
openpyxl, numpy and matplotlib wait for the first sheet or chart. Run in a fresh interpreter,
where importing the bot is the first thing that imports aiogram, as in ``journal-bot run``."""

from __future__ import annotations

import subprocess
import sys

BUILD_EACH = """
import sys
import bot, aiogram.types as t, bot.app, bot.jobs, bot.cli
print(sorted(m for m in ("openpyxl", "numpy", "matplotlib") if m in sys.modules))
from pydantic import BaseModel
kinds = [getattr(t, n) for n in t.__all__]
kinds = [k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)]
print(sum(1 for k in kinds if k.__pydantic_complete__), len(kinds))
failed = []
for kind in kinds:
    try:
        kind.model_rebuild(force=True, raise_errors=True)
    except Exception as exc:
        failed.append(f"{kind.__name__}: {exc}")
print(sum(1 for k in kinds if k.__pydantic_complete__))
print("\\n".join(failed) or "none failed")
update = t.Update.model_validate(
    {"update_id": 1, "message": {"message_id": 2, "date": 0, "text": "hi",
     "chat": {"id": 3, "type": "private"}, "from": {"id": 3, "is_bot": False, "first_name": "A"}}}
)
print(update.message.text)
"""


def test_telegram_types_wait_for_first_use_and_each_then_builds() -> None:
    out = subprocess.run(
        [sys.executable, "-c", BUILD_EACH], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out.pop(0) == "[]"  # the spreadsheet and chart libraries wait for their first sheet
    built_at_import, total = map(int, out[0].split())
    assert total > 300
    assert built_at_import < total // 4  # only what the bot's own modules made at import
    assert int(out[1]) == total
    assert out[2] == "none failed"
    assert out[3] == "hi"
