"""Keeping secrets and tokens out of logs and error lines.

Two kinds of thing are masked. The kiosk's own secrets (the JWT signing key, the Fernet keys,
the media hook secret) are registered when `secrets.toml` is loaded, and every occurrence of
their exact values is replaced. Credentials that pass through requests have known shapes: a
JWT, the token in `/join/{token}` and `/qr/invite/{token}.svg`, and `token=`, `secret=` or
`code=` in a query string. Both are masked by `redact`, which the access log, the log filter
and the start-up error line all use.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "[redacted]"
# Shorter values would mask ordinary words; every real secret is far longer.
MIN_SECRET_CHARS = 12

_secrets: set[str] = set()
_lock = threading.Lock()

# Each pattern keeps group 1 (what leads up to the credential) and masks the rest of the match.
TOKEN_PATTERNS = (
    # A JWT: three base64url parts, the first of which starts with '{"' encoded.
    re.compile(r"()eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    # Invite tokens in their two URL forms.
    re.compile(r"(/join/)[^/?#\s\"']+"),
    re.compile(r"(/qr/invite/)[^/?#\s\"']+?(?=\.svg|[/?#\s\"']|$)"),
    # Credentials in query strings (listener tokens, the hook secret, listener codes).
    re.compile(r"([?&](?:token|secret|code)=)[^&#\s\"']+", re.IGNORECASE),
)


_MASKED = r"\1" + MASK


def register_secrets(*values: str) -> None:
    """Remember secret values so that `redact` masks them wherever they appear."""
    with _lock:
        _secrets.update(v for v in values if len(v) >= MIN_SECRET_CHARS)


def redact(text: str) -> str:
    """`text` with registered secrets and token-shaped credentials replaced by a mask."""
    for secret in _secrets.copy():
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(_MASKED, text)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter that masks secrets in the message and in the traceback text.

    It formats the record's message and exception once, masks them, and leaves them on the
    record, so whatever formatter the handler uses prints only the masked text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of `logger` (default: the root logger) that lacks it."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
