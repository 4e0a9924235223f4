"""Errors raised by the data layer; each says what was not found or not allowed."""

from __future__ import annotations


class DataError(Exception):
    """Base of every data-layer error; the message is fit to show a user."""


class NotFound(DataError):
    """The named record does not exist."""


class AlreadyExists(DataError):
    """A record with the same unique name exists already."""


class InviteError(DataError):
    """An invite token could not be redeemed."""


class InviteNotFound(InviteError):
    """No invite has this token."""


class InviteUsedUp(InviteError):
    """The invite has been used as many times as it allows."""


class InviteRevoked(InviteError):
    """The invite was revoked."""


class InviteExpired(InviteError):
    """The invite's expiry time has passed."""
