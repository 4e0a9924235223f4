"""Live captions for many booths: audio in, `Caption`s out through a callback.

One pipeline task per booth reads its audio, cuts it into phrases at pauses (`vad`), and
decodes each ended phrase together with the phrases just before it (as many as fit with it
in `CONTEXT_WINDOW_SECONDS`, from the booth's `RecentAudio`): Whisper hears the phrase in
context, only the phrase's own words are kept (`streaming.words_from`), and they are final
at once. Engine jobs run on worker
threads, at most `max_concurrent` at once across all booths, so the event loop stays free and
the CPU is not oversubscribed.

While someone keeps talking, the open phrase is transcribed every 2 s of audio as a draft
(one greedy pass) and shown as a partial. A draft commits nothing unless the phrase has run
`TRIM_WINDOW_SECONDS` without a pause: then the words two drafts agree on (`LocalAgreement`)
become finals and the window moves on. Drafts never take the last free worker (one stays free
for the final of a booth that pauses), and are skipped when the booth is behind, so with many
booths they thin out rather than delay finals. Partials are coalesced to at most four a second
per booth.

Times: each booth's aggregator runs on that booth's stream clock (seconds of audio since its
start), so captions carry stream times and a file gives the same captions at any speed. The
service's own `clock` (monotonic seconds) paces partial delivery.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from types import TracebackType

import numpy as np
from numpy.typing import NDArray

from server.transcription.aggregator import Caption, CaptionAggregator, TimedWord, counter_from
from server.transcription.audio import AudioChunk, AudioEnded, AudioStream, SkippedAudio
from server.transcription.booths import BoothPipeline, BoothStats
from server.transcription.engine import Segment, TranscriptionEngine
from server.transcription.streaming import (
    only_a_stock_phrase,
    timed_words,
    untranscribed_rest,
    words_from,
)
from server.transcription.throttle import PartialThrottle
from server.transcription.vad import SpeechDetector, SpeechSegmenter, Utterance
from server.transcription.workers import EngineWorkers

log = logging.getLogger(__name__)

CaptionCallback = Callable[[Caption], Awaitable[None]]
NoticeCallback = Callable[[str, str], Awaitable[None]]

PARTIAL_EVERY_SECONDS = 2.0
PARTIAL_MIN_SPEECH_SECONDS = 2.0
# A pause the detector's model hears for this long ends a phrase (see `vad`).
PHRASE_PAUSE_SECONDS = 0.25
# Workers kept free of partials (for finals) when there is more than one.
PARTIAL_RESERVED_WORKERS = 1
# A phrase that goes on this long without a pause is settled by agreement between drafts
# (LocalAgreement): the agreed words become finals and the window moves on to the end of the
# last of them (a word boundary), so each engine call stays short and no word is cut.
TRIM_WINDOW_SECONDS = 4.0
# Words two drafts agree on become a final once this many wait: "I have" and then "a" were
# caption lines of their own. Fewer stay in the partial and open the next final.
MIN_FINAL_WORDS = 4
# An ended phrase is decoded together with the phrases before it that fit, with it, in this
# much audio (already captioned: only its own words are kept), so Whisper hears it in
# context. It is the engine's encoder window (`WINDOW_STEP_SECONDS`): a 3 s phrase pays for a
# 10 s encoder pass anyway, so context up to there costs only its decoding; more would double
# the encoder's cost for no measured gain in accuracy.
CONTEXT_WINDOW_SECONDS = 10.0
# A phrase's own words are those that end after its start (inside the pause before it, up to
# `pre_roll_seconds` ahead of the speech) less this; an earlier word stretched that far is a
# repeat of a committed one, which the policy drops.
PHRASE_START_SLACK = 0.1
# A phrase whose words end this long before it does was not transcribed to its end.
UNHEARD_REST_SECONDS = 1.0
# A phrase with less voice than this (seconds the model heard as a voice) is decoded alone.
MIN_VOICED_FOR_CONTEXT = 0.5
# Dropped blips are reported to the console at most this often (seconds of stream).
DISCARD_REPORT_EVERY = 60.0
MIN_SPEECH_SECONDS = 0.25
# A booth with more than this much audio queued is behind: it spends no engine time on partials.
BEHIND_SECONDS = 0.5
READ_POLL_SECONDS = 0.1


class TranscriptionService:
    """Runs caption pipelines for booths; use as an async context manager or call `close()`."""

    def __init__(
        self,
        engine_factory: Callable[[], TranscriptionEngine],
        max_concurrent: int,
        on_caption: CaptionCallback,
        clock: Callable[[], float] = time.monotonic,
        *,
        on_notice: NoticeCallback | None = None,
        partials: bool = True,
        next_seq: Callable[[], int] | None = None,
        detector_factory: Callable[[], SpeechDetector] | None = None,
        max_caption_seconds: float = 10.0,
        phrase_pauses: bool = True,
    ) -> None:
        self._workers = EngineWorkers(engine_factory, max_concurrent)
        self._on_caption = on_caption
        self._on_notice = on_notice
        self._clock = clock
        self.partials = partials
        self._next_seq = next_seq if next_seq is not None else counter_from()
        self._detector_factory = detector_factory if detector_factory is not None else _silero
        self.max_caption_seconds = max_caption_seconds
        # Live booths end a phrase at each short pause, for prompt finals; a file checked
        # offline keeps whole utterances (up to 25 s), which Whisper hears best.
        self.phrase_pauses = phrase_pauses
        self._booths: dict[str, BoothPipeline] = {}
        self._finished: dict[str, BoothStats] = {}

    async def __aenter__(self) -> TranscriptionService:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def max_concurrent(self) -> int:
        """At most this many engine jobs run at once, across all booths."""
        return self._workers.max_concurrent

    @property
    def inflight(self) -> int:
        """Engine jobs running right now."""
        return self._workers.running

    @property
    def max_inflight_seen(self) -> int:
        """The most engine jobs ever running at the same moment (never above max_concurrent)."""
        return self._workers.max_running_seen

    def active_booths(self) -> list[str]:
        """Booth ids whose pipelines are running."""
        return sorted(
            booth_id
            for booth_id, booth in self._booths.items()
            if booth.task is not None and not booth.task.done()
        )

    async def start(
        self,
        booth_id: str,
        source: str,
        realtime: bool = False,
        language: str | None = None,
        *,
        max_lag_seconds: float = 3.0,
    ) -> None:
        """Start captioning `booth_id` from `source` (a file or rtsp:// URL).

        Loads the engine on first use. Raises `AudioSourceError` when the source cannot be
        opened and `EngineUnavailable` when the engine cannot load. `realtime` paces a file
        like a live booth; `max_lag_seconds` is how much audio a live or paced booth may have
        queued before it skips to the live edge.
        """
        if booth_id in self.active_booths():
            raise ValueError(f"captions are already running for booth {booth_id}")
        await self._workers.engine()
        stream = AudioStream(source, realtime=realtime, max_lag_seconds=max_lag_seconds)
        await stream.open()
        segmenter = SpeechSegmenter(
            detector=self._detector_factory(),
            phrase_pause_seconds=PHRASE_PAUSE_SECONDS if self.phrase_pauses else None,
        )
        booth = BoothPipeline(booth_id, stream, language, segmenter, PartialThrottle())
        booth.aggregator = CaptionAggregator(
            booth_id,
            clock=lambda: booth.position,
            next_seq=self._next_seq,
            max_caption_seconds=self.max_caption_seconds,
        )
        self._booths[booth_id] = booth
        self._finished.pop(booth_id, None)
        booth.task = asyncio.create_task(self._run(booth), name=f"captions:{booth_id}")

    async def stop(self, booth_id: str) -> None:
        """Stop a booth: its caption is finalised and cleared. No-op for an unknown booth."""
        booth = self._booths.pop(booth_id, None)
        if booth is None:
            return
        if booth.task is not None:
            booth.task.cancel()
            await asyncio.wait([booth.task])
        await booth.stream.aclose()
        booth.throttle.drop()
        await self._deliver(booth, booth.aggregator.flush())
        self._finished[booth_id] = booth.stats()

    async def wait_finished(self, booth_id: str) -> BoothStats:
        """Wait until a booth's source runs out (or it is stopped); return its stats."""
        booth = self._booths.get(booth_id)
        if booth is not None and booth.task is not None:
            await asyncio.wait([booth.task])
        if booth_id in self._finished:
            return self._finished[booth_id]
        if booth is not None:
            return booth.stats()
        raise KeyError(booth_id)

    async def close(self) -> None:
        """Stop every booth and release the worker threads."""
        for booth_id in list(self._booths):
            await self.stop(booth_id)
        await self._workers.close()

    async def _run(self, booth: BoothPipeline) -> None:
        """The booth's pipeline: read, segment, transcribe, aggregate, deliver; in order."""
        try:
            await self._pump(booth)
        except Exception as error:  # an error in one booth must not stop the others
            log.exception("captions for %s stopped", booth.booth_id)
            await self._notice(booth, f"captions stopped: {error}")
        await booth.stream.aclose()
        booth.throttle.drop()
        await self._deliver(booth, booth.aggregator.flush())
        if self._booths.get(booth.booth_id) is booth:
            del self._booths[booth.booth_id]
            self._finished[booth.booth_id] = booth.stats()

    async def _pump(self, booth: BoothPipeline) -> None:
        while True:
            item = await booth.stream.read(poll_seconds=READ_POLL_SECONDS)
            await self._send(booth, booth.throttle.due(self._clock()))
            if item is None:
                continue
            if isinstance(item, AudioEnded):
                booth.position = max(booth.position, item.position)
                for utterance in await asyncio.to_thread(booth.segmenter.finish):
                    await self._transcribe(booth, utterance)
                return
            if isinstance(item, SkippedAudio):
                booth.skipped_seconds += item.seconds
                booth.recent.clear()
                await self._notice(
                    booth,
                    f"captions fell behind: skipped {item.seconds:.1f} s of audio "
                    "to catch up with the live edge",
                )
                continue
            await self._process_chunk(booth, item)

    async def _process_chunk(self, booth: BoothPipeline, chunk: AudioChunk) -> None:
        booth.position = chunk.end
        booth.recent.add(chunk.samples, chunk.start)
        # Speech detection runs a small model per 32 ms window: off the event loop, in order
        # (only this booth's task touches its segmenter).
        ended = await asyncio.to_thread(booth.segmenter.push, chunk.samples, chunk.start)
        for utterance in ended:
            await self._transcribe(booth, utterance)
        await self._report_discarded(booth)
        current = booth.segmenter.current()
        if current is None:
            # Silence rules (clear) only apply while nobody is talking.
            await self._deliver(booth, booth.aggregator.tick())
        elif self._wants_partial(booth, current):
            booth.last_partial_at = booth.position
            await self._transcribe(booth, current)

    def _wants_partial(self, booth: BoothPipeline, current: Utterance) -> bool:
        return (
            self.partials
            and current.duration >= PARTIAL_MIN_SPEECH_SECONDS
            and booth.position - booth.last_partial_at >= PARTIAL_EVERY_SECONDS
            and booth.stream.buffered_seconds < BEHIND_SECONDS
            # A partial may not take the last free worker: one always stays free for the
            # final of a booth whose speaker pauses, so finals never wait behind partials.
            and self._workers.wanted < max(1, self.max_concurrent - PARTIAL_RESERVED_WORKERS)
        )

    async def _transcribe(self, booth: BoothPipeline, utterance: Utterance) -> None:
        if utterance.complete:
            await self._finish_phrase(booth, utterance)
        else:
            await self._draft(booth, utterance)

    async def _draft(self, booth: BoothPipeline, utterance: Utterance) -> None:
        """A partial: the open phrase from the window start, one cheap pass.

        Its words are only shown, unless the phrase has run `TRIM_WINDOW_SECONDS` without a
        pause: then the words two drafts agree on become finals and the window moves on.
        """
        offset = max(utterance.start, booth.window_start)
        samples = utterance.samples_from(offset)
        if not len(samples):
            return
        segments = await self._run_engine(booth, samples, draft=True, start_time=offset)
        # The whole phrase's length, not the stretch since the last word settled: counted from
        # there, a long phrase settled nothing for 4 s after each commit, and a hoarse "quite
        # different" the detector heard no pause after waited for the phrase's end (4.5 s).
        long_phrase = utterance.duration >= TRIM_WINDOW_SECONDS
        committed, tentative = booth.agreement.update(
            _heard(utterance, timed_words(segments, offset)), final=False, commit=long_phrase
        )
        captions = booth.aggregator.feed(
            committed, tentative, utterance_ended=bool(committed), min_final_words=MIN_FINAL_WORDS
        )
        if committed:
            booth.window_start = booth.agreement.committed_end
        await self._deliver(booth, captions)

    async def _finish_phrase(self, booth: BoothPipeline, utterance: Utterance) -> None:
        """A phrase ended at a pause: decode it with the phrases before it; its words are final."""
        booth.last_partial_at = float("-inf")
        start = max(utterance.start, booth.window_start)
        booth.recent.mark_phrase(utterance.start)
        context_start = (
            booth.recent.context_start(start, utterance.end, CONTEXT_WINDOW_SECONDS)
            # Little voice (a cough, a breath, a lone "uh"): decoded alone, so Whisper's own
            # no-speech test sees it as near silence. After speech, it wrote "you" over it.
            if utterance.voiced_seconds >= MIN_VOICED_FOR_CONTEXT
            else start
        )
        own: list[TimedWord] = []
        if context_start < start:
            with_context = booth.recent.span(context_start, utterance.end)
            if len(with_context) >= len(utterance.samples):  # kept whole (no jump in between)
                own = await self._decode_phrase(booth, with_context, context_start, start)
        if not own:
            # No context, or Whisper ended its transcript with the context and left the new
            # phrase out (an early stop): the phrase alone.
            own = await self._decode_phrase(booth, utterance.samples_from(start), start, start)
        elif (rest := untranscribed_rest(own, utterance.end, UNHEARD_REST_SECONDS)) is not None:
            # Whisper closed its transcript in the middle of the phrase (it took the rest for
            # silence): the rest, which the detector heard as speech, alone.
            own += await self._decode_phrase(booth, utterance.samples_from(rest), rest, rest)
        committed, _ = booth.agreement.update(_heard(utterance, own), final=True)
        captions = booth.aggregator.feed(committed, [], utterance_ended=True)
        booth.window_start = utterance.end
        await self._deliver(booth, captions)

    async def _decode_phrase(
        self, booth: BoothPipeline, samples: NDArray[np.float32], context_start: float, start: float
    ) -> list[TimedWord]:
        """Decode audio from `context_start`; return the words of the phrase from `start`."""
        if not len(samples):
            return []
        segments = await self._run_engine(booth, samples, draft=False, start_time=context_start)
        return words_from(timed_words(segments, context_start), start - PHRASE_START_SLACK)

    async def _run_engine(
        self, booth: BoothPipeline, samples: NDArray[np.float32], *, draft: bool, start_time: float
    ) -> list[Segment]:
        """Run the engine on samples that start at stream time `start_time`."""
        prompt = booth.aggregator.context_before(start_time)
        run = await self._workers.transcribe(samples, booth.language, prompt, draft=draft)
        booth.engine_calls += 1
        booth.wait_seconds += run.waited_seconds
        booth.engine_seconds += run.ran_seconds
        return run.segments

    async def _deliver(self, booth: BoothPipeline, captions: list[Caption]) -> None:
        now = self._clock()
        for caption in captions:
            await self._send(booth, booth.throttle.offer(caption, now))

    async def _send(self, booth: BoothPipeline, captions: list[Caption]) -> None:
        for caption in captions:
            booth.captions += 1
            try:
                await self._on_caption(caption)
            except Exception:  # a failing consumer must not stop the captions
                log.exception("caption callback failed for %s", booth.booth_id)

    async def _report_discarded(self, booth: BoothPipeline) -> None:
        """Say when sounds were dropped as too short to be speech (at most once a minute)."""
        unreported = booth.segmenter.discarded_seconds - booth.reported_discarded
        if unreported <= 0 or booth.position - booth.discarded_reported_at < DISCARD_REPORT_EVERY:
            return
        booth.reported_discarded = booth.segmenter.discarded_seconds
        booth.discarded_reported_at = booth.position
        await self._notice(
            booth,
            f"captions ignored {unreported:.1f} s of short sounds (under "
            f"{MIN_SPEECH_SECONDS} s each) as not speech",
        )

    async def _notice(self, booth: BoothPipeline, message: str) -> None:
        log.warning("%s: %s", booth.booth_id, message)
        if self._on_notice is not None:
            try:
                await self._on_notice(booth.booth_id, message)
            except Exception:
                log.exception("notice callback failed for %s", booth.booth_id)


def _heard(utterance: Utterance, words: list[TimedWord]) -> list[TimedWord]:
    """The words, unless they are only Whisper's "Thank you." over a stretch in which the
    speech detector heard no voice (what this loses: a lone "thank you" said that softly)."""
    if utterance.voiced_seconds == 0 and only_a_stock_phrase(words):
        return []
    return words


def _silero() -> SpeechDetector:
    from server.transcription.silero import SileroDetector

    return SileroDetector()
