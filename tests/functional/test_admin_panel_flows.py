"""The admin panel's create, edit and delete flows, each through its real form."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import db
from db.models import Event, InviteToken, Membership, TranscriptSegment
from server.keys import WS_HUB
from server.qr import qr_svg
from server.transcription.export import to_srt, to_txt, to_vtt
from tests.admin_support import (
    ADMIN,
    KIOSK,
    NOON,
    OUTSIDER,
    TECH,
    running_admin_kiosk,
    signed_in,
    submit,
)
from tests.server_support import PASSWORD, browser, post_login

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("memory_db")]


# -- events ---------------------------------------------------------------------------------------


async def test_an_admin_creates_an_event_which_gets_its_main_room(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        status, _, location = await submit(
            kiosk,
            admin,
            "/admin/new-event",
            {"slug": " EuroPython ", "name": "EuroPython 2026", "listener_code": "1234"},
        )
        overview = await (await admin.get(location)).text()
    assert (status, location) == (303, "/admin/events/europython")
    event = await db.get_event("europython")
    assert (event.display_name, event.listener_code) == ("EuroPython 2026", "1234")
    assert [room.slug for room in await db.list_rooms("europython")] == ["main"]
    assert "EuroPython 2026" in overview


async def test_editing_an_event_changes_its_name_and_code_but_never_its_slug(
    tmp_path: Path,
) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        status, _, _ = await submit(
            kiosk,
            tech,
            "/admin/events/pycon/edit",
            {"slug": "renamed", "name": "PyCon US 2026", "listener_code": "4321"},
        )
    assert status == 303
    event = await db.get_event("pycon")
    assert (event.display_name, event.listener_code) == ("PyCon US 2026", "4321")
    assert not await Event.exists(slug="renamed")


async def test_clearing_the_listener_code_opens_listening(tmp_path: Path) -> None:
    await db.create_event("closed", "Closed", "9999")
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        await submit(
            kiosk, admin, "/admin/events/closed/edit", {"name": "Closed", "listener_code": ""}
        )
    assert (await db.get_event("closed")).listener_code is None


async def test_deleting_an_event_says_what_goes_with_it_then_removes_it(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        await db.add_transcript_segment("pycon/main/en", 1, "Hello", NOON, NOON)
        confirm = await (await admin.get("/admin/events/pycon/delete")).text()
        status, _, location = await submit(kiosk, admin, "/admin/events/pycon/delete", {})
        registry = kiosk.server.app[WS_HUB].registry
        still_live = registry.has_booth("pycon/main/en")
    for line in ("1 room", "1 booth", "1 invite", "2 memberships", "1 transcript segment"):
        assert f"<li>{line}</li>" in confirm
    assert (status, location) == (303, "/admin")
    assert not await Event.exists(slug="pycon")
    assert await TranscriptSegment.all().count() == 0
    assert not still_live


# -- rooms and booths -----------------------------------------------------------------------------


async def test_a_room_is_added_renamed_and_deleted(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        base = "/admin/events/pycon"
        await submit(kiosk, tech, f"{base}/new-room", {"slug": "hall-b", "name": "Hall B"})
        await submit(kiosk, tech, f"{base}/rooms/hall-b/edit", {"name": "Hall Beta"})
        renamed = (await db.get_room("pycon", "hall-b")).display_name
        confirm = await (await tech.get(f"{base}/rooms/hall-b/delete")).text()
        status, _, _ = await submit(kiosk, tech, f"{base}/rooms/hall-b/delete", {})
    assert renamed == "Hall Beta"
    assert "<li>0 booths</li>" in confirm
    assert status == 303
    assert [room.slug for room in await db.list_rooms("pycon")] == ["main"]


async def test_a_new_booth_is_normalised_stored_and_live_at_once(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        status, _, _ = await submit(
            kiosk,
            tech,
            "/admin/events/pycon/rooms/main/new-booth",
            {"lang": " PT-BR ", "name": "Português", "transcription": "on"},
        )
        live = kiosk.server.app[WS_HUB].registry.has_booth("pycon/main/pt-br")
    booth = await db.get_booth("pycon/main/pt-br")
    assert status == 303
    assert (booth.language_name, booth.transcription) == ("Português", True)
    assert live


async def test_a_duplicate_booth_is_refused_next_to_the_language_field(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        status, page, _ = await submit(
            kiosk,
            tech,
            "/admin/events/pycon/rooms/main/new-booth",
            {"lang": "en", "name": "English again"},
        )
    assert status == 400
    assert 'id="error-lang"' in page and "already exists" in page
    assert (await db.get_booth("pycon/main/en")).language_name == "English"


async def test_a_booth_is_edited_then_deleted_with_its_log(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        base = "/admin/events/pycon/rooms/main/booths/en"
        await submit(kiosk, tech, f"{base}/edit", {"name": "English (UK)", "transcription": "on"})
        edited = await db.get_booth("pycon/main/en")
        await db.open_span("pycon/main/en", "user:9", "Anna", NOON - timedelta(minutes=5))
        confirm = await (await tech.get(f"{base}/delete")).text()
        status, _, _ = await submit(kiosk, tech, f"{base}/delete", {})
        live = kiosk.server.app[WS_HUB].registry.has_booth("pycon/main/en")
    assert (edited.language_name, edited.transcription) == ("English (UK)", True)
    assert "<li>1 on-air log entry</li>" in confirm and "<li>1 invite</li>" in confirm
    assert status == 303
    assert await db.list_booths("pycon") == []
    assert await InviteToken.all().count() == 0
    assert not live


async def test_the_listener_poster_shows_the_rooms_public_link_and_code(tmp_path: Path) -> None:
    await db.create_event("coded", "Coded", "2468")
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        page = await (await admin.get("/admin/events/coded/rooms/main/poster")).text()
    link = f"{KIOSK['public_url']}/listen/coded/main"
    assert link in page
    assert qr_svg(link)[qr_svg(link).find("<svg") :] in page
    assert "2468" in page


# -- people ---------------------------------------------------------------------------------------


async def test_a_technician_is_added_and_then_sees_the_event(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        status, _, _ = await submit(
            kiosk, tech, "/admin/events/pycon/people", {"email": OUTSIDER, "role": "technician"}
        )
        async with signed_in(kiosk, OUTSIDER) as outsider:
            dashboard = await (await outsider.get("/admin")).text()
    assert status == 303
    assert "PyCon 2026" in dashboard


async def test_an_interpreter_is_added_to_a_booth_and_removed_again(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        data = {"email": OUTSIDER.upper(), "role": "interpreter", "booth": "pycon/main/en"}
        await submit(kiosk, tech, "/admin/events/pycon/people", data)
        added = await Membership.get(user_id=kiosk.ids["outsider"], event__slug="pycon")
        url = f"/admin/events/pycon/people/{added.id}/delete"
        confirm = await (await tech.get(url)).text()
        status, _, _ = await submit(kiosk, tech, url, {})
    assert "outsider@example.org as interpreter of pycon/main/en" in confirm
    assert status == 303
    assert not await Membership.exists(id=added.id)


async def test_an_unknown_email_cannot_be_given_a_role(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        status, page, _ = await submit(
            kiosk,
            tech,
            "/admin/events/pycon/people",
            {"email": "nobody@example.org", "role": "technician"},
        )
    assert status == 400
    assert "there is no account with this email" in page
    assert 'value="nobody@example.org"' in page


# -- users ----------------------------------------------------------------------------------------


async def test_an_admin_creates_an_account_that_can_log_in(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        data = {"email": "New@Example.org", "name": "Nora", "password": "long enough pw"}
        status, _, _ = await submit(kiosk, admin, "/admin/users/new", data)
        async with browser(kiosk.server) as nora:
            login = await post_login(nora, kiosk.server, "new@example.org", "long enough pw")
    assert status == 303
    assert login.status == 303
    user = await db.find_user_by_email("new@example.org")
    assert user is not None and (user.display_name, user.is_admin) == ("Nora", False)


async def test_a_deactivated_account_cannot_log_in_until_reactivated(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        action = f"/admin/users/{kiosk.ids['tech']}/active"
        await submit(kiosk, admin, "/admin/users", {}, action=action)
        async with browser(kiosk.server) as tech:
            refused = await post_login(tech, kiosk.server, TECH, PASSWORD)
        await submit(kiosk, admin, "/admin/users", {"active": "1"}, action=action)
        async with browser(kiosk.server) as tech:
            accepted = await post_login(tech, kiosk.server, TECH, PASSWORD)
    assert (refused.status, accepted.status) == (403, 303)


async def test_a_reset_password_replaces_the_old_one(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        url = f"/admin/users/{kiosk.ids['tech']}/password"
        mismatch, page, _ = await submit(
            kiosk, admin, url, {"password": "brand new secret", "confirm": "brand new secrex"}
        )
        status, _, _ = await submit(
            kiosk, admin, url, {"password": "brand new secret", "confirm": "brand new secret"}
        )
        async with browser(kiosk.server) as tech:
            old = await post_login(tech, kiosk.server, TECH, PASSWORD)
            new = await post_login(tech, kiosk.server, TECH, "brand new secret")
    assert mismatch == 400 and "the two passwords differ" in page
    assert status == 303
    assert (old.status, new.status) == (403, 303)


# -- invites --------------------------------------------------------------------------------------


async def test_an_invite_is_created_shown_with_its_qr_and_revoked(tmp_path: Path) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        data = {
            "booth": "pycon/main/en",
            "role": "interpreter",
            "hours": "1.5",
            "uses": "2",
            "label": "Anna",
        }
        status, _, location = await submit(kiosk, tech, "/admin/events/pycon/invites", data)
        invite = await InviteToken.get(label="Anna")
        detail = await (await tech.get(location)).text()
        qr = await tech.get(f"{location}/qr.svg")
        svg = await qr.text()
        revoked, _, _ = await submit(kiosk, tech, f"{location}/revoke", {})
    link = f"{KIOSK['secure_url']}/join/{invite.token}"
    assert (status, location) == (303, f"/admin/events/pycon/invites/{invite.id}")
    assert (invite.max_uses, invite.created_by_id) == (2, kiosk.ids["tech"])
    assert invite.expires_at is not None
    assert link in detail
    assert (qr.status, qr.content_type, svg) == (200, "image/svg+xml", qr_svg(link))
    assert revoked == 303
    assert db.invite_status(await db.get_invite(invite.token)) == "revoked"


async def test_the_invite_sheet_fills_missing_booths_and_prints_one_qr_each(
    tmp_path: Path,
) -> None:
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, TECH) as tech:
        await db.create_booth("pycon", "main", "de", "Deutsch")
        await db.create_booth("pycon", "main", "fr", "Français")
        sheet = "/admin/events/pycon/invites/sheet"
        status, _, _ = await submit(kiosk, tech, sheet, {"hours": "8", "uses": "1"})
        page = await (await tech.get(sheet)).text()
    invites = await db.list_invites(event_slug="pycon")
    assert status == 303
    assert sorted(i.booth.path for i in invites) == [
        "pycon/main/de",
        "pycon/main/en",
        "pycon/main/fr",
    ]
    assert page.count('<div class="qr sheet-qr">') == 3
    for invite in invites:
        assert f"{KIOSK['secure_url']}/join/{invite.token}" in page


# -- transcripts ----------------------------------------------------------------------------------


async def test_a_transcript_is_shown_and_downloads_in_each_format(tmp_path: Path) -> None:
    second = timedelta(seconds=1)
    await db.create_event("talks", "Talks")
    await db.create_booth("talks", "main", "en", "English")
    await db.add_transcript_segment("talks/main/en", 1, "Good morning.", NOON, NOON + 2 * second)
    await db.add_transcript_segment(
        "talks/main/en", 2, "Welcome to <PyCon>.", NOON + 3 * second, NOON + 5 * second
    )
    async with running_admin_kiosk(tmp_path) as kiosk, signed_in(kiosk, ADMIN) as admin:
        base = "/admin/events/talks/rooms/main/booths/en/transcript"
        page = await (await admin.get(base)).text()
        files = {fmt: await admin.get(f"{base}.{fmt}") for fmt in ("srt", "vtt", "txt")}
        bodies = {fmt: await response.text() for fmt, response in files.items()}
        missing = await admin.get(f"{base}.doc")
    segments = await db.list_transcript("talks/main/en")
    assert "Good morning." in page and "Welcome to &lt;PyCon&gt;." in page
    assert bodies == {"srt": to_srt(segments), "vtt": to_vtt(segments), "txt": to_txt(segments)}
    disposition = files["srt"].headers["Content-Disposition"]
    assert disposition == 'attachment; filename="talks-main-en.srt"'
    assert missing.status == 404


async def test_transcript_downloads_answer_403_without_a_cookie(tmp_path: Path) -> None:
    await db.create_event("talks", "Talks")
    await db.create_booth("talks", "main", "en", "English")
    await db.add_transcript_segment("talks/main/en", 1, "Good morning.", NOON, NOON)
    async with running_admin_kiosk(tmp_path) as kiosk, browser(kiosk.server) as anonymous:
        base = "/admin/events/talks/rooms/main/booths/en/transcript"
        statuses = {}
        for fmt in ("srt", "vtt", "txt"):
            async with anonymous.get(f"{base}.{fmt}", allow_redirects=False) as response:
                statuses[fmt] = (response.status, "Good morning." in await response.text())
    assert statuses == {fmt: (403, False) for fmt in ("srt", "vtt", "txt")}
