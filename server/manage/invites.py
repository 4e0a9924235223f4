"""Invites: create, list and revoke, validated the same way everywhere."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import db
from db.invites import INVITE_ROLES
from server.config import Config
from server.hosting.network import secure_url
from server.identity import BoothId, is_encodable
from server.manage.errors import SetupError, user_errors

if TYPE_CHECKING:
    from db.models import InviteToken

MAX_HOURS = 8760.0  # one year
MAX_USES = 10_000
LABEL_MAX = 200
TOKEN_PREFIX = 10  # what lists show; enough to revoke by prefix
MIN_PREFIX = 6


def check_invite_options(role: str, hours: float, uses: int, label: str) -> None:
    """Raise SetupError when an invite's role, lifetime, uses or label is not acceptable."""
    if role not in INVITE_ROLES:
        raise SetupError(f"role must be one of {', '.join(INVITE_ROLES)}, not '{role}'")
    if not math.isfinite(hours) or not 0 < hours <= MAX_HOURS:
        raise SetupError(f"hours must be a number above 0 and at most {MAX_HOURS:g}")
    if not 1 <= uses <= MAX_USES:
        raise SetupError(f"uses must be a whole number from 1 to {MAX_USES}")
    if len(label) > LABEL_MAX:
        raise SetupError(f"label must be at most {LABEL_MAX} characters")
    if not is_encodable(label):
        # The label becomes the interpreter's name on every booth update.
        raise SetupError("label is not valid Unicode text")


async def create_invite(
    booth_id: str,
    role: str,
    hours: float,
    uses: int = 1,
    label: str = "",
    created_by: int | None = None,
    *,
    now: datetime | None = None,
) -> InviteToken:
    """Create an invite to a booth (interpreter) or its event's console (technician)."""
    with user_errors():
        booth = BoothId.parse(booth_id).path
        check_invite_options(role, hours, uses, label.strip())
        return await db.create_invite_token(
            booth,
            role,
            hours=hours,
            max_uses=uses,
            label=label.strip(),
            created_by_id=created_by,
            now=now,
        )


def invite_url(config: Config, token: str) -> str:
    """The join link of an invite: `{secure_url}/join/{token}`."""
    return f"{secure_url(config)}/join/{token}"


@dataclass(frozen=True)
class InviteRow:
    """One invite as lists show it."""

    token: str
    booth_id: str
    role: str
    label: str
    uses: int
    max_uses: int
    expires_at: datetime | None
    revoked_at: datetime | None
    status: str

    @property
    def token_prefix(self) -> str:
        """The start of the token: enough to recognise it and to revoke it."""
        return self.token[:TOKEN_PREFIX]


async def list_invite_rows(
    booth_id: str | None = None, *, now: datetime | None = None
) -> list[InviteRow]:
    """Invites, newest first, optionally of one booth, with their status."""
    with user_errors():
        booth = BoothId.parse(booth_id).path if booth_id is not None else None
        if booth is not None:
            await db.get_booth(booth)
        invites = await db.list_invites(booth_id=booth)
    return [
        InviteRow(
            token=i.token,
            booth_id=i.booth.path,
            role=i.role,
            label=i.label,
            uses=i.uses,
            max_uses=i.max_uses,
            expires_at=i.expires_at,
            revoked_at=i.revoked_at,
            status=db.invite_status(i, now),
        )
        for i in invites
    ]


async def find_invite(token_or_prefix: str) -> InviteToken:
    """The invite with this token, or with a unique token prefix of at least 6 characters."""
    text = token_or_prefix.strip()
    if len(text) < MIN_PREFIX:
        raise SetupError(f"give the invite's token or at least its first {MIN_PREFIX} characters")
    # SQLite's LIKE ignores case while tokens do not, so the final check is done here.
    candidates = await db.find_invites(text)
    exact = [i for i in candidates if i.token == text]
    if exact:
        return exact[0]
    matches = [i for i in candidates if i.token.startswith(text)]
    if not matches:
        raise SetupError(f"no invite with a token starting '{text}'")
    if len(matches) > 1:
        raise SetupError(f"{len(matches)} invites start with '{text}'; give more characters")
    return matches[0]


async def revoke_invite(token_or_prefix: str, *, now: datetime | None = None) -> tuple[str, bool]:
    """Revoke an invite by token or prefix; returns its token and whether it was active before."""
    with user_errors():
        invite = await find_invite(token_or_prefix)
        was_revoked = invite.revoked_at is not None
        await db.revoke_invite_token(invite.token, now=now)
    return invite.token, not was_revoked
