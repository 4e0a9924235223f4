"""Admin pages for user accounts (admins only): create, deactivate, reactivate, reset password."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

import db
from server import manage
from server.admin.access import global_principal
from server.admin.forms import submitted_form
from server.admin.views import invalid, render_admin, see_other
from server.auth.credentials import hash_password
from server.auth.roles import Action, Principal
from server.changes import changed_here
from server.http.errors import Problem
from server.identity import validate_display_name, validate_email

if TYPE_CHECKING:
    from db.models import User

routes = web.RouteTableDef()

CANNOT_DEACTIVATE_SELF = "You cannot deactivate your own account; ask another admin."


async def _user(request: web.Request) -> User:
    try:
        return await db.get_user(int(request.match_info["user"]))
    except db.NotFound as exc:
        raise Problem(404, str(exc)) from exc


async def _users_page(
    request: web.Request, principal: Principal, *, error: str = "", status: int = 200
) -> web.Response:
    users = await db.list_users()
    context = {"users": users, "error": error, "me": principal.participant_id}
    return render_admin(request, principal, "users.html", context, status=status)


@routes.get("/admin/users")
async def list_users(request: web.Request) -> web.Response:
    """Every account, with its state and the actions on it."""
    principal = await global_principal(request, Action.MANAGE_USERS)
    return await _users_page(request, principal)


@routes.get("/admin/users/new")
async def new_user_form(request: web.Request) -> web.Response:
    """The form to create an account."""
    principal = await global_principal(request, Action.MANAGE_USERS)
    return render_admin(request, principal, "user_form.html", {})


def _optional_name(value: str) -> str:
    return validate_display_name(value, "name") if value.strip() else ""


@routes.post("/admin/users/new")
async def create_user(request: web.Request) -> web.Response:
    """Create the account with a hashed password."""
    principal = await global_principal(request, Action.MANAGE_USERS)
    form = await submitted_form(request)
    email = form.check("email", validate_email)
    name = form.check("name", _optional_name)
    password = form.check("password", manage.check_password)
    if form.ok and email is not None and password is not None:
        try:
            await manage.add_user(email, password, name or "", form.flag("is_admin"))
        except manage.SetupError as exc:
            form.fail("email", str(exc))
    if not form.ok:
        form.values.pop("password", None)  # never echo a password back into the page
        return invalid(request, principal, "user_form.html", {"form": form})
    raise see_other("/admin/users")


@routes.get("/admin/users/{user:\\d+}/password")
async def password_form(request: web.Request) -> web.Response:
    """The form to set a new password for an account."""
    principal = await global_principal(request, Action.MANAGE_USERS)
    user = await _user(request)
    return render_admin(request, principal, "password_form.html", {"user": user})


@routes.post("/admin/users/{user:\\d+}/password")
async def reset_password(request: web.Request) -> web.Response:
    """Replace the account's password."""
    principal = await global_principal(request, Action.MANAGE_USERS)
    user = await _user(request)
    form = await submitted_form(request)
    password = form.check("password", manage.check_password)
    if password is not None and form.get("confirm") != password:
        form.fail("confirm", "the two passwords differ")
    if not form.ok or password is None:
        form.values.clear()
        return invalid(request, principal, "password_form.html", {"user": user, "form": form})
    await db.set_password_hash(user.id, hash_password(password))
    raise see_other("/admin/users")


@routes.post("/admin/users/{user:\\d+}/active")
async def set_active(request: web.Request) -> web.Response:
    """Deactivate or reactivate an account; a deactivated one cannot log in or use its tokens."""
    principal = await global_principal(request, Action.MANAGE_USERS)
    user = await _user(request)
    form = await submitted_form(request)
    active = form.flag("active")
    if not active and principal.participant_id == f"user:{user.id}":
        return await _users_page(request, principal, error=CANNOT_DEACTIVATE_SELF, status=400)
    await db.set_user_active(user.id, active)
    await changed_here(request.app)  # a deactivated account's open sessions end now
    raise see_other("/admin/users")
