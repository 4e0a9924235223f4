"""HTML rendering with Jinja2, autoescaped, from `server/http/templates`."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/static"


@cache
def static_version() -> str:
    """A short digest of every file under the static folder (names and contents).

    Asset URLs carry it (see `server.http.static_assets`), so they can be cached forever.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in STATIC_DIR.rglob("*") if p.is_file()):
        digest.update(path.relative_to(STATIC_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def versioned_prefix() -> str:
    """`/static/<version>`: the base of every asset URL a page links."""
    return f"{STATIC_PREFIX}/{static_version()}"


def static_url(path: str) -> str:
    """The cache-forever URL of a static file, e.g. `static_url("css/base.css")`."""
    return f"{versioned_prefix()}/{path.lstrip('/')}"


environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=jinja2.select_autoescape(["html", "xml", "svg"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals["static_url"] = static_url


def render_html(name: str, context: dict[str, Any], *, status: int = 200) -> web.Response:
    """Render a template into an HTML response.

    Every template extends `base.html`, which has the blocks `title`, `head`, `content` and
    `scripts`, and links `base.css` through `static_url`.
    """
    html = environment.get_template(name).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
