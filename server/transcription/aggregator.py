"""Turn one booth's committed and tentative words into partial, final and clear captions.

Pure and clock-injected: no I/O, no threads. The caller feeds words with times on the
stream's timeline (`feed`), as the streaming policy settles them (`streaming.LocalAgreement`),
and calls `tick()` while the booth is silent. `TimedWord`, the words it is fed, lives here so
that this module imports only the standard library.

Rules (docs/design.md §10 sets the limits; these are the details):
- Committed words are settled; tentative words are the engine's current guess for what
  follows and are only ever shown in a partial, after the committed ones.
- A committed word ending in ``.``, ``?`` or ``!`` closes a sentence, which becomes a final,
  unless it is a known abbreviation (Mr., Dr., e.g., …) or an initial (J.). A full stop on the
  very last word heard is only trusted once the utterance has ended or more words follow,
  because Whisper puts one wherever its audio stops.
- When an utterance ends (a pause), everything committed becomes a final: the reader gets
  the phrase at once instead of waiting for a sentence end that unscripted speech may never
  give.
- A final is forced, at a word boundary, when the open caption's speech started
  `max_caption_seconds` (10 s) ago on the stream clock, or it holds more than `max_chars`.
  It takes the words spoken within those 10 s, so a long settled stretch becomes several
  finals of at most 10 s each.
- After `clear_after_seconds` (4 s) without new words while nobody talks, `tick()`
  finalises what is pending and emits ``clear``.
- Finals never overlap: a final starts no earlier than the previous final ended.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

SENTENCE_ENDINGS = (".", "?", "!")
# Closing quotes and brackets may follow the punctuation: `"Really?"` still ends a sentence.
_TRAILING_CLOSERS = "\"')]»”’"
# Words whose full stop does not end a sentence (compared in lower case, with the stop).
ABBREVIATIONS = frozenset(
    [
        "mr.",
        "mrs.",
        "ms.",
        "dr.",
        "prof.",
        "st.",
        "jr.",
        "sr.",
        "mt.",
        "vs.",
        "e.g.",
        "i.e.",
        "cf.",
        "approx.",
        "no.",
        "vol.",
        "fig.",
        "gen.",
        "col.",
        "capt.",
        "lt.",
        "sgt.",
        "rev.",
        "hon.",
        "inc.",
        "ltd.",
        "co.",
        "corp.",
        "dept.",
        "est.",
        "jan.",
        "feb.",
        "mar.",
        "apr.",
        "jun.",
        "jul.",
        "aug.",
        "sep.",
        "sept.",
        "oct.",
        "nov.",
        "dec.",
    ]
)
# How much of the recent text is kept as the engine's prompt (rolling context).
CONTEXT_CHARS = 200
# Enough words to fill CONTEXT_CHARS; word ends are compared with this much slack.
_CONTEXT_WORDS = 60
_PROMPT_SLACK_SECONDS = 0.05


@dataclass(frozen=True)
class TimedWord:
    """A word with its punctuation and its times on the stream's timeline (seconds)."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Caption:
    """One caption event for a booth, as sent on the listener socket and stored when final."""

    booth_id: str
    status: str  # "partial" | "final" | "clear"
    text: str
    seq: int
    started_at: float
    ended_at: float


def ends_sentence(word: str) -> bool:
    """True when `word` closes a sentence: .?! that is not an abbreviation or an initial."""
    bare = word.rstrip(_TRAILING_CLOSERS)
    if not bare.endswith(SENTENCE_ENDINGS):
        return False
    if bare.endswith("."):
        lowered = bare.lower()
        if lowered in ABBREVIATIONS:
            return False
        if len(bare) == 2 and bare[0].isalpha() and bare[0].isupper():
            return False  # an initial: "J. Smith"
    return True


def counter_from(start: int = 1) -> Callable[[], int]:
    """Return a `next_seq` source counting up from `start`; share one across booths."""
    numbers: Iterator[int] = itertools.count(start)
    return lambda: next(numbers)


