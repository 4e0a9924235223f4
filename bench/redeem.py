"""Benchmark: invite redemption under 500 concurrent attempts, beside a bare aiosqlite baseline.

Both sides run in the same process on the same migrated schema, each on its own SQLite file in
WAL mode, with the same tokens (various max_uses) and the same shuffled 500 attempts fired at
once. For each round the script checks exactly-once: every token succeeded exactly
min(attempts, max_uses) times and its `uses` column says so.

    python bench/redeem.py [--attempts 500] [--rounds 5] [--json FILE]

The kiosk's `redeem_invite_token` does the conditional UPDATE and then reads the invite back with
its booth, room and event (what the join page needs), both in one transaction so that the `uses`
it reads is that redemption's own number; the baseline does only the UPDATE.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import db  # noqa: E402
from db.migrate import migrate_db  # noqa: E402

MAX_USES = (1, 1, 1, 5, 5, 10, 25, 50, 100)
BASELINE_SQL = (
    "UPDATE invitetoken SET uses = uses + 1 WHERE token = ? AND revoked_at IS NULL "
    "AND uses < max_uses AND (expires_at IS NULL OR expires_at > ?)"
)


@dataclass(frozen=True)
class Round:
    """One burst of concurrent attempts."""

    seconds: float
    successes: int
    exactly_once: bool
    latency_p50_ms: float
    latency_p95_ms: float


@dataclass(frozen=True)
class Summary:
    """The figures of one side over every round."""

    name: str
    attempts: int
    rounds: int
    redemptions_per_second_median: float
    latency_p50_ms_median: float
    latency_p95_ms_median: float
    exactly_once_every_round: bool


def _attempt_plan(tokens: list[str], attempts: int, seed: int) -> list[str]:
    plan = [tokens[i % len(tokens)] for i in range(attempts)]
    random.Random(seed).shuffle(plan)
    return plan


async def _burst(
    plan: list[str], redeem: Callable[[str], Awaitable[bool]]
) -> tuple[float, list[bool], list[float]]:
    start = time.perf_counter()
    finished: list[float] = []

    async def one(token: str) -> bool:
        ok = await redeem(token)
        finished.append(time.perf_counter() - start)
        return ok

    results = await asyncio.gather(*(one(t) for t in plan))
    return time.perf_counter() - start, list(results), finished


def _check(
    plan: list[str], results: list[bool], max_uses: dict[str, int], uses: dict[str, int]
) -> bool:
    wanted = Counter(plan)
    won = Counter(t for t, ok in zip(plan, results, strict=True) if ok)
    return all(won[t] == uses[t] == min(wanted[t], limit) for t, limit in max_uses.items())


def _round(seconds: float, results: list[bool], finished: list[float], ok: bool) -> Round:
    ms = sorted(f * 1000 for f in finished)
    return Round(
        seconds=seconds,
        successes=sum(results),
        exactly_once=ok,
        latency_p50_ms=ms[len(ms) // 2],
        latency_p95_ms=ms[int(len(ms) * 0.95) - 1],
    )


async def _seed_tokens() -> dict[str, int]:
    await db.create_event("bench", "Bench")
    await db.create_booth("bench", "main", "en", "English")
    tokens = {}
    for limit in MAX_USES:
        invite = await db.create_invite_token(
            "bench/main/en", "interpreter", hours=1, max_uses=limit
        )
        tokens[invite.token] = limit
    return tokens


async def kiosk_round(folder: Path, attempts: int, seed: int) -> Round:
    """The kiosk's own redeem_invite_token through Tortoise."""
    url = db.sqlite_url(folder / f"kiosk-{seed}.sqlite3")
    await migrate_db(url)
    await db.init_db(url)
    try:
        max_uses = await _seed_tokens()
        plan = _attempt_plan(list(max_uses), attempts, seed)

        async def redeem(token: str) -> bool:
            try:
                await db.redeem_invite_token(token)
            except db.InviteError:
                return False
            return True

        seconds, results, finished = await _burst(plan, redeem)
        uses = {i.token: i.uses for i in await db.list_invites()}
    finally:
        await db.close_db()
    return _round(seconds, results, finished, _check(plan, results, max_uses, uses))


