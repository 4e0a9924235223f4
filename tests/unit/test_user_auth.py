"""Passwords and tokens (server/auth/credentials.py): scrypt hashes, HS256 JWTs with pinned algorithm."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from server.auth import credentials as auth
from server.auth.credentials import (
    TokenAlgorithmRejected,
    TokenError,
    TokenExpired,
    TokenInvalid,
    TokenMissingClaim,
    TokenWrongType,
    create_booth_token,
    create_listener_token,
    create_user_token,
    decode_token,
    hash_password,
    new_signing_key,
    verify_password,
)

KEY = new_signing_key()


def _now() -> int:
    return int(datetime.now(UTC).timestamp())


def _signed(claims: dict[str, Any], algorithm: str = "HS256", key: str = KEY) -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _claims(**overrides: Any) -> dict[str, Any]:
    base = {"sub": "1", "typ": "user", "scope": "user", "iat": _now(), "exp": _now() + 600}
    return {**base, **overrides}


def test_password_hash_verifies_the_password() -> None:
    stored = hash_password("correct horse")
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong horse", stored)


def test_same_password_gets_a_different_salt_each_time() -> None:
    first, second = hash_password("same"), hash_password("same")
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]


def test_password_hash_is_scrypt_with_memory_hard_parameters() -> None:
    scheme, n, r, p, _, _ = hash_password("pw").split("$")
    assert scheme == "scrypt"
    assert int(n) * int(r) * 128 >= 16 * 1024 * 1024  # at least 16 MiB per hash
    assert int(p) >= 1


def test_password_check_uses_a_constant_time_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert verify_password("pw", hash_password("pw"))
    assert len(calls) == 1


@pytest.mark.parametrize("stored", ["", "plain", "md5$1$2$3$x$y", "scrypt$x$8$1$AA$AA"])
def test_malformed_or_foreign_hash_never_verifies(stored: str) -> None:
    assert not verify_password("pw", stored)


def test_user_token_round_trips_its_claims() -> None:
    claims = decode_token(create_user_token(1, "a@b.com", "Alice", False, key=KEY), key=KEY)
    assert claims["sub"] == "1"
    assert claims["user"] is True
    assert claims["is_admin"] is False
    assert (claims["typ"], claims["email"], claims["name"]) == ("user", "a@b.com", "Alice")


def test_user_token_carries_admin_flag() -> None:
    token = create_user_token(7, "root@b.com", "Root", True, key=KEY)
    assert decode_token(token, key=KEY, expected_type="user")["is_admin"] is True


def test_token_has_issued_and_expiry_times() -> None:
    now = datetime.now(UTC)
    claims = decode_token(create_user_token(1, "a@b.com", "A", False, key=KEY, hours=2), key=KEY)
    assert claims["exp"] - claims["iat"] == 7200
    assert abs(claims["iat"] - now.timestamp()) < 5


def test_booth_token_is_scoped_to_its_booth() -> None:
    token = create_booth_token("invite:3", "pycon/main/en", "interpreter", "Ana", key=KEY)
    claims = decode_token(token, key=KEY, expected_type="booth")
    assert (claims["sub"], claims["scope"], claims["role"]) == (
        "invite:3",
        "pycon/main/en",
        "interpreter",
    )


def test_listener_token_is_scoped_to_its_room() -> None:
    claims = decode_token(create_listener_token("pycon", "main", key=KEY), key=KEY)
    assert (claims["typ"], claims["scope"]) == ("listener", "pycon/main")
    assert claims["sub"].startswith("listener:")


def test_tampered_token_is_invalid() -> None:
    token = create_user_token(1, "a@b.com", "A", False, key=KEY)
    header, payload, signature = token.split(".")
    forged = _signed(_claims(is_admin=True), key="another key entirely, 32+ bytes long!")
    with pytest.raises(TokenInvalid):
        decode_token(f"{header}.{forged.split('.')[1]}.{signature}", key=KEY)


def test_token_signed_with_another_key_is_invalid() -> None:
    with pytest.raises(TokenInvalid):
        decode_token(_signed(_claims(), key=new_signing_key()), key=KEY)


def test_garbage_is_invalid() -> None:
    with pytest.raises(TokenInvalid):
        decode_token("not.a.token", key=KEY)


def test_expired_token_is_refused() -> None:
    past = datetime.now(UTC) - timedelta(hours=3)
    token = create_user_token(1, "a@b.com", "A", False, key=KEY, hours=1, now=past)
    with pytest.raises(TokenExpired):
        decode_token(token, key=KEY)


def test_token_of_the_wrong_type_is_refused() -> None:
    token = create_listener_token("pycon", "main", key=KEY)
    with pytest.raises(TokenWrongType, match="a listener token where a user token is needed"):
        decode_token(token, key=KEY, expected_type="user")


def test_token_of_an_unknown_type_is_refused() -> None:
    with pytest.raises(TokenWrongType):
        decode_token(_signed(_claims(typ="root")), key=KEY)


def test_unsigned_alg_none_token_is_refused() -> None:
    with pytest.raises(TokenAlgorithmRejected):
        decode_token(jwt.encode(_claims(), None, algorithm="none"), key=KEY)


def test_hs512_token_is_refused_even_with_the_right_key() -> None:
    long_key = KEY * 2  # long enough for HS512, so only the algorithm is wrong
    with pytest.raises(TokenAlgorithmRejected):
        decode_token(_signed(_claims(), "HS512", long_key), key=long_key)


@pytest.mark.parametrize("claim", ["exp", "iat", "typ", "scope", "sub"])
def test_token_missing_a_required_claim_is_refused(claim: str) -> None:
    claims = _claims()
    del claims[claim]
    with pytest.raises(TokenMissingClaim, match=claim):
        decode_token(_signed(claims), key=KEY)


def test_each_refusal_has_its_own_error() -> None:
    kinds = {TokenInvalid, TokenExpired, TokenAlgorithmRejected, TokenMissingClaim, TokenWrongType}
    assert len(kinds) == 5
    assert all(issubclass(kind, TokenError) for kind in kinds)
    for a in kinds:
        for b in kinds - {a}:
            assert not issubclass(a, b)