class CaptionAggregator:
    """Aggregates one booth's words into `Caption`s with a rising `seq`."""

    def __init__(
        self,
        booth_id: str,
        clock: Callable[[], float],
        *,
        next_seq: Callable[[], int] | None = None,
        max_caption_seconds: float = 10.0,
        max_chars: int = 160,
        clear_after_seconds: float = 4.0,
    ) -> None:
        self.booth_id = booth_id
        self._clock = clock
        self._next_seq = next_seq if next_seq is not None else counter_from()
        self.max_caption_seconds = max_caption_seconds
        self.max_chars = max_chars
        self.clear_after_seconds = clear_after_seconds
        self._pending: list[TimedWord] = []  # committed, not final yet
        self._tentative: list[TimedWord] = []
        self._last_words_at: float | None = None
        self._last_final_end = float("-inf")
        self._settled: list[TimedWord] = []  # the most recent settled words, for the prompt
        self._shown_partial = ""
        self._showing = False

    @property
    def pending_text(self) -> str:
        """The text of the open caption: committed words, then tentative ones."""
        return " ".join(word.text for word in self._pending + self._tentative)

    @property
    def context(self) -> str:
        """The most recent settled text (finals and committed words)."""
        return self.context_before(float("inf"))

    def context_before(self, time: float) -> str:
        """The settled text spoken before stream time `time`: the prompt for audio from there.

        Only words that end before the audio being decoded: a prompt that already holds
        words of that audio makes Whisper skip them and stretch the next word's timestamps
        over their place, and the seam between old and new words then drops or repeats one.
        """
        words = [word.text for word in self._settled if word.end <= time + _PROMPT_SLACK_SECONDS]
        return " ".join(words)[-CONTEXT_CHARS:].lstrip()

    def feed(
        self,
        committed: Sequence[TimedWord],
        tentative: Sequence[TimedWord],
        *,
        utterance_ended: bool,
        min_final_words: int = 1,
    ) -> list[Caption]:
        """Take newly committed words and the current tentative ones; return captions.

        `utterance_ended` makes the committed words final, once at least `min_final_words`
        of them wait (fewer stay in the partial, to open the next final).
        """
        now = self._clock()
        if committed or tentative:
            self._last_words_at = now
        self._pending.extend(committed)
        self._remember(committed)
        self._tentative = list(tentative)
        captions = self._sentence_finals(more_follow=bool(self._tentative) or utterance_ended)
        captions.extend(self._forced_finals(now))
        if utterance_ended and len(self._pending) >= max(min_final_words, 1):
            captions.append(self._finalise(len(self._pending)))
        captions.extend(self._partial_update(now, had_final=bool(captions)))
        return captions

    def tick(self) -> list[Caption]:
        """Apply the time rules while nobody talks: forced final, then clear after silence."""
        now = self._clock()
        captions = self._forced_finals(now)
        silent_since = self._last_words_at
        if (
            self._showing
            and silent_since is not None
            and now - silent_since >= self.clear_after_seconds
        ):
            captions.extend(self.flush())
        return captions

    def flush(self) -> list[Caption]:
        """End the stream: finalise what is pending (tentative words too), then clear."""
        now = self._clock()
        self._pending.extend(self._tentative)
        self._remember(self._tentative)
        self._tentative = []
        captions: list[Caption] = []
        if self._pending:
            captions.append(self._finalise(len(self._pending)))
        if self._showing:
            captions.append(self._emit("clear", "", now, now))
        self._shown_partial = ""
        self._showing = False
        return captions

    def _sentence_finals(self, *, more_follow: bool) -> list[Caption]:
        captions: list[Caption] = []
        index = 0
        while index < len(self._pending):
            is_last = index == len(self._pending) - 1
            if ends_sentence(self._pending[index].text) and (more_follow or not is_last):
                captions.append(self._finalise(index + 1))
                index = 0
                continue
            index += 1
        return captions

    def _forced_finals(self, now: float) -> list[Caption]:
        captions: list[Caption] = []
        while self._pending and now - self._pending[0].start >= self.max_caption_seconds:
            # Whole words spoken within the limit; a long settled stretch (a long utterance
            # whose partials were skipped) becomes several finals rather than one.
            limit = self._pending[0].start + self.max_caption_seconds
            inside = sum(1 for word in self._pending if word.end <= limit)
            captions.append(self._finalise(max(inside, 1)))
        while len(" ".join(word.text for word in self._pending)) > self.max_chars:
            count, length = 0, -1
            for word in self._pending:
                if length + 1 + len(word.text) > self.max_chars and count:
                    break
                length += 1 + len(word.text)
                count += 1
            captions.append(self._finalise(count))
        return captions

    def _finalise(self, count: int) -> Caption:
        """Make the first `count` pending words one final caption."""
        words, self._pending = self._pending[:count], self._pending[count:]
        self._shown_partial = ""
        text = " ".join(word.text for word in words)
        start = max(words[0].start, self._last_final_end)
        end = max(words[-1].end, start)
        self._last_final_end = end
        return self._emit("final", text, start, end)

    def _remember(self, words: Sequence[TimedWord]) -> None:
        self._settled = (self._settled + list(words))[-_CONTEXT_WORDS:]

    def _partial_update(self, now: float, *, had_final: bool) -> list[Caption]:
        shown = self._pending + self._tentative
        text = " ".join(word.text for word in shown)
        if text == self._shown_partial:
            return []
        if text:
            self._shown_partial = text
            start = max(shown[0].start, self._last_final_end)
            return [self._emit("partial", text, start, max(shown[-1].end, start))]
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
