"""Domain rules and use cases. Nothing here knows about Telegram."""
