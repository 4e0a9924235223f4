"""Saving QR codes (invites, posters) as PNG or SVG into `{data_dir}/exports`."""

from __future__ import annotations

import re
from pathlib import Path

from server.config import Config
from server.qr import qr_png, qr_svg

FORMATS = ("png", "svg")


def export_name(*parts: str) -> str:
    """A file-name-safe stem from parts such as a booth id and a token prefix."""
    return "-".join(re.sub(r"[^A-Za-z0-9_-]+", "-", part).strip("-") for part in parts if part)


def save_qr(config: Config, stem: str, text: str, fmt: str) -> Path:
    """Write the QR code of `text` as `{data_dir}/exports/{stem}.{fmt}`; returns the path."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    folder = config.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.{fmt}"
    if fmt == "png":
        path.write_bytes(qr_png(text))
    else:
        path.write_text(qr_svg(text), encoding="utf-8")
    return path
