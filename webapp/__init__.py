"""The journal grid as a Telegram Mini App: the web adapter beside the chat's handlers.

``auth`` signs a request in by the Mini App's ``initData``; ``pages`` renders what the page
shows (server-side, escaped); ``app`` is the routes, mounted on the bot's aiohttp
application (webhook mode) or on a port of its own (long polling); ``static/`` holds the
page's plain script and styles, with no build step.
"""
