"""Secrets and tokens are masked in whatever the kiosk logs, tracebacks included.

The console's Logs screen keeps its lines in `RingBufferHandler`; `serve` logs to stderr with
the same filter. A secret loaded from secrets.toml must not survive either, not even inside an
exception's message or a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kiosk.logbuffer import RingBufferHandler
from server.secrets.redaction import MASK, RedactingFilter, redact
from server.secrets.store import load_or_create_secrets


def test_loaded_secrets_are_masked_on_the_console_logs_screen(tmp_path: Path) -> None:
    secrets, _ = load_or_create_secrets(tmp_path)
    handler = RingBufferHandler()
    logger = logging.getLogger("test.redaction.console")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("hook secret is %s", secrets.media_secret)
        try:
            raise RuntimeError(f"cannot sign with {secrets.jwt_key}")
        except RuntimeError:
            logger.exception("signing failed for %s", secrets.fernet_keys[0])
    finally:
        logger.removeHandler(handler)
    text = "\n".join(handler.lines)
    assert "Traceback" in text and MASK in text
    for secret in (secrets.media_secret, secrets.jwt_key, *secrets.fernet_keys):
        assert secret not in text


def test_the_filter_masks_tokens_in_any_handler(tmp_path: Path) -> None:
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("test.redaction.any")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            "GET /join/%s and /listen/a/b?token=%s", "Abc123_-xyz", "eyJhbGciOi.eyJzdWIi.c2ln"
        )
    finally:
        logger.removeHandler(handler)
    assert records == [f"GET /join/{MASK} and /listen/a/b?token={MASK}"]


def test_redact_leaves_ordinary_text_alone() -> None:
    line = "booth pycon/main/en: Ana took the mic (code 4003 close)"
    assert redact(line) == line
