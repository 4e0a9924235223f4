"""Join-storm benchmark: N phones open the listener socket at the same instant.

Two servers run side by side, each in its own process (`bench/join_storm_server.py`): the kiosk
as `serve` runs it (`ours`) and a bare aiohttp server that accepts and sends one pre-built frame
with the same listen backlog (`bare`, the floor). Client processes (`bench/join_storm_clients.py`)
share the N phones; at an agreed instant each opens all of its phones at once. Storms alternate
between the two servers so that both see the same machine load. For each N and server it prints:

- the storm time: from the start until every phone had its first `listen:state`, p50 and max over
  the repeats (and the median phone's wait);
- the kernel's listen-queue overflows during the storms (`ListenOverflows` in /proc/net/netstat:
  a count for the whole machine, so anything else connecting on it is counted too);
- errors (refused, reset, no first frame within 30 s), and the listen backlog `ss -ltn` shows;
- the server process's CPU time per phone (user + system, from the storm's start until the last
  phone had its frame): the work each phone costs, which the machine's other load hardly moves.

    python bench/join_storm.py                               # N = 500, 2000, 5000; 5 repeats
    python bench/join_storm.py --sizes 2000 --repeats 3 --json storm.json
    python bench/join_storm.py --sizes 2000 --profile connect.txt   # pyinstrument, ours
    python bench/join_storm.py --sizes 2000 --profile bare.txt --profile-kind bare
    python bench/join_storm.py --kinds bare ours ours-uvloop         # uvloop, same run

Targets at 2,000 phones: ours ≤ 1.3 × bare, and 0 listen overflows.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from join_storm_clients import client_main  # noqa: E402

SERVER = Path(__file__).resolve().parent / "join_storm_server.py"
PATH = "/ws/listen/storm/main"
KINDS = ("bare", "ours", "bare-uvloop", "ours-uvloop")
TARGET_RATIO = 1.3
DRAIN_TIMEOUT = 20.0


@dataclass
class Result:
    """One server kind at one size, over every repeat."""

    kind: str
    phones: int
    backlog: int
    storm_ms: list[float] = field(default_factory=list)
    median_phone_ms: list[float] = field(default_factory=list)
    cpu_us_per_phone: list[float] = field(default_factory=list)
    overflows: list[int] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def p50_ms(self) -> float:
        """Median storm time over the repeats."""
        return statistics.median(self.storm_ms) if self.storm_ms else float("nan")

    @property
    def max_ms(self) -> float:
        """Slowest storm over the repeats."""
        return max(self.storm_ms) if self.storm_ms else float("nan")

    @property
    def cpu_us(self) -> float:
        """Median server CPU time per phone over the repeats, in microseconds."""
        return statistics.median(self.cpu_us_per_phone) if self.cpu_us_per_phone else float("nan")


def listen_overflows() -> dict[str, int]:
    """The kernel's TcpExt ListenOverflows and ListenDrops counters (whole machine)."""
    with open("/proc/net/netstat") as netstat:
        lines = netstat.read().splitlines()
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], values.split()[1:], strict=True))
            return {k: int(table[k]) for k in ("ListenOverflows", "ListenDrops")}
    raise RuntimeError("no TcpExt line in /proc/net/netstat")


