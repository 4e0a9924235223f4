"""HTML rendering with Jinja2, autoescaped, from `server/templates`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=jinja2.select_autoescape(["html", "xml", "svg"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(name: str, context: dict[str, Any], *, status: int = 200) -> web.Response:
    """Render a template into an HTML response.

    Every template extends `base.html`, which has the blocks `title`, `head`, `content` and
    `scripts`, and links `/static/css/base.css`.
    """
    html = environment.get_template(name).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
