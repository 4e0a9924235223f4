"""Runs MediaMTX as a child process and keeps it running (docs/design.md §9).

One task owns the child: it writes the config, starts the process, waits for `GET /v3/info`,
re-adds the paths, then waits for the exit or for `stop()`. An unexpected exit is followed by a
restart after an exponential backoff. The restart policy runs on an injected `clock` and
`sleep` (real time by default), so tests can follow the backoff without waiting for it;
waiting for a started child to answer stays on real time, since a real process is behind it. Nothing here parses MediaMTX's log lines for meaning; the
last line is only quoted in `reason` when the process exits on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Literal

from server.mediamtx.api import MediaMTXClient, MediaMTXError
from server.mediamtx.config_file import path_settings, write_mediamtx_config

logger = logging.getLogger(__name__)

SupervisorState = Literal["disabled", "missing", "stopped", "starting", "running", "failed"]

# MediaMTX reads these as overrides of the file; the file must be the only source of truth.
OVERRIDE_PREFIXES = ("MTX_", "RTSP_")


def clean_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: everything but MediaMTX's override variables."""
    return {key: value for key, value in environ.items() if not key.startswith(OVERRIDE_PREFIXES)}


def describe_exit(returncode: int, last_line: str) -> str:
    """A human sentence for how the process ended."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"MediaMTX was killed by {name}"
    what = f"MediaMTX exited with code {returncode}"
    if returncode == 1:
        what += " (start-up failed)"
    return f"{what}: {last_line}" if last_line else what


class MediaMTXSupervisor:
    """Keeps one MediaMTX child alive; use it as `async with supervisor:`."""

    def __init__(
        self,
        binary: Path | None,
        config_path: Path,
        render_config: Callable[[], str],
        api_port: int,
        paths: Callable[[], Iterable[str]],
        on_state: Callable[[str], None] | None = None,
        *,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        stable_after: float = 60.0,
        stop_timeout: float = 5.0,
        ready_timeout: float = 10.0,
        ready_poll_interval: float = 0.1,
        environ: Mapping[str, str] | None = None,
        log_capacity: int = 1000,
    ) -> None:
        self.binary = binary
        self.config_path = config_path
        self.client = MediaMTXClient(api_port)
        self.log_lines: deque[str] = deque(maxlen=log_capacity)
        """MediaMTX's recent stdout and stderr lines, oldest first, for the console."""
        self._log_total = 0
        self._render_config = render_config
        self._paths = paths
        self._on_state = on_state
        self._enabled = enabled
        # How long a run lasted and how long to wait before the next: the restart policy.
        self._clock = clock
        self._sleep = sleep
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._stable_after = stable_after
        self._stop_timeout = stop_timeout
        self._ready_timeout = ready_timeout
        self._ready_poll_interval = ready_poll_interval
        self._environ = os.environ if environ is None else environ
        self._state: SupervisorState = "stopped"
        self._reason = ""
        self._restarts = 0
        self._next_backoff = backoff_initial
        self._last_line = ""
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._running_since: float | None = None

    @property
    def state(self) -> SupervisorState:
        """One of disabled, missing, stopped, starting, running, failed."""
        return self._state

    @property
    def reason(self) -> str:
        """Why the state is what it is (empty while all is well)."""
        return self._reason

    @property
    def log_total(self) -> int:
        """How many lines MediaMTX has written so far; tells readers how many are new."""
        return self._log_total

    @property
    def restarts(self) -> int:
        """How many restarts followed an unexpected exit or a failed start."""
        return self._restarts

    @property
    def pid(self) -> int | None:
        """The running child's process id, if there is one."""
        if self._process is None or self._process.returncode is not None:
            return None
        return self._process.pid

    @property
    def next_backoff(self) -> float:
        """Seconds the next restart will wait, unless the current run proves stable first."""
        return self._next_backoff

    async def __aenter__(self) -> MediaMTXSupervisor:
        if not self._enabled:
            self._set_state("disabled", "MediaMTX is disabled in the configuration")
        elif self.binary is None:
            self._set_state("missing", "no mediamtx binary (see `voxbento-kiosk mediamtx install`)")
        else:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(self.binary), name="mediamtx-supervisor")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop MediaMTX (SIGTERM, then SIGKILL after `stop_timeout`) and stop restarting it."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self.client.close()
        if self._state not in ("disabled", "missing"):
            self._set_state("stopped", "")

    async def ensure_path(self, booth_id: str) -> None:
        """Make sure MediaMTX serves the path `booth_id` (cached; see `MediaMTXClient`).

        Raises MediaMTXError (MediaMTXUnavailable when MediaMTX is not running).
        """
        await self.client.ensure_path(booth_id, dict(path_settings(booth_id)))

    async def remove_path(self, name: str) -> None:
        """Stop serving the path `name` (a deleted booth or room); its readers are dropped.

        Raises MediaMTXError (MediaMTXUnavailable when MediaMTX is not running).
        """
        await self.client.delete_path(name)

    async def kick_publishers(self, name: str) -> int:
        """Cut every WebRTC publisher of path `name` (say, a revoked interpreter's stream, which
        the auth hook approved when it started); returns how many were cut."""
        sessions = await self.client.list_webrtc_sessions()
        cut = 0
        for session in sessions:
            if session.get("path") == name and session.get("state") == "publish":
                await self.client.kick_webrtc_session(str(session.get("id")))
                cut += 1
        return cut

    async def _run(self, binary: Path) -> None:
        while not self._stopping.is_set():
            outcome, uptime = await self._run_once(binary)
            if self._stopping.is_set() or outcome is None:
                return
            if uptime >= self._stable_after:
                self._next_backoff = self._backoff_initial
            delay = self._next_backoff
            self._next_backoff = min(delay * 2, self._backoff_max)
            self._restarts += 1
            self._set_state("failed", f"{outcome}; restart {self._restarts} in {delay:g} s")
            await self._back_off(delay)

    async def _back_off(self, delay: float) -> None:
        """Wait `delay` seconds on the injected sleep, or less if `stop()` is called."""
        waited = asyncio.ensure_future(self._sleep(delay))
        stop_requested = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({waited, stop_requested}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waited.cancel()
            stop_requested.cancel()

    async def _run_once(self, binary: Path) -> tuple[str | None, float]:
        """One life of the child: (why it ended, or None to give up; seconds it was running)."""
        self._set_state("starting", "")
        try:
            write_mediamtx_config(self.config_path, self._render_config())
        except Exception as err:  # render_config is the caller's code: report, never die silently
            return f"cannot write {self.config_path}: {err}", 0.0
        if await self._api_already_answers():
            # An orphan from a killed kiosk, say: its answers would pass for our child's.
            return f"another process already answers on {self.client.base_url}", 0.0
        try:
            process = await asyncio.create_subprocess_exec(
                str(binary),
                str(self.config_path),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=clean_environment(self._environ),
                # Its own session: a Ctrl-C in the kiosk's terminal must not reach MediaMTX
                # behind the supervisor's back.
                start_new_session=True,
                limit=1 << 20,
            )
        except (FileNotFoundError, PermissionError) as err:
            self._set_state("missing", f"cannot run {binary}: {err.strerror}")
            return None, 0.0
        except OSError as err:
            return f"cannot run {binary}: {err}", 0.0
        self._process, self._running_since, self._last_line = process, None, ""
        reader = asyncio.create_task(self._read_output(process))
        try:
            timeout_note = await self._serve(process)
        finally:
            self._process = None
            if process.returncode is None:  # cancelled: never leave an orphan behind
                process.kill()
                await process.wait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reader, 1.0)
        assert process.returncode is not None
        outcome = timeout_note or describe_exit(process.returncode, self._last_line)
        running_for = 0.0 if self._running_since is None else self._clock() - self._running_since
        return outcome, running_for

    async def _serve(self, process: asyncio.subprocess.Process) -> str | None:
        """Wait for readiness, then for the exit or a stop request; say so if never ready."""
        if await self._wait_ready(process):
            self.client.clear_cache()
            await self._add_paths()
            self._running_since = self._clock()
            self._set_state("running", "")
        elif process.returncode is None and not self._stopping.is_set():
            await self._terminate(process)
            return f"MediaMTX did not answer /v3/info within {self._ready_timeout:g} s"
        exited = asyncio.ensure_future(process.wait())
        stop_requested = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({exited, stop_requested}, return_when=asyncio.FIRST_COMPLETED)
        stop_requested.cancel()
        if not exited.done():
            await self._terminate(process)
        await exited
        return None

    async def _wait_ready(self, process: asyncio.subprocess.Process) -> bool:
        # Real time: the child needs it to start, whatever clock the restart policy runs on.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._ready_timeout
        while process.returncode is None and not self._stopping.is_set():
            try:
                await self.client.info()
            except MediaMTXError:
                if loop.time() >= deadline:
                    return False
                await asyncio.sleep(self._ready_poll_interval)
            else:
                return True
        return False

    async def _api_already_answers(self) -> bool:
        try:
            await self.client.info()
        except MediaMTXError:
            return False
        return True

    async def _add_paths(self) -> None:
        for name in self._paths():
            try:
                await self.client.ensure_path(name, dict(path_settings(name)))
            except MediaMTXError as err:
                logger.warning("MediaMTX path %s not added: %s", name, err)

    async def _terminate(self, process: asyncio.subprocess.Process) -> None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), self._stop_timeout)
        except TimeoutError:
            logger.warning("MediaMTX ignored SIGTERM for %g s; killing it", self._stop_timeout)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    async def _read_output(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while True:
            try:
                raw = await process.stdout.readline()
            except ValueError:  # a line longer than the limit: skip it
                continue
            if not raw:
                return
            line = raw.decode("utf-8", errors="replace").rstrip()
            if line:
                self.log_lines.append(line)
                self._log_total += 1
                self._last_line = line

    def _set_state(self, state: SupervisorState, reason: str) -> None:
        if (state, reason) == (self._state, self._reason):
            return
        self._state, self._reason = state, reason
        logger.info("MediaMTX %s%s", state, f": {reason}" if reason else "")
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                logger.exception("MediaMTX on_state callback failed")
