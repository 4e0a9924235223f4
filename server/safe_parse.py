"""TOML and JSON parsing that turns a too-deeply nested document into an ordinary parse error.

`tomllib` and `json` recurse once per level of nesting, so a file or a frame of a few thousand
`[` raises RecursionError, which no caller expects: the CLI printed a traceback and a websocket
handler died with a 500 written into the socket. Here it becomes the parse error every caller
already handles (TOMLDecodeError and ValueError), with a message that says what is wrong.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

TOO_DEEP = "it is nested too deeply"


def load_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads`, raising TOMLDecodeError (never RecursionError) for any bad document."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError(TOO_DEEP) from None


def load_json(raw: str | bytes) -> Any:
    """`json.loads`, raising ValueError (never RecursionError) for any bad document."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
