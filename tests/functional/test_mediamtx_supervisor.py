"""The supervisor keeps a real (stand-in) MediaMTX process running, and says so when it cannot.

The processes are real; the restart policy runs on the harness's `FakeClock`, so no test waits out a
backoff in real time.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from server.mediamtx.supervisor import MediaMTXSupervisor
from tests.fakes import FakeMediaMTX, call_api, free_port, kiosk_config, write_fake_binary
from tests.harness.clock import FakeClock

# Slow: the supervisor starts, kills and restarts child processes, with real backoff.
pytestmark = [pytest.mark.anyio, pytest.mark.slow]

CONFIGURED = ["ev/main/en", "ev/main/floor"]


class SupervisorHost:
    """The kiosk's side of the supervisor alone (no app): fixed ports, the booth list, and what
    it observed."""

    def __init__(self, tmp_path: Path) -> None:
        self.api_port = free_port()
        self.config_text = kiosk_config(api_port=self.api_port, paths=CONFIGURED)
        self.booths = [*CONFIGURED, "ev/main/de"]  # ev/main/de exists only through the API
        self.binary = write_fake_binary(tmp_path / "bin")
        self.config_path = tmp_path / "data" / "mediamtx.yml"
        self.events: list[tuple[str, str]] = []
        self.clock = FakeClock(0.0)

    def supervisor(self, **options: Any) -> MediaMTXSupervisor:
        settings: dict[str, Any] = {
            "backoff_initial": 0.05,
            "backoff_max": 0.4,
            "stop_timeout": 2.0,
            "binary": self.binary,
            "render_config": lambda: self.config_text,
            "clock": self.clock,
            "sleep": self.clock.sleep,
        }
        settings.update(options)
        supervisor = MediaMTXSupervisor(
            config_path=self.config_path,
            api_port=self.api_port,
            paths=lambda: self.booths,
            on_state=lambda state: self.events.append((state, supervisor.reason)),
            **settings,
        )
        return supervisor

    async def api(self, method: str, route: str) -> tuple[int, Any]:
        """Call the running MediaMTX directly, bypassing the supervisor's client."""
        return await call_api(f"http://127.0.0.1:{self.api_port}", method, route)


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait until `condition()` holds; fail after `seconds`."""
    with anyio.fail_after(seconds):
        while True:
            if condition():
                return
            await asyncio.sleep(0.02)


@pytest.fixture
def kiosk(tmp_path: Path) -> SupervisorHost:
    return SupervisorHost(tmp_path)


async def active_paths(kiosk: SupervisorHost) -> list[str]:
    _, body = await kiosk.api("GET", "/v3/paths/list")
    return sorted(item["name"] for item in body["items"])


async def test_start_reaches_running_once_the_api_answers(kiosk: SupervisorHost) -> None:
    async with kiosk.supervisor() as supervisor:
        await until(lambda: supervisor.state == "running")
        info = await supervisor.client.info()
    assert info.version.startswith("v1.")
    assert [state for state, _ in kiosk.events] == ["starting", "running", "stopped"]


async def test_the_config_is_written_before_the_start(kiosk: SupervisorHost) -> None:
    async with kiosk.supervisor() as supervisor:
        await until(lambda: supervisor.state == "running")
        written = kiosk.config_path.read_text()
    assert written == kiosk.config_text
    assert [p.name for p in kiosk.config_path.parent.iterdir()] == ["mediamtx.yml"]


async def test_mediamtx_output_lands_in_the_log_ring_buffer(kiosk: SupervisorHost) -> None:
    async with kiosk.supervisor(log_capacity=3) as supervisor:
        await until(lambda: supervisor.state == "running")
        await until(
            lambda: any("[WebRTC] listener opened" in line for line in supervisor.log_lines)
        )
        lines = list(supervisor.log_lines)
    assert len(lines) == 3


async def test_every_booth_path_is_added_after_the_start(kiosk: SupervisorHost) -> None:
    async with kiosk.supervisor() as supervisor:
        await until(lambda: supervisor.state == "running")
        assert await active_paths(kiosk) == sorted(kiosk.booths)


async def test_a_killed_mediamtx_is_back_within_2_s_with_every_booth_path(
    kiosk: SupervisorHost,
) -> None:
    async with kiosk.supervisor(backoff_initial=0.5) as supervisor:
        await until(lambda: supervisor.state == "running")
        first_pid = supervisor.pid
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)
        await until(lambda: supervisor.state == "running" and supervisor.pid != first_pid, 2.0)
        assert (supervisor.restarts, kiosk.clock.waits) == (1, [0.5])
        assert await active_paths(kiosk) == sorted(kiosk.booths)


async def test_repeated_crashes_grow_the_backoff_and_say_so(kiosk: SupervisorHost) -> None:
    async with kiosk.supervisor() as supervisor:
        for crash in range(1, 5):
            await until(lambda: supervisor.state == "running")
            pid = supervisor.pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
            await until(lambda crash=crash: supervisor.restarts == crash)
        await until(lambda: supervisor.state == "running")
        next_backoff = supervisor.next_backoff
    assert kiosk.clock.waits == [0.05, 0.1, 0.2, 0.4]
    reasons = [reason for state, reason in kiosk.events if state == "failed"]
    assert reasons == [
        "MediaMTX was killed by SIGKILL; restart 1 in 0.05 s",
        "MediaMTX was killed by SIGKILL; restart 2 in 0.1 s",
        "MediaMTX was killed by SIGKILL; restart 3 in 0.2 s",
        "MediaMTX was killed by SIGKILL; restart 4 in 0.4 s",
    ]
    assert next_backoff == 0.4


async def test_the_backoff_resets_after_a_stable_run(kiosk: SupervisorHost) -> None:
    async with kiosk.supervisor(stable_after=0.3) as supervisor:
        await until(lambda: supervisor.state == "running")
        os.kill(supervisor.pid or 0, signal.SIGKILL)
        await until(lambda: supervisor.restarts == 1 and supervisor.state == "running")
        kiosk.clock.advance(0.4)  # a run longer than stable_after
        os.kill(supervisor.pid or 0, signal.SIGKILL)
        await until(lambda: supervisor.restarts == 2)
        next_backoff = supervisor.next_backoff
    reasons = [reason for state, reason in kiosk.events if state == "failed"]
    assert reasons[-1].endswith("restart 2 in 0.05 s")
    assert (kiosk.clock.waits, next_backoff) == ([0.05, 0.05], 0.1)


async def test_a_bad_config_fails_with_mediamtx_own_message(kiosk: SupervisorHost) -> None:
    render = lambda: kiosk.config_text + "bogus: true\n"  # noqa: E731
    kiosk.clock.hold()
    async with kiosk.supervisor(render_config=render) as supervisor:
        await until(lambda: supervisor.state == "failed")
        reason = supervisor.reason
    assert "exited with code 1" in reason
    assert 'ERR json: unknown field "bogus"' in reason


async def test_no_binary_reports_missing_and_starts_nothing(kiosk: SupervisorHost) -> None:
    async with kiosk.supervisor(binary=None) as supervisor:
        state = supervisor.state
    assert state == "missing"
    assert not kiosk.config_path.exists()


async def test_a_binary_that_vanished_reports_missing(
    kiosk: SupervisorHost, tmp_path: Path
) -> None:
    async with kiosk.supervisor(binary=tmp_path / "gone" / "mediamtx") as supervisor:
        await until(lambda: supervisor.state == "missing")
        reason = supervisor.reason
    assert "gone/mediamtx" in reason


async def test_disabled_reports_disabled_and_starts_nothing(kiosk: SupervisorHost) -> None:
    async with kiosk.supervisor(enabled=False) as supervisor:
        state = supervisor.state
    assert state == "disabled"
    assert not kiosk.config_path.exists()


async def test_stop_ends_mediamtx_gracefully(kiosk: SupervisorHost) -> None:
    async with kiosk.supervisor() as supervisor:
        await until(lambda: supervisor.state == "running")
    assert supervisor.state == "stopped"
    assert supervisor.log_lines[-1].endswith("INF shutting down gracefully")
    assert supervisor.restarts == 0


async def test_stop_kills_a_mediamtx_that_ignores_sigterm(kiosk: SupervisorHost) -> None:
    async with kiosk.supervisor(stop_timeout=0.3) as supervisor:
        await until(lambda: supervisor.state == "running")
        pid = supervisor.pid
        await kiosk.api("POST", "/_fake/ignore-sigterm")
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert "ignoring signal" in supervisor.log_lines[-1]


async def test_the_child_gets_no_mediamtx_override_variables(kiosk: SupervisorHost) -> None:
    environ = {"PATH": os.environ["PATH"], "MTX_API": "no", "RTSP_RTSPADDRESS": ":1", "KEEP": "1"}
    async with kiosk.supervisor(environ=environ) as supervisor:
        await until(lambda: supervisor.state == "running")
        _, overrides = await kiosk.api("GET", "/_fake/env")
    assert overrides == {}


async def test_an_orphan_on_the_api_port_is_reported_not_adopted(
    kiosk: SupervisorHost, tmp_path: Path
) -> None:
    orphan_config = tmp_path / "orphan.yml"
    orphan_config.write_text(kiosk.config_text)
    kiosk.clock.hold()
    async with FakeMediaMTX(orphan_config, kiosk.api_port), kiosk.supervisor() as supervisor:
        await until(lambda: supervisor.state == "failed")
        reason = supervisor.reason
    assert reason.startswith(
        f"another process already answers on http://127.0.0.1:{kiosk.api_port}"
    )


async def test_a_config_that_cannot_be_rendered_is_reported_as_failed(
    kiosk: SupervisorHost,
) -> None:
    def broken() -> str:
        raise KeyError("booth list unavailable")

    kiosk.clock.hold()
    async with kiosk.supervisor(render_config=broken) as supervisor:
        await until(lambda: supervisor.state == "failed")
        reason = supervisor.reason
    assert reason.startswith(f"cannot write {kiosk.config_path}")
    assert "booth list unavailable" in reason
