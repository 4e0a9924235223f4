"""User accounts, validated the same way for the CLI, the console and the web admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

import db
from server.auth.credentials import hash_password
from server.identity import validate_display_name, validate_email
from server.manage.errors import SetupError, user_errors

if TYPE_CHECKING:
    from db.models import User

PASSWORD_MIN = 8
PASSWORD_MAX = 1024  # scrypt reads the whole password; a bound keeps a login cheap


def check_password(password: str) -> str:
    """Return the password when it is acceptable, or raise SetupError saying why not."""
    if len(password) < PASSWORD_MIN:
        raise SetupError(f"password must be at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise SetupError(f"password must be at most {PASSWORD_MAX} characters")
    return password


async def add_user(email: str, password: str, name: str = "", is_admin: bool = False) -> User:
    """Create a user account with a hashed password, or raise SetupError."""
    with user_errors():
        address = validate_email(email)
        display_name = validate_display_name(name, "name") if name.strip() else ""
        check_password(password)
        if await db.find_user_by_email(address) is not None:
            raise SetupError(f"user '{address}' already exists")
        return await db.create_user(
            address, hash_password(password), display_name, is_admin=is_admin
        )
