"""The command line as an operator meets it: one clear line for what they can fix."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.db import create_engine, create_session_factory, migrate
from storage.models import Organisation, Person, TelegramAccount


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/journal.sqlite3")
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    return tmp_path


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TIMEZONE", "Mars/Olympus"),
        ("DEFAULT_LOCALE", "fr"),
        ("RULES__EDIT_WINDOW_DAYS", "-1"),
        ("RULES", "{not json"),
        ("DATABASE_URL", "journal.sqlite3"),
        ("TELEGRAM_API_URL", "localhost:8081"),
        ("WEBHOOK_URL", "bot.example.org/telegram"),
        ("WEBHOOK_PORT", "70000"),
    ],
)
def test_an_invalid_setting_is_one_line_naming_it(
    store: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and variable in err
    assert not (store / "journal.sqlite3").exists()


@pytest.mark.parametrize("token", ["not-a-token", "4242", "123456:short", "abc:" + "x" * 35])
def test_a_malformed_token_is_one_line_and_not_echoed(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], token: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", token)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "BOT_TOKEN" in err
    assert token not in err
    assert not (store / "journal.sqlite3").exists()


def test_webhook_mode_refuses_to_start_without_its_secret(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:" + "A" * 35)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/telegram")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "WEBHOOK_SECRET" in err
    assert not (store / "journal.sqlite3").exists()


@pytest.mark.parametrize("secret", ["has spaces", "semi;colon", "x" * 257])
def test_a_malformed_webhook_secret_is_one_line_and_not_echoed(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], secret: str
) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/telegram")
    monkeypatch.setenv("WEBHOOK_SECRET", secret)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "WEBHOOK_SECRET" in err
    assert secret not in err


def test_migrate_creates_the_store(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert (store / "journal.sqlite3").exists()
    assert "up to date" in capsys.readouterr().out


def test_import_of_a_missing_file_says_so(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(store / "nowhere.xlsx")]) == 1
    assert "File not found" in capsys.readouterr().err


def test_invites_with_an_unknown_role(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invites", "--role", "janitor", "--bot-username", "x"]) == 2
    err = capsys.readouterr().err
    assert "Unknown role" in err and "teacher" in err


def test_invites_without_a_college(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invites", "--bot-username", "x"]) == 1
    assert "No such college" in capsys.readouterr().err


def test_outbox_counts_what_failed_and_why(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert main(["outbox"]) == 0
    assert "Failed: 0" in capsys.readouterr().out
    with sqlite3.connect(store / "journal.sqlite3") as db:
        rows = [
            ("sent", ""),
            ("failed", "gave up: TelegramServerError: Bad Gateway"),
            ("failed", "recipient inactive"),
            ("failed", "recipient inactive"),
            ("pending", ""),
        ]
        for n, (status, error) in enumerate(rows):
            db.execute(
                "INSERT INTO outbox_messages (dedup_key, chat_id, kind, subject, text, status,"
                " not_before, attempts, last_error, created_at)"
                " VALUES (?, 1, 'test', '', 'x', ?, '2026-01-01 00:00:00.000000', 20, ?,"
                " '2026-01-01 00:00:00.000000')",
                (f"k{n}", status, error),
            )
    assert main(["outbox"]) == 1  # a monitor can alert on it
    out = capsys.readouterr().out
    assert "Waiting: 1 (due now: 1)" in out and "Sent: 1" in out
    assert "Failed: 3 (gave up after every attempt: 1)" in out
    assert out.index("recipient inactive") < out.index("gave up: TelegramServerError")


def test_a_batch_of_orders_by_nobody_enters_nothing(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = store / "batch"
    folder.mkdir()
    (folder / "orders.csv").write_text(
        "number,kind,order_date,student\n1-к,expulsion,16.11.2026,S0001\n", encoding="utf-8"
    )
    assert main(["orders", str(folder), "--by", "A002"]) == 1
    out = capsys.readouterr().out
    assert "The file has 1 error. No order was entered." in out
    assert "Nobody has the import key A002." in out


def test_regional_sets_and_shows_a_specialist_s_colleges(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0

    async def seed() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{store}/journal.sqlite3")
        async with create_session_factory(engine).begin() as session:
            for code in ("c1", "c2"):
                session.add(Organisation(code=code, name=f"College {code}"))
            await session.flush()
            home = await session.scalar(select(Organisation).where(Organisation.code == "c1"))
            assert home is not None
            session.add(Person(org_id=home.id, external_id="R-1", last_name="Регионова",
                               first_name="Алла"))  # fmt: skip
        await engine.dispose()

    asyncio.run(seed())
    capsys.readouterr()
    args = ["regional", "--org", "c1", "--person", "R-1"]
    assert main([*args, "--college", "c1", "--college", "c2"]) == 0
    assert capsys.readouterr().out == "Регионова Алла monitors: c1, c2\n"
    assert main([*args, "--college", "zz"]) == 1
    assert "No college with the code zz." in capsys.readouterr().err
    assert main(args) == 0  # unchanged by the refused one
    assert capsys.readouterr().out == "Регионова Алла monitors: c1, c2\n"
    assert main(["regional", "--org", "c1", "--person", "nobody", "--college", "c2"]) == 1
    assert "No person nobody in c1." in capsys.readouterr().err


def test_accounts_of_a_person_are_listed_and_one_is_revoked(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{store}/journal.sqlite3"

    async def seed() -> None:
        await migrate(url)
        engine = create_engine(url)
        async with create_session_factory(engine).begin() as session:
            org = Organisation(code="c1", name="College")
            session.add(org)
            await session.flush()
            person = Person(org_id=org.id, external_id="T001", last_name="Иванова", first_name="Е")
            session.add(person)
            await session.flush()
            session.add(
                TelegramAccount(
                    telegram_user_id=42, chat_id=42, person_id=person.id, username="phone"
                )
            )
        await engine.dispose()

    async def revoked_at() -> object:
        engine = create_engine(url)
        async with create_session_factory(engine)() as session:
            account = await session.scalar(select(TelegramAccount))
        await engine.dispose()
        assert account is not None
        return account.revoked_at

    asyncio.run(seed())
    assert main(["accounts", "list", "T001"]) == 0
    line = capsys.readouterr().out.strip()
    assert "@phone" in line
    account_id = line.split("\t")[0]
    assert main(["accounts", "revoke", account_id]) == 0
    assert "revoked" in capsys.readouterr().out
    assert asyncio.run(revoked_at()) is not None
    assert main(["accounts", "list", "T001"]) == 0
    assert "No account is linked." in capsys.readouterr().out
    assert main(["accounts", "revoke", account_id]) == 1
    assert "No such linked account" in capsys.readouterr().err
    assert main(["accounts", "list", "NOBODY"]) == 1


def test_college_settings_are_shown_and_set(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETENTION__LEAVERS", "erase")
    assert main(["migrate"]) == 0

    async def seed() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{store}/journal.sqlite3")
        async with create_session_factory(engine).begin() as session:
            session.add(Organisation(code="c1", name="College c1"))
        await engine.dispose()

    asyncio.run(seed())
    capsys.readouterr()
    assert main(["college-settings"]) == 0
    assert capsys.readouterr().out == (
        "adults.parents: student_decides (the default)\nretention.leavers: erase (the default)\n"
        "messenger.max: on (the default)\n"
    )
    assert main(["college-settings", "--org", "c1", "--adult-parents", "end"]) == 0
    assert capsys.readouterr().out == (
        "adults.parents: end (set by the college)\nretention.leavers: erase (the default)\n"
        "messenger.max: on (the default)\n"
    )
    assert main(["college-settings", "--org", "c1", "--max", "off"]) == 0
    assert "messenger.max: off (set by the college)" in capsys.readouterr().out
    assert main(["college-settings", "--org", "zz"]) == 1
    assert "No such college" in capsys.readouterr().err
