"""`voxbento-kiosk captions check AUDIO_FILE`: run the caption pipeline on a file.

Prints each final caption with its stream times, then the real-time factor: the time spent
captioning divided by the length of the audio (model loading is not counted). Below 1.0 the
machine keeps up with one live booth; 1 / RTF is roughly how many booths it can caption
when `max_concurrent` is set to its cores.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TextIO

from server.transcription.aggregator import Caption
from server.transcription.audio import AudioSourceError, probe_audio_file
from server.transcription.engine import FasterWhisperEngine, TranscriptionEngine
from server.transcription.service import TranscriptionService

CHECK_BOOTH_ID = "check"
# faster-whisper's own default; the live path uses greedy decoding to keep up with 4 booths.
CHECK_BEAM_SIZE = 5


def format_clock(seconds: float) -> str:
    """`HH:MM:SS.cc`, the form the check prints."""
    centis = round(max(seconds, 0.0) * 100)
    hours, centis = divmod(centis, 360_000)
    minutes, centis = divmod(centis, 6000)
    secs, centis = divmod(centis, 100)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{centis:02d}"


def format_final(caption: Caption) -> str:
    """One printed line: `[00:00:01.20 → 00:00:04.85] text`."""
    return f"[{format_clock(caption.started_at)} → {format_clock(caption.ended_at)}] {caption.text}"


def check_engine(model: str) -> FasterWhisperEngine:
    """The engine the check uses: one job at a time on all cores, so it can afford beam 5.

    It decodes with faster-whisper's own transcribe() (full 30 s windows), so the check shows
    what the model itself hears in a recording; short windows are the live path's saving
    (WER 10.0 % against 9.2 % with full windows on the speech set, beam 5).
    """
    return FasterWhisperEngine(model, beam_size=CHECK_BEAM_SIZE, window_step=None)


async def run_caption_check(
    path: str | Path,
    model: str,
    out: TextIO,
    *,
    engine: TranscriptionEngine | None = None,
) -> float:
    """Caption `path` with `model` (name or folder), print to `out`, return the real-time factor.

    The file is checked before the model loads. Raises `AudioSourceError` when the file
    cannot be read and `EngineUnavailable` when the model cannot be loaded. `engine`
    replaces loading `model` (tests share one engine).
    """
    source = str(path)
    await asyncio.to_thread(probe_audio_file, source)
    loaded = engine if engine is not None else await asyncio.to_thread(check_engine, model)

    async def print_final(caption: Caption) -> None:
        if caption.status == "final":
            out.write(format_final(caption) + "\n")
            out.flush()

    async with TranscriptionService(
        lambda: loaded,
        max_concurrent=1,
        on_caption=print_final,
        partials=False,
        phrase_pauses=False,
    ) as service:
        started = time.perf_counter()
        await service.start(CHECK_BOOTH_ID, source, realtime=False)
        stats = await service.wait_finished(CHECK_BOOTH_ID)
        elapsed = time.perf_counter() - started
    if stats.audio_seconds <= 0:
        raise AudioSourceError(f"audio source {source} holds no audio")
    factor = elapsed / stats.audio_seconds
    if stats.discarded_seconds > 0:
        out.write(
            f"ignored {stats.discarded_seconds:.1f} s of short sounds as not speech "
            "(clicks, coughs)\n"
        )
    out.write(
        f"real-time factor: {factor:.2f} "
        f"({elapsed:.1f} s of processing for {stats.audio_seconds:.1f} s of audio)\n"
    )
    return factor
