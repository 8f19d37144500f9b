"""The command line as an operator meets it: one clear line for what they can fix."""

from __future__ import annotations

import asyncio
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
    [("TIMEZONE", "Mars/Olympus"), ("DEFAULT_LOCALE", "fr"), ("RULES__EDIT_WINDOW_DAYS", "-1")],
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
    assert "No Telegram account is linked." in capsys.readouterr().out
    assert main(["accounts", "revoke", account_id]) == 1
    assert "No such linked account" in capsys.readouterr().err
    assert main(["accounts", "list", "NOBODY"]) == 1
