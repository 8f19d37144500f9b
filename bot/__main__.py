"""``python -m bot`` is ``journal-bot run`` (other subcommands work too)."""

import sys

from bot.cli import main

sys.exit(main(sys.argv[1:] or ["run"]))
