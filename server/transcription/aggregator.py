"""Turn engine output for one booth into partial, final and clear captions.

Pure and clock-injected: no I/O, no threads. The caller feeds `TranscribedSegment`s (text
with start/end times on the stream's timeline) and calls `tick()` while the booth is silent.

Rules (docs/design.md §10):
- A provisional segment (``complete=False``) is the engine's current guess for speech that
  is still going on; the next segment replaces it. A complete segment is settled.
- A word ending in ``.``, ``?`` or ``!`` closes a sentence, which becomes a final; the rest
  stays partial. The last word of a provisional segment never closes a sentence, because the
  engine tends to put a full stop at the edge of the audio it was given.
- A final is forced at `max_words` words (50) or when the current caption has been open for
  `max_caption_seconds` (15 s) on the clock, whichever comes first.
- After `clear_after_seconds` (4 s) of silence, `tick()` finalises whatever is pending and
  emits ``clear``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

SENTENCE_ENDINGS = (".", "?", "!")
# Closing quotes and brackets may follow the punctuation: `"Really?"` still ends a sentence.
_TRAILING_CLOSERS = "\"')]»”’"


@dataclass(frozen=True)
class Caption:
    """One caption event for a booth, as sent on the listener socket and stored when final."""

    booth_id: str
    status: str  # "partial" | "final" | "clear"
    text: str
    seq: int
    started_at: float
    ended_at: float


@dataclass(frozen=True)
class TranscribedSegment:
    """Engine output for one stretch of audio, with times on the stream's timeline (seconds).

    `complete` is False for a provisional transcript of speech that is still going on: the
    next segment fed replaces it. A complete segment will not be revised.
    """

    text: str
    start: float
    end: float
    complete: bool


@dataclass(frozen=True)
class _Word:
    text: str
    start: float
    end: float


def _split_words(segment: TranscribedSegment) -> list[_Word]:
    """Split a segment into words, spreading its time span evenly over them."""
    texts = segment.text.split()
    if not texts:
        return []
    step = max(segment.end - segment.start, 0.0) / len(texts)
    return [
        _Word(text, segment.start + index * step, segment.start + (index + 1) * step)
        for index, text in enumerate(texts)
    ]


def _ends_sentence(word: str) -> bool:
    return word.rstrip(_TRAILING_CLOSERS).endswith(SENTENCE_ENDINGS)


def counter_from(start: int = 1) -> Callable[[], int]:
    """Return a `next_seq` source counting up from `start`; share one across booths."""
    numbers: Iterator[int] = itertools.count(start)
    return lambda: next(numbers)


class CaptionAggregator:
    """Aggregates one booth's transcribed segments into `Caption`s with a rising `seq`."""

    def __init__(
        self,
        booth_id: str,
        clock: Callable[[], float],
        *,
        next_seq: Callable[[], int] | None = None,
        max_words: int = 50,
        max_caption_seconds: float = 15.0,
        clear_after_seconds: float = 4.0,
    ) -> None:
        self.booth_id = booth_id
        self._clock = clock
        self._next_seq = next_seq if next_seq is not None else counter_from()
        self.max_words = max_words
        self.max_caption_seconds = max_caption_seconds
        self.clear_after_seconds = clear_after_seconds
        # Words from complete segments that are not final yet (the tail of the caption).
        self._settled: list[_Word] = []
        # Words of the latest provisional segment that are not final yet.
        self._provisional: list[_Word] = []
        # How many leading words of the current provisional speech are already final: the
        # next guess for the same speech repeats them, so they are skipped by count.
        self._provisional_done = 0
        self._caption_opened_at: float | None = None
        self._last_words_at: float | None = None
        self._shown_partial = ""
        self._showing = False

    @property
    def pending_text(self) -> str:
        """The text of the open (not yet final) caption."""
        return " ".join(word.text for word in self._pending())

    def feed(self, segment: TranscribedSegment) -> list[Caption]:
        """Take one engine segment; return the captions it produces, in order."""
        now = self._clock()
        words = _split_words(segment)[self._provisional_done :]
        self._provisional = words
        if words:
            self._last_words_at = now
            if self._caption_opened_at is None:
                self._caption_opened_at = now
        captions = self._split_finals(
            now, last_word_may_end_sentence=segment.complete, pending=self._pending()
        )
        if segment.complete:
            self._settled = self._settled + self._provisional
            self._provisional = []
            self._provisional_done = 0
        captions.extend(self._partial_update(now, had_final=bool(captions)))
        return captions

    def tick(self) -> list[Caption]:
        """Apply the time rules: the forced final after 15 s, and clear after silence."""
        now = self._clock()
        captions: list[Caption] = []
        pending = self._pending()
        if self._caption_opened_at is not None and pending and self._too_old(now):
            captions.append(self._finalise(len(pending)))
        silent_since = self._last_words_at
        if (
            self._showing
            and silent_since is not None
            and now - silent_since >= self.clear_after_seconds
        ):
            captions.extend(self.flush())
        return captions

    def flush(self) -> list[Caption]:
        """End the stream: finalise what is pending, then clear the display."""
        now = self._clock()
        captions: list[Caption] = []
        pending = self._pending()
        if pending:
            captions.append(self._finalise(len(pending)))
        if self._showing:
            captions.append(self._emit("clear", "", now, now))
        self._settled = []
        self._provisional = []
        self._provisional_done = 0
        self._caption_opened_at = None
        self._shown_partial = ""
        self._showing = False
        return captions

    def _pending(self) -> list[_Word]:
        return self._settled + self._provisional

    def _too_old(self, now: float) -> bool:
        opened = self._caption_opened_at
        return opened is not None and now - opened >= self.max_caption_seconds

    def _split_finals(
        self, now: float, *, last_word_may_end_sentence: bool, pending: Sequence[_Word]
    ) -> list[Caption]:
        """Cut finals at sentence ends and every `max_words` words, then apply the 15 s rule."""
        captions: list[Caption] = []
        cut = 0
        for index, word in enumerate(pending):
            is_last = index == len(pending) - 1
            sentence_end = _ends_sentence(word.text) and (last_word_may_end_sentence or not is_last)
            if sentence_end or index + 1 - cut >= self.max_words:
                captions.append(self._finalise(index + 1 - cut))
                cut = index + 1
        remaining = len(pending) - cut
        if remaining and self._too_old(now):
            captions.append(self._finalise(remaining))
        return captions

    def _finalise(self, count: int) -> Caption:
        """Make the first `count` pending words one final caption."""
        words = self._pending()[:count]
        from_settled = min(count, len(self._settled))
        from_provisional = count - from_settled
        self._settled = self._settled[from_settled:]
        self._provisional = self._provisional[from_provisional:]
        self._provisional_done += from_provisional
        # What is left starts a new caption now.
        self._caption_opened_at = self._clock() if self._pending() else None
        self._shown_partial = ""
        text = " ".join(word.text for word in words)
        return self._emit("final", text, words[0].start, words[-1].end)

    def _partial_update(self, now: float, *, had_final: bool) -> list[Caption]:
        pending = self._pending()
        text = " ".join(word.text for word in pending)
        if text == self._shown_partial:
            return []
        if text:
            self._shown_partial = text
            return [self._emit("partial", text, pending[0].start, pending[-1].end)]
        # A partial vanished (the engine revised it to nothing) with no final to replace it.
        self._shown_partial = ""
        if had_final or not self._showing:
            return []
        self._showing = False
        return [self._emit("clear", "", now, now)]

    def _emit(self, status: str, text: str, started_at: float, ended_at: float) -> Caption:
        self._showing = status != "clear"
        return Caption(
            booth_id=self.booth_id,
            status=status,
            text=text,
            seq=self._next_seq(),
            started_at=started_at,
            ended_at=ended_at,
        )