def ss_lines(state: str, port: int) -> list[str]:
    """`ss -Htn` lines for local port `port` in `state`."""
    out = subprocess.run(
        ["ss", "-Htn", "state", state, f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line.strip()]


def listen_backlog(port: int) -> int:
    """The backlog the kernel holds for the listening socket (Send-Q of `ss -ltn`)."""
    lines = ss_lines("listening", port)
    if not lines:
        raise RuntimeError(f"nothing listens on port {port}")
    # Columns: Recv-Q Send-Q Local Peer (the state column is left out with `state ...`).
    return int(lines[0].split()[1])


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process `pid` so far (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name (field 2) may hold spaces; the fields after its ")" are fixed.
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class ServerProcess:
    """One benchmark server in a subprocess."""

    def __init__(self, kind: str, backlog: int | None, loop: str) -> None:
        server_kind, _, kind_loop = kind.partition("-")
        loop = kind_loop or loop
        command = [sys.executable, str(SERVER), "--kind", server_kind, "--loop", loop]
        if backlog is not None:
            command += ["--backlog", str(backlog)]
        self.kind = kind
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if not line or line[0] != "READY":
            raise RuntimeError(f"the {kind} server did not start")
        self.port = int(line[1])
        self.backlog = listen_backlog(self.port)

    def command(self, text: str) -> None:
        """Send one stdin command and wait for its OK."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "OK":
            raise RuntimeError(f"{self.kind}: no OK for {text!r}")

    def wait_drained(self) -> None:
        """Wait until the server has let go of every phone of the last storm."""
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while time.monotonic() < deadline:
            if not ss_lines("established", self.port) and not ss_lines("close-wait", self.port):
                return
            time.sleep(0.2)
        print(f"  warning: {self.kind} still holds sockets after {DRAIN_TIMEOUT:g} s", flush=True)

    def stop(self) -> None:
        """Close stdin (the server's signal to stop) and wait for it."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Clients:
    """The client processes, driven over pipes."""

    def __init__(self, count: int) -> None:
        self.pipes: list[Any] = []
        self.processes: list[multiprocessing.Process] = []
        for _ in range(count):
            parent, child = multiprocessing.Pipe()
            process = multiprocessing.Process(target=client_main, args=(child,), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def storm(
        self, port: int, phones: int, sources: int, path: str = PATH, server_pid: int | None = None
    ) -> dict[str, Any]:
        """Open `phones` sockets to `port` at once, spread over the processes; then release.

        With `server_pid`, also the server's CPU time from the start until every phone had its
        frame (before the release, so closing the sockets is not counted).
        """
        shares = [
            phones // len(self.pipes) + (i < phones % len(self.pipes))
            for i in range(len(self.pipes))
        ]
        before = listen_overflows()
        cpu_before = process_cpu_seconds(server_pid) if server_pid else 0.0
        start_at = time.monotonic() + 0.3  # every process is waiting before the instant comes
        first = 0
        for pipe, share in zip(self.pipes, shares, strict=True):
            pipe.send(("storm", port, path, share, first, sources, start_at))
            first += share
        arrivals: list[float] = []
        errors: dict[str, int] = {}
        for pipe in self.pipes:
            kind, figures = pipe.recv()
            arrivals += figures["arrivals"]
            for name, n in figures["errors"].items():
                errors[name] = errors.get(name, 0) + n
        after = listen_overflows()
        cpu = process_cpu_seconds(server_pid) - cpu_before if server_pid else float("nan")
        for pipe in self.pipes:
            pipe.send(("release",))
        for pipe in self.pipes:
            pipe.recv()
        return {
            "storm_ms": (max(arrivals) - start_at) * 1000 if arrivals else float("nan"),
            "median_phone_ms": (statistics.median(arrivals) - start_at) * 1000
            if arrivals
            else float("nan"),
            "overflows": after["ListenOverflows"] - before["ListenOverflows"],
            "errors": errors,
            "cpu_us_per_phone": cpu * 1e6 / phones,
        }

    def stop(self) -> None:
        """End every client process."""
        for pipe in self.pipes:
            pipe.send(("quit",))
        for process in self.processes:
            process.join(timeout=30)


def run(args: argparse.Namespace) -> list[Result]:
    """Every size, `repeats` storms per server, alternating; plus the profile when asked."""
    servers = {kind: ServerProcess(kind, args.backlog, args.loop) for kind in args.kinds}
    clients = Clients(args.clients)
    results: list[Result] = []
    try:
        for server in servers.values():
            print(f"{server.kind}: port {server.port}, listen backlog {server.backlog}", flush=True)
            clients.storm(server.port, 50, args.sources)  # warm-up: imports, caches, JIT-less
            server.wait_drained()
        for phones in args.sizes:
            by_kind = {k: Result(k, phones, servers[k].backlog) for k in args.kinds}
            for repeat in range(args.repeats):
                order = args.kinds if repeat % 2 == 0 else tuple(reversed(args.kinds))
                for kind in order:
                    server = servers[kind]
                    figures = clients.storm(
                        server.port, phones, args.sources, server_pid=server.process.pid
                    )
                    result = by_kind[kind]
                    result.storm_ms.append(figures["storm_ms"])
                    result.median_phone_ms.append(figures["median_phone_ms"])
                    result.overflows.append(figures["overflows"])
                    result.cpu_us_per_phone.append(figures["cpu_us_per_phone"])
                    for name, n in figures["errors"].items():
                        result.errors[name] = result.errors.get(name, 0) + n
                    print(
                        f"  N={phones} {kind}: {figures['storm_ms']:.0f} ms, "
                        f"{figures['overflows']} overflows, "
                        f"{sum(figures['errors'].values())} errors, "
                        f"server CPU {figures['cpu_us_per_phone']:.0f} µs/phone",
                        flush=True,
                    )
                    servers[kind].wait_drained()
            results += by_kind.values()
        if args.profile and args.profile_kind in servers:
            profiled = servers[args.profile_kind]
            profiled.command("profile-start")
            figures = clients.storm(profiled.port, args.profile_size, args.sources)
            profiled.command(f"profile-stop {args.profile.resolve()}")
            print(
                f"profiled storm of {args.profile_size} ({args.profile_kind}): "
                f"{figures['storm_ms']:.0f} ms "
                f"(under the profiler); report in {args.profile}",
                flush=True,
            )
    finally:
        clients.stop()
        for server in servers.values():
            server.stop()
    return results


def report(results: list[Result]) -> None:
    """Print the table and the ours/bare ratios."""
    print(
        f"{'N':>6} {'server':>11} {'backlog':>7} {'p50 ms':>8} {'max ms':>8} {'phone p50':>9}"
        f" {'overflows':>9} {'errors':>6} {'CPU µs/phone':>12}"
    )
    for r in results:
        print(
            f"{r.phones:>6} {r.kind:>11} {r.backlog:>7} {r.p50_ms:>8.0f} {r.max_ms:>8.0f}"
            f" {statistics.median(r.median_phone_ms):>9.0f} {sum(r.overflows):>9}"
            f" {sum(r.errors.values()):>6} {r.cpu_us:>12.0f}"
        )
    for r in results:
        for name, n in r.errors.items():
            print(f"  N={r.phones} {r.kind}: {n} × {name}")
    by_size: dict[int, dict[str, Result]] = {}
    for r in results:
        by_size.setdefault(r.phones, {})[r.kind] = r
    for size, pair in by_size.items():
        for name in ("ours", "ours-uvloop"):
            if name not in pair or "bare" not in pair:
                continue
            ours, bare = pair[name], pair["bare"]
            print(
                f"N={size}: {name}/bare p50 {ours.p50_ms / bare.p50_ms:.2f}x, "
                f"CPU per phone {ours.cpu_us / bare.cpu_us:.2f}x "
                f"(target ≤ {TARGET_RATIO}x at 2000); overflows {name} {sum(ours.overflows)}, "
                f"bare {sum(bare.overflows)} (target 0 at 2000)"
            )


def main() -> None:
    """Parse arguments, run, print and optionally save."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument(
        "--sources", type=int, default=64, help="loopback source addresses the phones use"
    )
    parser.add_argument(
        "--backlog",
        type=int,
        help="listen backlog for both servers (default: the kiosk's own; bare 2048)",
    )
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=KINDS,
        default=["bare", "ours"],
        help="servers to compare; the -uvloop ones run on uvloop whatever --loop says",
    )
    parser.add_argument(
        "--loop",
        choices=("default", "asyncio", "uvloop"),
        default="default",
        help="event loop of both servers",
    )
    parser.add_argument("--profile", type=Path, help="profile one storm into this file")
    parser.add_argument("--profile-size", type=int, default=2000)
    parser.add_argument(
        "--profile-kind", choices=KINDS, default="ours", help="the server to profile"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    args.kinds = tuple(args.kinds)
    if min(args.sizes) < 1 or max(args.sizes) > 10000:
        parser.error("--sizes must be from 1 to 10000 (loopback, bounded)")
    results = run(args)
    report(results)
    if args.json:
        rows = [
            asdict(r) | {"p50_ms": r.p50_ms, "max_ms": r.max_ms, "cpu_us_per_phone_p50": r.cpu_us}
            for r in results
        ]
        args.json.write_text(json.dumps({"loop": args.loop, "results": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
