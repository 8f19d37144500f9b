"""Run the real bot (``python -m bot``) as a child process against the fake server."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from .server import FakeBotAPI

REPO_ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """``async with BotProcess(api, env={"DATABASE_URL": url}) as proc:`` — the bot is polling.

    ``TELEGRAM_API_URL`` and ``BOT_TOKEN`` point at ``api`` unless ``env`` says otherwise; the
    rest of the environment is inherited. Start-up is over at the bot's first ``getUpdates``,
    or its ``setWebhook`` when ``env`` has ``WEBHOOK_URL`` (an event, not a guess);
    ``start_timeout`` only bounds a failure, and is generous because a loaded machine may take
    long to import and migrate. On exit the bot gets SIGTERM, and SIGKILL after
    ``stop_timeout`` seconds (generous too: a stop lets the sender finish the messages it is
    sending, and a loaded machine is slow at that). ``stdout``/``stderr`` hold everything it
    printed.
    """

    def __init__(
        self,
        api: FakeBotAPI,
        *,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = ("run",),
        cwd: Path | str = REPO_ROOT,
        start_timeout: float = 120.0,
        stop_timeout: float = 30.0,
    ) -> None:
        self.api = api
        self.env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "TELEGRAM_API_URL": api.base_url,
            "BOT_TOKEN": api.token,
            **(env or {}),
        }
        self.args = list(args)
        self.cwd = Path(cwd)
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.process: asyncio.subprocess.Process | None = None
        self._out = bytearray()
        self._err = bytearray()
        self._readers: list[asyncio.Task[None]] = []
        self._printed = asyncio.Event()  # set whenever the bot prints something

    @property
    def stdout(self) -> str:
        return self._out.decode(errors="replace")

    @property
    def stderr(self) -> str:
        return self._err.decode(errors="replace")

    @property
    def returncode(self) -> int | None:
        return self.process.returncode if self.process else None

    async def start(self) -> BotProcess:
        mark = len(self.api.requests)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *self.args,
            env=self.env,
            cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            asyncio.create_task(_drain(self.process.stdout, self._out, self._printed)),
            asyncio.create_task(_drain(self.process.stderr, self._err, self._printed)),
        ]
        await self._until_polling(mark)
        return self

    async def _until_polling(self, mark: int) -> None:
        assert self.process is not None
        first = "setWebhook" if self.env.get("WEBHOOK_URL") else "getUpdates"
        polling = asyncio.create_task(
            self.api.wait_for_call(first, after=mark, within=self.start_timeout)
        )
        exited = asyncio.create_task(self.process.wait())
        await asyncio.wait({polling, exited}, return_when=asyncio.FIRST_COMPLETED)
        if polling.done() and not polling.cancelled() and polling.exception() is None:
            exited.cancel()
            return
        polling.cancel()
        if not exited.done():
            exited.cancel()
            await self.stop()
            raise RuntimeError(
                f"the bot did not start polling in {self.start_timeout} s:\n{self.stderr[-4000:]}"
            )
        await asyncio.gather(*self._readers)
        raise RuntimeError(
            f"the bot exited with code {self.process.returncode} before polling:\n"
            f"{self.stderr[-4000:]}"
        )

    async def wait_for_output(self, text: str, *, within: float = 60.0) -> None:
        """Return once the bot has printed ``text`` (to either stream)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while text not in self.stderr and text not in self.stdout:
            self._printed.clear()
            try:
                await asyncio.wait_for(self._printed.wait(), deadline - loop.time())
            except TimeoutError:
                raise AssertionError(f"the bot did not print {text!r} in {within} s") from None

    def kill(self) -> None:
        """SIGKILL: the process ends at once, as in a crash."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    async def stop(self) -> int:
        """SIGTERM, then SIGKILL if the bot outlives ``stop_timeout``; returns the exit code."""
        process = self.process
        if process is None:
            return 0
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), self.stop_timeout)
            except TimeoutError:
                process.kill()
                await process.wait()
        await asyncio.gather(*self._readers)
        return process.returncode if process.returncode is not None else -1

    async def __aenter__(self) -> BotProcess:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def _drain(stream: asyncio.StreamReader, into: bytearray, printed: asyncio.Event) -> None:
    while chunk := await stream.read(65536):
        into.extend(chunk)
        printed.set()


def free_port() -> int:
    """A TCP port nobody listens on now, for a bot in webhook mode to listen on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
