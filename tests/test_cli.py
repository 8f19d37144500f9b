"""The command line as an operator meets it: one clear line for what they can fix."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.db import create_engine, create_session_factory
from storage.models import Organisation, Person


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
