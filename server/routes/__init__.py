"""HTTP route handlers, one module per area."""

from __future__ import annotations
