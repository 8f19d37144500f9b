"""The clock. Everything is stored in UTC; a college's zone applies only when shown or when
a rule counts days. Handlers take ``clock`` from the dispatcher, so tests stand on a chosen day."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)
