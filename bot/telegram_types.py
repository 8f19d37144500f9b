"""aiogram's Telegram types built on first use instead of all at import.

At import aiogram builds the validators of all its ~440 Telegram types (``model_rebuild`` with
the names their annotations refer to), which took about 100 MB of the process's memory and
three seconds of start-up, though the journal meets a few dozen of those types. Here the
import records the names instead and leaves them in each type's module, so pydantic builds a
type the first time one is read or made, resolving its annotations the same way.
"""

from __future__ import annotations

import sys
from typing import Any

from pydantic import BaseModel


def import_telegram_types_lazily() -> bool:
    """Import ``aiogram.types`` with its types left to build on first use. False when it was
    imported already (then they are built, and nothing changes)."""
    if "aiogram.types" in sys.modules:
        return False
    original = BaseModel.__dict__["model_rebuild"]
    namespaces: list[dict[str, Any]] = []

    def record(cls: type[BaseModel], *args: Any, **kwargs: Any) -> bool | None:
        namespace = kwargs.get("_types_namespace")
        if namespace is None or args:
            return original.__func__(cls, *args, **kwargs)
        namespaces.append(namespace)
        return None

    BaseModel.model_rebuild = classmethod(record)  # type: ignore[method-assign,assignment]
    try:
        import aiogram.types  # noqa: F401
    finally:
        BaseModel.model_rebuild = original  # type: ignore[method-assign]
    names = namespaces[0] if namespaces else {}
    for name, module in list(sys.modules.items()):
        if name.startswith("aiogram.types.") and module is not None:
            for key, value in names.items():
                module.__dict__.setdefault(key, value)
    return True
