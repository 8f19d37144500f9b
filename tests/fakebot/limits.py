"""Telegram's flood limits for sending messages, answered with 429 and ``retry_after``."""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass

from .state import ApiError


@dataclass(frozen=True)
class RateLimits:
    """The published limits (https://core.telegram.org/bots/faq#broadcasting-to-users)."""

    overall_per_second: int = 30
    private_per_second: int = 1
    group_per_minute: int = 20


class RateLimiter:
    """Sliding windows of accepted messages: overall, per private chat, per group chat."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self.overall: deque[float] = deque()
        self.per_chat: dict[int, deque[float]] = {}
        self.hits: Counter[str] = Counter()  # 429s sent, by which limit was exceeded

    def take(self, chat_id: int, now: float) -> None:
        """Count one message to ``chat_id`` or raise the 429 the real server would send."""
        group = chat_id < 0
        window = 60.0 if group else 1.0
        allowed = self.limits.group_per_minute if group else self.limits.private_per_second
        chat = self.per_chat.setdefault(chat_id, deque())
        _prune(self.overall, now - 1.0)
        _prune(chat, now - window)
        if len(self.overall) >= self.limits.overall_per_second:
            self._refuse("overall", self.overall[0] + 1.0 - now)
        if len(chat) >= allowed:
            self._refuse("group" if group else "private", chat[0] + window - now)
        self.overall.append(now)
        chat.append(now)

    def _refuse(self, which: str, wait: float) -> None:
        self.hits[which] += 1
        retry_after = max(1, math.ceil(wait))
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def _prune(times: deque[float], older_than: float) -> None:
    while times and times[0] <= older_than:
        times.popleft()
