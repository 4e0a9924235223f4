"""Rendering admin pages: every page gets the principal, a CSRF token and the navigation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web
from markupsafe import Markup

from server.admin.forms import Form
from server.admin.onair import format_duration
from server.auth.csrf import csrf_token
from server.auth.roles import Action, Principal, can
from server.http.templating import environment, render_html


def local_time(moment: datetime | None) -> str:
    """A stored UTC time in the kiosk machine's own zone: the venue's clock."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


environment.filters.setdefault("local_time", local_time)
environment.filters.setdefault("duration", format_duration)


def render_admin(
    request: web.Request,
    principal: Principal,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> web.Response:
    """Render `admin/{template}` with what every admin page needs."""
    page: dict[str, Any] = {
        "principal": principal,
        "csrf_token": csrf_token(request),
        "may_create_event": can(principal, Action.CREATE_EVENT),
        "may_manage_users": can(principal, Action.MANAGE_USERS),
        "form": Form(),
    }
    page.update(context)
    response = render_html(f"admin/{template}", page, status=status)
    # Admin pages show tokens and personal data: keep them out of shared caches and history.
    response.headers["Cache-Control"] = "no-store"
    return response


def invalid(
    request: web.Request, principal: Principal, template: str, context: dict[str, Any]
) -> web.Response:
    """Re-render a form that had errors, with status 400."""
    return render_admin(request, principal, template, context, status=400)


def see_other(location: str) -> web.HTTPSeeOther:
    """The redirect after a successful POST (raise it)."""
    return web.HTTPSeeOther(location)


def inline_svg(svg: str) -> Markup:
    """An SVG document we generated, without its XML prolog, fit to sit inside HTML."""
    start = svg.find("<svg")
    return Markup(svg[start:] if start >= 0 else svg)
