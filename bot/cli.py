"""``journal-bot``: run the bot, migrate the store, import a college, enter a batch of movement
orders, export invites, see how the outbox is doing, see and revoke a person's linked accounts,
see and set a college's own settings.

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
    orders = sub.add_parser("orders", help="enter a batch of movement orders from a file")
    orders.add_argument("path", type=Path)
    orders.add_argument(
        "--by", required=True, help="import key (external_id) of the person entering them"
    )
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
    inv.add_argument(
        "--max-bot-username",
        help="the bot's name in MAX for a second link per person (default: ask MAX when "
        "MAX_BOT_TOKEN is set)",
    )
    sub.add_parser("outbox", help="messages queued, sent and failed, with the failures' reasons")
    reg = sub.add_parser(
        "regional",
        help="show or set the colleges a regional specialist monitors",
    )
    reg.add_argument("--org", required=True, help="the specialist's own college (code)")
    reg.add_argument("--person", required=True, help="the specialist's ID in that college")
    reg.add_argument(
        "--college",
        action="append",
        default=[],
        help="a college of the region (code, repeatable); sets the whole scope",
    )
    cs = sub.add_parser("college-settings", help="show or set a college's own settings")
    cs.add_argument("--org", help="college code (needed when the store holds several)")
    cs.add_argument(
        "--adult-parents",
        choices=("student_decides", "keep", "end"),
        help="parents of a student who has turned 18",
    )
    cs.add_argument(
        "--leavers-data", choices=("keep", "erase"), help="personal data of people who left"
    )
    cs.add_argument(
        "--max", choices=("on", "off"), help="the college's people use the journal in MAX too"
    )
    acc = sub.add_parser("accounts", help="a person's linked Telegram and MAX accounts")
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
        if settings.bot_token is None and settings.max_bot_token is None:
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
    if command == "orders":
        if not await asyncio.to_thread(args.path.exists):
            raise CliError(_("File not found: {path}").format(path=args.path))
        return await _orders(args.path, args.by, settings)
    if command == "invites":
        return await _invites(args, settings)
    if command == "outbox":
        return await _outbox(settings)
    if command == "regional":
        return await _regional(args, settings)
    if command == "accounts":
        return await _accounts(args, settings)
    if command == "college-settings":
        return await _college_settings(args, settings)
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


async def _orders(path: Path, by: str, settings: Settings) -> int:
    from services.importer.orders import import_orders
    from storage.db import create_engine, create_session_factory
    from storage.models import utcnow

    engine = create_engine(settings.database_url)
    try:
        report = await import_orders(create_session_factory(engine), path, by, now=utcnow())
    finally:
        await engine.dispose()
    if report.errors:
        n = len(report.errors)
        print(
            ngettext(
                "The file has {n} error. No order was entered.",
                "The file has {n} errors. No order was entered.",
                n,
            ).format(n=n)
        )
        for error in report.errors:
            print(f"• {error}")
        return EXIT_FAILED
    print(
        ngettext("{n} order entered.", "{n} orders entered.", report.entered).format(
            n=report.entered
        )
    )
    return 0


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
    username, other = await _link_bots(args, settings)
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
                other_bot=other,
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


async def _outbox(settings: Settings) -> int:
    """Exit code 1 when messages gave up after every attempt: a monitor can watch for it."""
    from storage import outbox
    from storage.db import create_engine, create_session_factory
    from storage.models import utcnow

    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as session:
            counts = await outbox.status_counts(session, utcnow())
            reasons = await outbox.failure_reasons(session)
    finally:
        await engine.dispose()
    print(
        _(
            "Waiting: {pending} (due now: {due})\n"
            "Sent: {sent}\n"
            "Merged into a later message: {merged}\n"
            "Failed: {failed} (gave up after every attempt: {gave_up})"
        ).format(**counts)
    )
    if reasons:
        print(_("Most frequent reasons of failure:"))
        for reason, n in reasons:
            print(f"  {n:>6}  {reason}")
    return EXIT_FAILED if counts["gave_up"] else 0


async def _regional(args: argparse.Namespace, settings: Settings) -> int:
    from core.errors import JournalError
    from services.monitoring import region
    from storage.db import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            try:
                if args.college:
                    person, scope = await region.assign(
                        session, args.org, args.person, args.college
                    )
                else:
                    person, scope = await region.scope_of(session, args.org, args.person)
            except JournalError as exc:
                raise CliError(exc.message) from None
            name, codes = person.full_name, ", ".join(org.code for org in scope)
    finally:
        await engine.dispose()
    if codes:
        print(_("{name} monitors: {codes}").format(name=name, codes=codes))
    else:
        print(_("{name} monitors no college.").format(name=name))
    return 0


async def _college_settings(args: argparse.Namespace, settings: Settings) -> int:
    from services import college_settings as cs
    from storage.colleges import pick
    from storage.db import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine).begin() as session:
            org = await pick(session, args.org)
            if org is None:
                raise CliError(_("No such college; give its code with --org."))
            chosen = (
                (cs.ADULTS, args.adult_parents),
                (cs.LEAVERS, args.leavers_data),
                (cs.MAX, args.max),
            )
            for key, value in chosen:
                if value:
                    await cs.store(session, org.id, key, value, actor_id=None, source="cli")
            found = await cs.of_college(session, org.id, cs.Defaults.of(settings))
    finally:
        await engine.dispose()
    for key, value in ((cs.ADULTS, found.adults), (cs.LEAVERS, found.leavers), (cs.MAX, found.max)):
        whose = _("set by the college") if key in found.own else _("the default")
        print(f"{key}: {value} ({whose})")
    return 0


async def _link_bots(args: argparse.Namespace, settings: Settings) -> tuple[str, str]:
    """The bot addresses of the sheet's links: Telegram's (or MAX's, when the journal runs
    in MAX only), and MAX's as the second link of each row when it runs in both."""
    from core.messenger import Messenger, bot_address

    max_name = args.max_bot_username or (
        await _max_bot_username(settings) if settings.max_on else ""
    )
    if args.bot_username or settings.bot_token is not None or not max_name:
        telegram = args.bot_username or await _bot_username(settings)
        other = bot_address(Messenger.MAX, max_name) if max_name else ""
        return telegram, other
    return bot_address(Messenger.MAX, max_name), ""


async def _max_bot_username(settings: Settings) -> str:
    from bot.max.session import MaxSession

    assert settings.max_bot_token is not None
    session = MaxSession(settings.max_bot_token.get_secret_value(), None, settings.max_api_url)
    try:
        return await session.username()
    except Exception as exc:  # network, bad token: the operator needs one line
        raise CliError(
            _("Could not ask MAX for the bot's name: {error}").format(error=exc)
        ) from None
    finally:
        await session.close()


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
                if item.messenger.value == "max":
                    name = f"MAX {name}"
                when = item.linked_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
                print(f"{item.id}\t{name}\t{when}{state}")
            if not found:
                print(_("No account is linked."))
    finally:
        await engine.dispose()
    return 0
