"""Who MediaMTX lets publish and read: the decision behind `POST /mediamtx/auth`.

Tokens here are HS256 JWTs from a tiny local encoder; the real `server.auth.credentials.decode_token`
replaces `decode` once it exists.
"""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from server.mediamtx.auth_hook import decide
from tests.media_support import hook_request as body

KEY = "test-signing-key-of-at-least-32-bytes!"
NOW = 1_800_000_000.0
BOOTH_A = "ev/main/en"
BOOTH_B = "ev/main/de"


def encode(typ: str, scope: str, role: str | None = None, *, expires: float = NOW + 3600) -> str:
    claims: dict[str, Any] = {"typ": typ, "scope": scope, "exp": int(expires)}
    if role is not None:
        claims["role"] = role
    return jwt.encode(claims, KEY, algorithm="HS256")


def decode(token: str) -> dict[str, Any]:
    # Expiry is judged against the test's fixed NOW by `decide`; the signature is checked here.
    claims: dict[str, Any] = jwt.decode(
        token, KEY, algorithms=["HS256"], options={"verify_exp": False}
    )
    return claims


def allowed(request: object) -> bool:
    return decide(request, decode=decode, now=NOW)


INTERPRETER_A = encode("booth", BOOTH_A, "interpreter")
LISTENER_MAIN = encode("listener", "ev/main")


def test_an_interpreter_may_publish_on_their_own_booth() -> None:
    assert allowed(body("publish", BOOTH_A, INTERPRETER_A))


def test_an_interpreter_may_not_publish_on_another_booth() -> None:
    assert not allowed(body("publish", BOOTH_B, INTERPRETER_A))


def test_a_technician_booth_token_may_publish_on_its_booth() -> None:
    assert allowed(body("publish", BOOTH_A, encode("booth", BOOTH_A, "technician")))


def test_a_booth_token_with_another_role_may_not_publish() -> None:
    assert not allowed(body("publish", BOOTH_A, encode("booth", BOOTH_A, "listener")))


def test_nobody_may_publish_on_the_floor_channel_with_a_booth_token() -> None:
    assert not allowed(
        body("publish", "ev/main/floor", encode("booth", "ev/main/floor", "technician"))
    )


def test_a_listener_may_read_any_channel_of_their_room() -> None:
    assert all(
        allowed(body("read", path, LISTENER_MAIN)) for path in (BOOTH_A, BOOTH_B, "ev/main/floor")
    )


def test_a_listener_may_not_read_another_room() -> None:
    assert not allowed(body("read", "ev/hall-b/en", LISTENER_MAIN))


def test_a_listener_may_not_publish() -> None:
    assert not allowed(body("publish", BOOTH_A, LISTENER_MAIN))


def test_a_booth_token_may_read_its_room_for_relay_and_floor() -> None:
    assert allowed(body("read", BOOTH_B, INTERPRETER_A))
    assert allowed(body("read", "ev/main/floor", INTERPRETER_A))


def test_a_booth_token_may_not_read_another_room() -> None:
    assert not allowed(body("read", "ev/hall-b/en", INTERPRETER_A))


def test_an_expired_token_is_denied() -> None:
    expired = encode("booth", BOOTH_A, "interpreter", expires=NOW - 1)
    assert not allowed(body("publish", BOOTH_A, expired))


def test_a_token_with_a_bad_signature_is_denied() -> None:
    forged = jwt.encode(
        {"typ": "booth", "scope": BOOTH_A, "role": "interpreter"},
        "other-key-xxxxxxxxxxxxxxxxxxxxxxxxx",
    )
    assert not allowed(body("publish", BOOTH_A, forged))


def test_no_token_is_denied() -> None:
    assert not allowed(body("read", BOOTH_A))


def test_the_password_field_carries_a_token() -> None:
    assert allowed(body("read", BOOTH_A, password=LISTENER_MAIN, protocol="rtsp"))


def test_a_token_in_the_raw_query_is_used() -> None:
    assert allowed(body("read", BOOTH_A, query=f"lang=en&token={LISTENER_MAIN}"))


@pytest.mark.parametrize("action", ["playback", "api", "metrics", "pprof", "delete"])
def test_other_actions_are_denied_even_with_a_valid_token(action: str) -> None:
    assert not allowed(body(action, BOOTH_A, INTERPRETER_A))


@pytest.mark.parametrize(
    "path", ["ev/main", "ev/main/en/extra", "Ev/main/en", "", "ev/main/floor2x"]
)
def test_paths_that_are_not_channels_are_denied(path: str) -> None:
    assert not allowed(body("read", path, LISTENER_MAIN))


@pytest.mark.parametrize(
    "request_body",
    [
        None,
        [],
        "publish",
        {"action": "publish"},
        {**body("publish", BOOTH_A, INTERPRETER_A), "action": 1},
        {**body("publish", BOOTH_A, INTERPRETER_A), "path": None},
        body("publish", BOOTH_A, token=["x"]),
        body("read", BOOTH_A, LISTENER_MAIN, query=5),
    ],
)
def test_a_malformed_body_is_denied(request_body: object) -> None:
    assert not allowed(request_body)
