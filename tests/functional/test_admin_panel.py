"""The admin panel over a real server: who may open what, CSRF, validation and the on-air log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import db
from db.models import Event, InviteToken, User
from server import manage
from server.admin.onair import format_duration
from server.auth.credentials import create_booth_token, create_listener_token
from server.auth.principals import SESSION_COOKIE
from tests.admin_support import (
    ADMIN,
    INTERPRETER,
    NOON,
    OUTSIDER,
    TECH,
    admin_routes,
    page_token,
    running_admin_kiosk,
    signed_in,
    submit,
)
from tests.server_support import browser, origin_of

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]

JSON = {"Accept": "application/json"}
EVENT_ROUTE = "/admin/events/{event}"
ADMIN_ONLY = ("/admin/new-event", "/admin/users", "/admin/events/pycon/delete")


# -- access ---------------------------------------------------------------------------------------


async def test_the_app_has_admin_routes_for_every_area(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk:
        paths = {path for _, path in admin_routes(kiosk)}
    for part in ("/new-event", "/rooms/main/", "/booths/en/", "/people", "/invites", "/users"):
        assert any(part in path for path in paths), part


async def test_every_admin_route_answers_403_without_a_cookie(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, browser(kiosk.server) as anonymous:
        refused = []
        for method, path in admin_routes(kiosk):
            async with anonymous.request(method, path, allow_redirects=False) as response:
                refused.append((method, path, response.status))
    assert refused and all(status == 403 for _, _, status in refused), refused


async def test_every_event_route_answers_403_to_a_technician_of_another_event(
    tmp_path: Path,
) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, OUTSIDER) as outsider:
        token = await page_token(outsider, "/admin")
        results = []
        for method, path in admin_routes(kiosk):
            if not path.startswith("/admin/events/pycon"):
                continue
            # A valid token and origin: the refusal can only come from the event check.
            data = {"csrf_token": token} if method == "POST" else None
            headers = {**JSON, "Origin": origin_of(kiosk.server)}
            async with outsider.request(
                method, path, data=data, headers=headers, allow_redirects=False
            ) as response:
                results.append((method, path, response.status, await response.text()))
    assert len(results) > 20
    assert all(status == 403 for _, _, status, _ in results), results
    assert all("forbidden" in body for *_, body in results)
    assert await Event.exists(slug="pycon")


async def test_a_technician_sees_only_their_own_events_on_the_dashboard(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, OUTSIDER) as outsider:
        response = await outsider.get("/admin")
        page = await response.text()
    assert response.status == 200
    assert "Other Conf" in page
    assert "PyCon 2026" not in page


@pytest.mark.parametrize("path", ADMIN_ONLY)
async def test_a_technician_cannot_create_events_delete_them_or_manage_users(
    tmp_path: Path, path: str
) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        response = await tech.get(path)
    assert response.status == 403


async def test_a_technician_manages_rooms_of_their_own_event(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        status, _, location = await submit(
            kiosk, tech, "/admin/events/pycon/new-room", {"slug": "hall-b", "name": "Hall B"}
        )
    assert (status, location) == (303, "/admin/events/pycon")
    assert (await db.get_room("pycon", "hall-b")).display_name == "Hall B"


async def test_an_interpreter_account_is_refused_on_every_admin_route(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, INTERPRETER) as anna:
        statuses = {(m, p): (await anna.request(m, p)).status for m, p in admin_routes(kiosk)}
    assert set(statuses.values()) == {403}


async def test_an_interpreter_invite_session_is_refused(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, browser(kiosk.server) as guest:
        key = kiosk.services.secrets.jwt_key
        token = create_booth_token(
            f"invite:{kiosk.ids['invite']}", "pycon/main/en", "interpreter", "Guest", key=key
        )
        guest.cookie_jar.update_cookies({SESSION_COOKIE: token})
        statuses = {(await guest.get(p)).status for m, p in admin_routes(kiosk) if m == "GET"}
    assert statuses == {403}


async def test_a_listener_token_is_refused(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, browser(kiosk.server) as listener:
        key = kiosk.services.secrets.jwt_key
        bearer = {"Authorization": f"Bearer {create_listener_token('pycon', 'main', key=key)}"}
        statuses = {
            (await listener.get(p, headers=bearer)).status
            for m, p in admin_routes(kiosk)
            if m == "GET"
        }
    assert statuses == {403}


async def test_a_deactivated_admin_is_refused_at_once(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        await db.set_user_active(kiosk.ids["admin"], False)
        response = await admin.get("/admin")
    assert response.status == 403


async def test_an_admin_gets_404_for_an_event_that_does_not_exist(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        response = await admin.get("/admin/events/nope")
    assert response.status == 404


# -- CSRF -----------------------------------------------------------------------------------------


async def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        await page_token(admin, "/admin/new-event")
        response = await admin.post(
            "/admin/new-event",
            data={"slug": "sneaky", "name": "Sneaky"},
            headers={"Origin": origin_of(kiosk.server)},
            allow_redirects=False,
        )
    assert response.status == 403
    assert not await Event.exists(slug="sneaky")


async def test_a_form_from_a_foreign_origin_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        token = await page_token(admin, "/admin/events/pycon/delete")
        response = await admin.post(
            "/admin/events/pycon/delete",
            data={"csrf_token": token},
            headers={"Origin": "http://evil.example"},
            allow_redirects=False,
        )
    assert response.status == 403
    assert await Event.exists(slug="pycon")


# -- validation -----------------------------------------------------------------------------------


async def test_a_bad_language_code_is_shown_next_to_its_field_with_the_cli_message(
    tmp_path: Path,
) -> None:
    with pytest.raises(manage.SetupError) as cli:
        await manage.add_booth("pycon/main", "english", "English")
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        status, page, _ = await submit(
            kiosk,
            admin,
            "/admin/events/pycon/rooms/main/new-booth",
            {"lang": "english", "name": "Inglés"},
        )
    assert status == 400
    message = str(cli.value).replace("'", "&#39;")
    assert f'<p class="error" id="error-lang" role="alert">{message}</p>' in page
    assert 'value="english"' in page and 'value="Inglés"' in page
    assert await db.list_booths("pycon") == await db.list_booths("pycon", "main")
    assert len(await db.list_booths("pycon")) == 1


async def test_the_reserved_floor_code_is_refused(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        status, page, _ = await submit(
            kiosk,
            admin,
            "/admin/events/pycon/rooms/main/new-booth",
            {"lang": "floor", "name": "Floor"},
        )
    assert status == 400
    assert "reserved for the floor channel" in page
    assert len(await db.list_booths("pycon")) == 1


async def test_every_bad_field_of_a_new_event_gets_its_own_message(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        status, page, _ = await submit(
            kiosk,
            admin,
            "/admin/new-event",
            {"slug": "Bad Slug!", "name": "  ", "listener_code": "x"},
        )
    assert status == 400
    assert 'id="error-slug"' in page and "is not valid" in page
    assert 'id="error-name"' in page and "event name is empty" in page
    assert 'id="error-listener_code"' in page and "4 to 32 letters or digits" in page
    assert 'value="bad slug!"' not in page and 'value="Bad Slug!"' in page
    assert await Event.all().count() == 2


async def test_an_existing_slug_is_refused_and_the_first_event_is_untouched(
    tmp_path: Path,
) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        status, page, _ = await submit(
            kiosk, admin, "/admin/new-event", {"slug": "pycon", "name": "Impostor"}
        )
    assert status == 400
    assert "already exists" in page
    assert (await db.get_event("pycon")).display_name == "PyCon 2026"


async def test_a_short_password_creates_no_account_and_is_not_echoed(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        status, page, _ = await submit(
            kiosk,
            admin,
            "/admin/users/new",
            {"email": "new@example.org", "password": "short"},
        )
    assert status == 400
    assert "password must be at least" in page
    assert "short" not in page.split('id="field-password"')[1].split(">")[0]
    assert not await User.exists(email="new@example.org")


async def test_an_invite_with_zero_hours_is_refused_with_the_cli_message(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        before = await InviteToken.all().count()
        status, page, _ = await submit(
            kiosk,
            tech,
            "/admin/events/pycon/invites",
            {"booth": "pycon/main/en", "role": "interpreter", "hours": "0", "uses": "many"},
        )
    assert status == 400
    assert 'id="error-hours"' in page and "hours must be a number above 0" in page
    assert 'id="error-uses"' in page and "uses must be a whole number" in page
    assert await InviteToken.all().count() == before


async def test_an_interpreter_membership_without_a_booth_is_refused(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        before = len(await db.list_memberships(event_slug="pycon"))
        status, page, _ = await submit(
            kiosk,
            tech,
            "/admin/events/pycon/people",
            {"email": OUTSIDER, "role": "interpreter", "booth": ""},
        )
    assert status == 400
    assert "an interpreter needs a booth" in page
    assert len(await db.list_memberships(event_slug="pycon")) == before


async def test_an_admin_cannot_deactivate_their_own_account(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        user = kiosk.ids["admin"]
        status, page, _ = await submit(
            kiosk, admin, "/admin/users", {}, action=f"/admin/users/{user}/active"
        )
    assert status == 400
    assert "cannot deactivate your own account" in page
    assert (await db.get_user(kiosk.ids["admin"])).is_active


# -- on-air log -----------------------------------------------------------------------------------


async def test_the_on_air_log_totals_each_interpreter_and_the_booth(tmp_path: Path) -> None:
    hour = timedelta(hours=1)
    spans = [  # (who, start, end); Ben is still on air when the page is made at NOON
        ("user:1", "Anna", NOON - 2 * hour, NOON - 1.5 * hour),
        ("user:2", "Ben", NOON - 1.5 * hour, NOON - hour),
        ("user:1", "Anna", NOON - hour, NOON - 0.25 * hour),
        ("user:2", "Ben", NOON - 0.25 * hour, None),
    ]
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        for pid, name, start, end in spans:
            await db.open_span("pycon/main/en", pid, name, start)
            if end is not None:
                await db.close_span("pycon/main/en", pid, end)
        response = await tech.get("/admin/events/pycon/rooms/main/booths/en/on-air")
        page = await response.text()

    def total(who: str) -> timedelta:
        return sum(((end or NOON) - start for _, n, start, end in spans if n == who), timedelta())

    assert response.status == 200
    anna_row = page.split(">Anna</td>")[1].split("</tr>")[0]
    ben_row = page.split(">Ben</td>")[1].split("</tr>")[0]
    assert format_duration(total("Anna")) in anna_row and ">2<" in anna_row
    assert format_duration(total("Ben")) in ben_row and ">2<" in ben_row
    booth_total = format_duration(total("Anna") + total("Ben"))
    assert f'<td class="num booth-total">{booth_total}</td>' in page
    assert "on air now" in page
