"""``journal-bot``: run the bot, migrate the store, import a college, export invites, see and
revoke a person's linked accounts.

Errors an operator can fix (a missing setting, a bad file) end with one clear line and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from core.config import Settings, SettingsError, load_settings
from core.i18n import _, create_i18n, ngettext, use_locale

EXIT_USAGE = 2
EXIT_FAILED = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="journal-bot", description="College journal bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (migrates the store first)")
    sub.add_parser("migrate", help="create or upgrade the store")
    imp = sub.add_parser("import", help="import a college from an XLSX workbook or CSV folder")
    imp.add_argument("path", type=Path)
    inv = sub.add_parser("invites", help="export one-time invite links")
    inv.add_argument("--org", help="college code (needed when the store holds several)")
    inv.add_argument("--group", action="append", default=[], help="only this group (repeatable)")
    inv.add_argument("--role", action="append", default=[], help="only this role (repeatable)")
    inv.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    inv.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    inv.add_argument(
        "--unlinked", action="store_true", help="only people who do not use the bot yet"
    )
    inv.add_argument("--bot-username", help="bot username for the links (default: ask Telegram)")
    acc = sub.add_parser("accounts", help="a person's linked Telegram accounts")
    acc_sub = acc.add_subparsers(dest="accounts_command", required=True)
    acc_list = acc_sub.add_parser("list", help="the accounts linked to a person")
    acc_list.add_argument("person", help="the person's ID from the import (external_id)")
    acc_list.add_argument("--org", help="college code (needed when the store holds several)")
    acc_revoke = acc_sub.add_parser("revoke", help="revoke one account (refused from then on)")
    acc_revoke.add_argument("account", type=int, help="the account's number from `list`")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"journal-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    create_i18n(settings.default_locale)
    with use_locale(settings.default_locale):
        try:
            return asyncio.run(_dispatch(command, args, settings))
        except CliError as exc:
            print(f"journal-bot: {exc}", file=sys.stderr)
            return exc.code
        except KeyboardInterrupt:
            return 0


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


async def _dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "run":
        if settings.bot_token is None:
            raise CliError(
                _("BOT_TOKEN is not set: create a bot with @BotFather and set BOT_TOKEN."),
                EXIT_USAGE,
            )
        from bot.app import run

        await run(settings)
        return 0
    from storage.db import migrate

    await migrate(settings.database_url)
    if command == "migrate":
        print(_("The store is up to date."))
        return 0
    if command == "import":
        if not await asyncio.to_thread(args.path.exists):
            raise CliError(_("File not found: {path}").format(path=args.path))
        return await _import(args.path, settings)
    if command == "invites":
        return await _invites(args, settings)
    if command == "accounts":
        return await _accounts(args, settings)
    raise CliError(f"unknown command {command}", EXIT_USAGE)


async def _import(path: Path, settings: Settings) -> int:
    from services.importer import import_college, render_report
    from storage.db import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    try:
        report = await import_college(create_session_factory(engine), path)
    finally:
        await engine.dispose()
    print(render_report(report))
    return EXIT_FAILED if report.errors else 0


async def _invites(args: argparse.Namespace, settings: Settings) -> int:
    from screens import invite_sheet as sheet_file
    from services.people import invite_sheet
    from storage import colleges
    from storage.db import create_engine, create_session_factory
    from storage.models import Role, utcnow

    try:
        roles = [Role(r) for r in args.role]
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise CliError(
            _("Unknown role. Known roles: {names}").format(names=names), EXIT_USAGE
        ) from None
    username = args.bot_username or await _bot_username(settings)
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            org = await colleges.pick(session, args.org)
            if org is None:
                raise CliError(
                    _("No such college in the store; import one first, or name it with --org.")
                )
            rows = await invite_sheet.build_rows(
                session,
                org.id,
                bot_username=username,
                now=utcnow(),
                ttl=timedelta(days=settings.rules.invite_ttl_days),
                tz=settings.tz,
                roles=roles,
                group_names=args.group,
                unlinked_only=args.unlinked,
            )
            await session.commit()
    finally:
        await engine.dispose()
    data = sheet_file.to_xlsx(rows) if args.format == "xlsx" else sheet_file.to_csv(rows)
    if args.output:
        await asyncio.to_thread(args.output.write_bytes, data)
        print(
            ngettext(
                "{count} invite link written to {path}",
                "{count} invite links written to {path}",
                len(rows),
            ).format(count=len(rows), path=args.output)
        )
    elif args.format == "xlsx":
        raise CliError(_("An XLSX sheet needs --output FILE."), EXIT_USAGE)
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
    return 0


async def _accounts(args: argparse.Namespace, settings: Settings) -> int:
    from services.people import accounts
    from storage import colleges
    from storage.db import create_engine, create_session_factory
    from storage.models import utcnow

    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            if args.accounts_command == "revoke":
                account = await accounts.revoke_by_operator(session, args.account, now=utcnow())
                if account is None:
                    raise CliError(_("No such linked account."))
                await session.commit()
                print(_("Account {id} revoked.").format(id=args.account))
                return 0
            org = await colleges.pick(session, args.org)
            if org is None:
                raise CliError(
                    _("No such college in the store; import one first, or name it with --org.")
                )
            found = await accounts.person_accounts(session, org.id, args.person)
            if found is None:
                raise CliError(_("No such person: {id}").format(id=args.person))
            for item in found:
                state = "" if item.active else _(" (has blocked the bot)")
                name = f"@{item.username}" if item.username else "-"
                when = item.linked_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
                print(f"{item.id}\t{name}\t{when}{state}")
            if not found:
                print(_("No Telegram account is linked."))
    finally:
        await engine.dispose()
    return 0


async def _bot_username(settings: Settings) -> str:
    if settings.bot_token is None:
        raise CliError(_("Set BOT_TOKEN or pass --bot-username to build the links."), EXIT_USAGE)
    from bot.app import create_bot

    bot = create_bot(settings)
    try:
        me = await bot.get_me()
    except Exception as exc:  # network, bad token: the operator needs one line
        raise CliError(
            _("Could not ask Telegram for the bot's name: {error}").format(error=exc)
        ) from None
    finally:
        await bot.session.close()
    return me.username or ""
