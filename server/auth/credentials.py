"""Passwords and tokens.

Passwords are hashed with scrypt (memory-hard, in the standard library) and a per-user salt.
Tokens are JWTs pinned to HS256 that always carry `exp`, `iat`, a type (`typ`) and a scope.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

ALGORITHM = "HS256"
TOKEN_TYPES = ("user", "booth", "listener", "floor", "feed")
REQUIRED_CLAIMS = ["exp", "iat", "sub", "typ", "scope"]

# 16 MiB and ~50 ms per hash on a small machine: slow to brute-force, quick enough to log in.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_DKLEN = 32


class TokenError(Exception):
    """A token was refused; subclasses say why."""


class TokenInvalid(TokenError):
    """Malformed, or the signature does not match (tampered or signed with another key)."""


class TokenExpired(TokenError):
    """The token's `exp` has passed."""


class TokenAlgorithmRejected(TokenError):
    """The token names an algorithm other than HS256 (including `none`)."""


class TokenMissingClaim(TokenError):
    """A required claim such as `exp` is absent."""


class TokenWrongType(TokenError):
    """A valid token of another type than the one asked for."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """Hash a password with scrypt and a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_DKLEN
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches the stored hash; the comparison takes constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def new_signing_key() -> str:
    """A fresh random HS256 signing key (384 bits)."""
    return secrets.token_urlsafe(48)


def _encode(claims: dict[str, Any], key: str, lifetime: timedelta, now: datetime | None) -> str:
    issued = now or datetime.now(UTC)
    payload = {
        **claims,
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
    }
    return jwt.encode(payload, key, algorithm=ALGORITHM)


def create_user_token(
    user_id: int,
    email: str,
    display_name: str,
    is_admin: bool,
    *,
    key: str,
    hours: float = 12,
    now: datetime | None = None,
) -> str:
    """A login token for a user account."""
    claims = {
        "sub": str(user_id),
        "typ": "user",
        "scope": "user",
        "user": True,
        "email": email,
        "name": display_name,
        "is_admin": is_admin,
    }
    return _encode(claims, key, timedelta(hours=hours), now)


def create_booth_token(
    participant_id: str,
    booth_id: str,
    role: str,
    display_name: str,
    *,
    key: str,
    hours: float = 12,
    now: datetime | None = None,
    own_name: bool = False,
) -> str:
    """A session token from an invite: `scope` is the booth id, `role` interpreter/technician.

    `own_name` marks a holder who names themselves (their invite had no label); `display_name`
    is then only the name shown until they do.
    """
    claims: dict[str, Any] = {
        "sub": participant_id,
        "typ": "booth",
        "scope": booth_id,
        "role": role,
        "name": display_name,
    }
    if own_name:
        claims["own_name"] = True
    return _encode(claims, key, timedelta(hours=hours), now)


def create_listener_token(
    event: str, room: str, *, key: str, hours: float = 12, now: datetime | None = None
) -> str:
    """A listener token for one room; `scope` is `event/room`."""
    claims = {
        "sub": f"listener:{secrets.token_hex(8)}",
        "typ": "listener",
        "scope": f"{event}/{room}",
    }
    return _encode(claims, key, timedelta(hours=hours), now)


def create_floor_token(
    participant_id: str,
    floor_path: str,
    display_name: str,
    *,
    key: str,
    hours: float = 0.25,
    now: datetime | None = None,
) -> str:
    """A floor page's WHIP token: `scope` is the floor path `event/room/floor`."""
    claims = {"sub": participant_id, "typ": "floor", "scope": floor_path, "name": display_name}
    return _encode(claims, key, timedelta(hours=hours), now)


def create_feed_token(
    floor_path: str, *, key: str, hours: float = 24 * 30, now: datetime | None = None
) -> str:
    """The kiosk's own floor publisher (ffmpeg started by MediaMTX): RTSP from loopback only.

    Long-lived because it sits in `mediamtx.yml` for as long as MediaMTX runs; every start and
    every change of the floor source writes a fresh one.
    """
    claims = {"sub": "kiosk:floor-feed", "typ": "feed", "scope": floor_path}
    return _encode(claims, key, timedelta(hours=hours), now)


def decode_token(token: str, *, key: str, expected_type: str | None = None) -> dict[str, Any]:
    """Verify a token and return its claims; raise a TokenError subclass that says why not."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": REQUIRED_CLAIMS}
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired("the token has expired") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise TokenAlgorithmRejected("the token is not signed with HS256") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise TokenMissingClaim(f"the token lacks the '{exc.claim}' claim") from exc
    except jwt.InvalidTokenError as exc:
        raise TokenInvalid("the token is malformed or its signature does not match") from exc
    if claims["typ"] not in TOKEN_TYPES:
        raise TokenWrongType(f"unknown token type '{claims['typ']}'")
    if expected_type is not None and claims["typ"] != expected_type:
        raise TokenWrongType(f"a {claims['typ']} token where a {expected_type} token is needed")
    return claims
