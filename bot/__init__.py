"""journal-bot's composition root: the bot, the dispatcher, the scheduled jobs, the CLI."""
