"""Invite tokens: created by technicians, redeemed exactly as often as they allow."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from db.connection import utcnow
from db.errors import InviteExpired, InviteNotFound, InviteRevoked, InviteUsedUp, NotFound
from db.models import Booth, InviteToken

INVITE_ROLES = ("interpreter", "technician")
TOKEN_BYTES = 24  # 192 random bits, comfortably above the 128 the design asks for


def new_invite_token() -> str:
    """A fresh URL-safe token that never starts with '-'.

    A leading dash would make `voxbento-kiosk invite revoke TOKEN` read the token as an option.
    Redrawing costs about one bit of the 192.
    """
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if not token.startswith("-"):
            return token


async def create_invite_token(
    booth_id: str,
    role: str,
    *,
    hours: float | None = None,
    max_uses: int = 1,
    label: str = "",
    created_by_id: int | None = None,
    now: datetime | None = None,
) -> InviteToken:
    """Create an invite to a booth (interpreter) or to its event's console (technician)."""
    if role not in INVITE_ROLES:
        raise ValueError(f"role must be one of {', '.join(INVITE_ROLES)}, not '{role}'")
    if max_uses < 1:
        raise ValueError("uses must be at least 1")
    if hours is not None and hours <= 0:
        raise ValueError("hours must be more than 0")
    booth = await Booth.get_or_none(path=booth_id)
    if booth is None:
        raise NotFound(f"no booth '{booth_id}'")
    expires_at = (now or utcnow()) + timedelta(hours=hours) if hours is not None else None
    return await InviteToken.create(
        token=new_invite_token(),
        booth=booth,
        role=role,
        label=label,
        expires_at=expires_at,
        max_uses=max_uses,
        created_by_id=created_by_id,
    )


async def redeem_invite_token(token: str, *, now: datetime | None = None) -> InviteToken:
    """Use one redemption of `token` and return it with its booth, room and event loaded.

    The check and the increment are one conditional UPDATE, so concurrent redemptions of a
    multi-use token never succeed more often than it allows. The returned invite's `uses` is
    this redemption's own number (1 for the first, 2 for the second...): it is read in the
    same transaction as the UPDATE, so no concurrent redemption can slip in between and two
    redemptions never see the same number. Only when the UPDATE matches no row do we read
    the token to say why.
    """
    now = now or utcnow()
    redeemable = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    async with in_transaction():
        updated = (
            await InviteToken.filter(token=token, revoked_at__isnull=True, uses__lt=F("max_uses"))
            .filter(redeemable)
            .update(uses=F("uses") + 1)
        )
        invite = await InviteToken.get_or_none(token=token).select_related("booth__room__event")
    if invite is None:
        raise InviteNotFound("this invite does not exist")
    if updated:
        return invite
    if invite.revoked_at is not None:
        raise InviteRevoked("this invite was revoked")
    if invite.expires_at is not None and invite.expires_at <= now:
        raise InviteExpired("this invite has expired")
    raise InviteUsedUp("this invite has already been used")


async def get_invite(token: str) -> InviteToken:
    """The invite with this token, booth loaded, or InviteNotFound."""
    invite = await InviteToken.get_or_none(token=token).select_related("booth__room__event")
    if invite is None:
        raise InviteNotFound("this invite does not exist")
    return invite


async def find_invites(token_start: str) -> list[InviteToken]:
    """Invites whose token starts with `token_start`, in one query.

    SQLite compares this prefix without case while tokens have case: callers compare again.
    """
    return await InviteToken.filter(token__startswith=token_start).order_by("id")


async def get_event_invite(event_id: int, invite_id: int) -> InviteToken:
    """The invite `invite_id` if it belongs to the event, booth loaded, or InviteNotFound."""
    invite = await InviteToken.get_or_none(
        id=invite_id, booth__room__event_id=event_id
    ).select_related("booth__room__event")
    if invite is None:
        raise InviteNotFound("this invite does not exist")
    return invite


async def invite_withdrawn(invite_id: int) -> bool:
    """Whether the invite is revoked or gone: checked on every use of a session it opened."""
    rows = await InviteToken.filter(id=invite_id).values_list("revoked_at", flat=True)
    return not rows or rows[0] is not None


async def list_invites(
    *, booth_id: str | None = None, event_slug: str | None = None
) -> list[InviteToken]:
    """Invites, newest first, optionally of one booth or one event."""
    query = InviteToken.all()
    if booth_id is not None:
        query = query.filter(booth__path=booth_id)
    if event_slug is not None:
        query = query.filter(booth__room__event__slug=event_slug)
    return await query.order_by("-created_at", "-id").prefetch_related("booth__room__event")


async def revoke_invite_token(token: str, *, now: datetime | None = None) -> InviteToken:
    """Revoke an invite; revoking twice keeps the first revocation time."""
    invite = await get_invite(token)
    if invite.revoked_at is None:
        invite.revoked_at = now or utcnow()
        await invite.save(update_fields=["revoked_at"])
    return invite


async def invite_revocations() -> dict[int, bool]:
    """Every invite id with whether it is revoked: one query, for the in-memory access view."""
    rows = await InviteToken.all().values_list("id", "revoked_at")
    return {int(invite_id): revoked_at is not None for invite_id, revoked_at in rows}


def invite_status(invite: InviteToken, now: datetime | None = None) -> str:
    """One word for lists: active, used, revoked or expired."""
    now = now or utcnow()
    if invite.revoked_at is not None:
        return "revoked"
    if invite.expires_at is not None and invite.expires_at <= now:
        return "expired"
    if invite.uses >= invite.max_uses:
        return "used"
    return "active"
