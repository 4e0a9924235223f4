"""A logging handler that keeps the last records in memory for the Logs screen."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

from server.secrets.redaction import RedactingFilter

LOG_LINES = 2000
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RingBufferHandler(logging.Handler):
    """Formats every record into a bounded buffer and tells one listener about new lines.

    The listener runs in whatever thread logged the record, so it must only hand the line over
    (the console uses `App.call_from_thread`-safe `post_message`).
    """

    def __init__(self, capacity: int = LOG_LINES) -> None:
        """Keep at most `capacity` lines."""
        super().__init__()
        self.lines: deque[str] = deque(maxlen=capacity)
        self.listener: Callable[[str], None] | None = None
        self.setFormatter(logging.Formatter(LOG_FORMAT, "%H:%M:%S"))
        # The Logs screen is on the technician's screen: secrets and tokens never reach it.
        self.addFilter(RedactingFilter())

    def emit(self, record: logging.LogRecord) -> None:
        """Store the formatted record and pass it on."""
        try:
            line = self.format(record)
        except Exception:  # a broken record must never take the console down
            self.handleError(record)
            return
        self.lines.append(line)
        if self.listener is not None:
            self.listener(line)
