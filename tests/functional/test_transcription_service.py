"""The caption service's booth lifecycle: start, live pacing, stop, refusals."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from server.transcription.aggregator import Caption
from server.transcription.audio import AudioSourceError
from server.transcription.engine import FasterWhisperEngine, bundled_test_model
from server.transcription.service import TranscriptionService
from tests.spoken_audio import SCRIPTS, SpokenFile, spoken_file

pytestmark = pytest.mark.whisper


@pytest.fixture(scope="module")
def engine() -> FasterWhisperEngine:
    model = bundled_test_model()
    assert model is not None
    return FasterWhisperEngine(model, cpu_threads=1)


@pytest.fixture(scope="module")
def thanks(tmp_path_factory: pytest.TempPathFactory) -> SpokenFile:
    return spoken_file(tmp_path_factory.mktemp("speech"), "thanks", SCRIPTS["thanks"])


@pytest.mark.anyio
async def test_a_live_booth_shows_partials_then_finals_and_stop_clears_it(
    engine: FasterWhisperEngine, thanks: SpokenFile
) -> None:
    captions: list[Caption] = []
    first_final = asyncio.Event()

    async def keep(caption: Caption) -> None:
        captions.append(caption)
        if caption.status == "final":
            first_final.set()

    async with TranscriptionService(lambda: engine, 1, keep) as service:
        await service.start("ev/main/en", str(thanks.path), realtime=True)
        await asyncio.wait_for(first_final.wait(), timeout=30)
        assert service.active_booths() == ["ev/main/en"]
        await service.stop("ev/main/en")
        assert service.active_booths() == []
    statuses = [caption.status for caption in captions]
    assert statuses.index("partial") < statuses.index("final")
    assert statuses[-1] == "clear"
    assert captions[statuses.index("final")].text.lower().startswith("thank you")


@pytest.mark.anyio
async def test_starting_a_running_booth_again_is_refused(
    engine: FasterWhisperEngine, thanks: SpokenFile
) -> None:
    async def ignore(caption: Caption) -> None:
        return None

    async with TranscriptionService(lambda: engine, 1, ignore) as service:
        await service.start("ev/main/en", str(thanks.path), realtime=True)
        with pytest.raises(ValueError, match="already running"):
            await service.start("ev/main/en", str(thanks.path), realtime=True)


@pytest.mark.anyio
async def test_a_booth_whose_source_cannot_be_opened_does_not_start(
    engine: FasterWhisperEngine, tmp_path: Path
) -> None:
    async def ignore(caption: Caption) -> None:
        return None

    async with TranscriptionService(lambda: engine, 1, ignore) as service:
        with pytest.raises(AudioSourceError, match="missing.wav"):
            await service.start("ev/main/en", str(tmp_path / "missing.wav"))
        assert service.active_booths() == []
