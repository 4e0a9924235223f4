"""The one error every setup operation raises, with a message fit to show a user as it is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from db.errors import DataError

__all__ = ["DataError", "SetupError", "user_errors"]


class SetupError(ValueError):
    """A setup operation was refused; nothing was changed. The message says why."""


@contextmanager
def user_errors(prefix: str = "") -> Iterator[None]:
    """Turn validation and data-layer errors into SetupError, optionally prefixed."""
    try:
        yield
    except SetupError as exc:
        if not prefix:
            raise
        raise SetupError(f"{prefix}{exc}") from exc
    except (ValueError, DataError) as exc:
        raise SetupError(f"{prefix}{exc}") from exc
