"""Who may publish on a floor channel (server/mediamtx/auth_hook.py): grants and denials."""

from __future__ import annotations

import time
from typing import Any

import pytest

from server.auth.credentials import (
    create_booth_token,
    create_feed_token,
    create_floor_token,
    create_listener_token,
    decode_token,
)
from server.mediamtx import decide
from tests.media_support import hook_request

KEY = "k" * 48
FLOOR = "ev/main/floor"


def ask(token: str, *, action: str = "publish", path: str = FLOOR, **fields: Any) -> bool:
    body = hook_request(action, path, token, **{"ip": "127.0.0.1", "userAgent": "test", **fields})
    return decide(body, decode=lambda t: decode_token(t, key=KEY), now=time.time())


def floor_token(path: str = FLOOR) -> str:
    return create_floor_token("user:2", path, "Tess", key=KEY)


def feed_token(path: str = FLOOR) -> str:
    return create_feed_token(path, key=KEY)


def test_the_floor_page_token_publishes_on_its_own_floor() -> None:
    assert ask(floor_token())


def test_a_floor_page_token_publishes_nowhere_else() -> None:
    assert not ask(floor_token(), path="ev/hall/floor")
    assert not ask(floor_token("ev/main/en"), path="ev/main/en")
    assert not ask(floor_token(), path="other/main/floor")


def test_floor_and_feed_tokens_do_not_read() -> None:
    assert not ask(floor_token(), action="read")
    assert not ask(feed_token(), action="read", protocol="rtsp")


def test_an_expired_floor_token_is_refused() -> None:
    expired = create_floor_token("user:2", FLOOR, "Tess", key=KEY, hours=-1)
    assert not ask(expired)


def test_the_feed_token_publishes_over_rtsp_from_loopback() -> None:
    assert ask(feed_token(), protocol="rtsp")
    assert ask("", protocol="rtsp", query=f"token={feed_token()}")
    assert ask(feed_token(), protocol="rtsp", ip="::ffff:127.0.0.1")


@pytest.mark.parametrize(
    "fields",
    [
        {"protocol": "webrtc"},
        {"protocol": "rtsp", "ip": "192.168.1.50"},
        {"protocol": "rtsp", "ip": ""},
        {"protocol": "srt"},
    ],
)
def test_the_feed_token_is_worthless_off_loopback_rtsp(fields: dict[str, str]) -> None:
    assert not ask(feed_token(), **fields)


def test_booth_and_listener_tokens_cannot_publish_on_the_floor() -> None:
    interpreter = create_booth_token("p1", "ev/main/en", "interpreter", "Ana", key=KEY)
    technician = create_booth_token("p2", "ev/main/en", "technician", "Tess", key=KEY)
    listener = create_listener_token("ev", "main", key=KEY)
    for token in (interpreter, technician, listener):
        assert not ask(token)
        assert not ask(token, protocol="rtsp")


def test_a_floor_token_cannot_publish_on_a_booth() -> None:
    assert not ask(floor_token("ev/main/en"), path="ev/main/en")


def test_listeners_and_interpreters_of_the_room_still_read_the_floor() -> None:
    listener = create_listener_token("ev", "main", key=KEY)
    interpreter = create_booth_token("p1", "ev/main/en", "interpreter", "Ana", key=KEY)
    assert ask(listener, action="read")
    assert ask(interpreter, action="read")
    assert not ask(create_listener_token("ev", "hall", key=KEY), action="read")
