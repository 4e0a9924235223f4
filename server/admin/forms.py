"""Form handling for the admin pages: CSRF first, then per-field validation with messages.

Handlers read a submitted form with `submitted_form` (which refuses a missing or wrong CSRF token
and a foreign Origin with 403 before anything else happens), check each field with the same
validators the CLI uses, and on any error re-render the form with the values kept and status
400. Only a form without errors reaches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from aiohttp import web

import db
from server.auth.csrf import CSRF_FIELD, check_csrf

T = TypeVar("T")


class Form:
    """The values a person typed and the problems found in them, by field name."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self.values: dict[str, str] = dict(values or {})
        self.errors: dict[str, str] = {}

    def get(self, name: str, default: str = "") -> str:
        """The submitted text of a field (stripped), or `default`."""
        return self.values.get(name, default).strip()

    def flag(self, name: str) -> bool:
        """True when a checkbox was ticked."""
        return name in self.values and self.values[name] not in ("", "off", "0")

    def fail(self, name: str, message: str) -> None:
        """Record a problem with a field; the first one found is what the page shows."""
        self.errors.setdefault(name, message)

    def check(self, name: str, validate: Callable[[str], T]) -> T | None:
        """Run a validator on a field; on ValueError or a data error record its message."""
        try:
            return validate(self.values.get(name, ""))
        except (ValueError, db.DataError) as exc:
            self.fail(name, str(exc))
            return None

    @property
    def ok(self) -> bool:
        """True when no field has a problem."""
        return not self.errors


async def submitted_form(request: web.Request) -> Form:
    """The POSTed form, after the CSRF token and Origin check (403 when either fails)."""
    await check_csrf(request)
    data = await request.post()
    return Form({k: v for k, v in data.items() if isinstance(v, str) and k != CSRF_FIELD})


def parse_number(text: str, what: str, *, whole: bool = False) -> float:
    """A number typed into a form, or ValueError naming the field."""
    try:
        value = int(text.strip()) if whole else float(text.strip())
    except ValueError as exc:
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{what} must be {kind}") from exc
    return value
