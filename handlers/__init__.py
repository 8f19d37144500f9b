"""Routers in the order they are tried. Each module's ``create_router`` builds a fresh router
(a router can belong to one dispatcher only, and tests build many). The commands come first;
the catch-alls for what nothing else took come last."""

from aiogram import Router


def get_routers() -> list[Router]:
    from handlers import (
        accounts,
        announcements,
        attestation,
        college_settings,
        common,
        curator,
        diary,
        distance,
        documents,
        grades,
        group_overview,
        handover,
        justification,
        lesson_details,
        lessons,
        menu,
        messengers,
        monitoring,
        notifications,
        orders,
        parent_access,
        region,
        start,
    )

    return [
        common.create_router(),
        start.create_router(),
        menu.create_router(),
        lessons.create_router(),
        grades.create_router(),
        lesson_details.create_router(),
        diary.create_router(),
        attestation.create_router(),
        documents.create_router(),
        notifications.create_router(),
        messengers.create_router(),
        curator.create_router(),
        group_overview.create_router(),
        justification.create_router(),
        accounts.create_router(),
        handover.create_router(),
        distance.create_router(),
        parent_access.create_router(),
        college_settings.create_router(),
        announcements.create_router(),
        orders.create_router(),
        monitoring.create_router(),
        region.create_router(),
        common.create_fallback_router(),
    ]
