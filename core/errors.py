"""Refusals a use case raises: the message is already translated and polite, so a handler shows
``str(exc)`` as it is."""

from __future__ import annotations


class JournalError(Exception):
    """A use case refused; ``message`` (and ``str(exc)``) is what the user is told."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Denied(JournalError):
    """The actor may not do this: not their lesson, not their college, a closed period…"""


class Conflict(JournalError):
    """Someone else changed the same thing at the same moment: nothing was saved."""


class Invalid(JournalError):
    """The input cannot be stored: an empty topic, hours out of range, an unknown grade…"""
