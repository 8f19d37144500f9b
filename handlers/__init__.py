"""Routers in the order they are tried. ``common`` ends with catch-alls, so it goes last."""

from aiogram import Router


def get_routers() -> list[Router]:
    from handlers import common, menu, start

    return [start.router, menu.router, common.router]