async def baseline_round(folder: Path, attempts: int, seed: int) -> Round:
    """One bare aiosqlite connection running the same conditional UPDATE."""
    path = folder / f"baseline-{seed}.sqlite3"
    url = db.sqlite_url(path)
    await migrate_db(url)
    await db.init_db(url)
    try:
        max_uses = await _seed_tokens()
    finally:
        await db.close_db()
    plan = _attempt_plan(list(max_uses), attempts, seed)
    # Autocommit and the same pragmas as Tortoise's SQLite client, so only the layers differ.
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        now = datetime.now(UTC).isoformat(sep=" ")  # the text form Tortoise stores

        async def redeem(token: str) -> bool:
            cursor = await conn.execute(BASELINE_SQL, (token, now))
            return cursor.rowcount == 1

        seconds, results, finished = await _burst(plan, redeem)
        rows = await conn.execute_fetchall("SELECT token, uses FROM invitetoken")
    uses = {str(token): int(count) for token, count in rows}
    return _round(seconds, results, finished, _check(plan, results, max_uses, uses))


def summarise(name: str, attempts: int, rounds: list[Round]) -> Summary:
    """Medians over the rounds."""
    return Summary(
        name=name,
        attempts=attempts,
        rounds=len(rounds),
        redemptions_per_second_median=statistics.median(attempts / r.seconds for r in rounds),
        latency_p50_ms_median=statistics.median(r.latency_p50_ms for r in rounds),
        latency_p95_ms_median=statistics.median(r.latency_p95_ms for r in rounds),
        exactly_once_every_round=all(r.exactly_once for r in rounds),
    )


async def run(attempts: int, rounds: int) -> tuple[Summary, Summary]:
    """Alternate kiosk and baseline rounds so both see the same machine state."""
    kiosk: list[Round] = []
    baseline: list[Round] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for seed in range(rounds):
            kiosk.append(await kiosk_round(folder, attempts, seed))
            baseline.append(await baseline_round(folder, attempts, seed))
    return summarise("kiosk redeem_invite_token", attempts, kiosk), summarise(
        "baseline bare aiosqlite UPDATE", attempts, baseline
    )


def report(kiosk: Summary, baseline: Summary) -> str:
    """The figures as a small table."""
    lines = [
        f"{kiosk.attempts} concurrent attempts on {len(MAX_USES)} tokens "
        f"(max_uses {', '.join(map(str, MAX_USES))}), median of {kiosk.rounds} rounds",
        f"{'':34}{'attempts/s':>12}{'p50 ms':>10}{'p95 ms':>10}  exactly-once",
    ]
    for s in (kiosk, baseline):
        lines.append(
            f"{s.name:34}{s.redemptions_per_second_median:>12.0f}{s.latency_p50_ms_median:>10.1f}"
            f"{s.latency_p95_ms_median:>10.1f}  {'yes' if s.exactly_once_every_round else 'NO'}"
        )
    ratio = kiosk.redemptions_per_second_median / baseline.redemptions_per_second_median
    lines.append(f"kiosk throughput = {ratio:.2f} x baseline")
    return "\n".join(lines)


def main() -> int:
    """Parse options, run, print, and save JSON when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", metavar="FILE", type=Path)
    args = parser.parse_args()
    kiosk, baseline = asyncio.run(run(args.attempts, args.rounds))
    print(report(kiosk, baseline))
    if args.json:
        args.json.write_text(
            json.dumps({"kiosk": asdict(kiosk), "baseline": asdict(baseline)}, indent=2) + "\n"
        )
        print(f"saved {args.json}")
    return 0 if kiosk.exactly_once_every_round and baseline.exactly_once_every_round else 1


if __name__ == "__main__":
    raise SystemExit(main())
