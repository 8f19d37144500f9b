"""journal-bot's composition root: the bot, the dispatcher, the scheduled jobs, the CLI."""

from bot.telegram_types import import_telegram_types_lazily

import_telegram_types_lazily()  # before anything else imports aiogram
