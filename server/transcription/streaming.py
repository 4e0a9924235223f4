"""Which words of a changing transcript are settled: the LocalAgreement policy. Pure.

While someone talks, the service transcribes the open utterance again and again, each time
with more audio. Each run is a hypothesis: words with times on the stream's timeline. A word
is committed when two consecutive hypotheses agree on it (the longest common prefix of the
two, compared without case or punctuation), as in the LocalAgreement-2 policy of the
whisper_streaming work. Committed words never change; the rest is tentative and only shown
as a partial. When the utterance ends (a pause), its last hypothesis is committed whole. A
run that returns nothing new keeps the previous guess instead of wiping words already heard.

Words are matched by time and text, never by count: a new hypothesis first loses the words
that end before what is already committed, then any of its first words that repeat the last
committed ones (up to five), so a revision that adds or drops a word elsewhere cannot
duplicate or lose words at the seam.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from server.transcription.aggregator import TimedWord
from server.transcription.engine import Segment

# Hesitations Whisper sometimes writes ("Um.", "Uh,"): a line of its own on a phone screen,
# and nothing an interpreter meant to say. They are left out of captions.
HESITATIONS = frozenset(["um", "umm", "uh", "uhm", "hmm", "hm", "mm", "mmm", "mhm", "er", "erm"])
# Whisper writes some sounds as letters ("Pffffff" or "Pfft" for a cough, "Shh", "Hmmm"): no
# vowel and a doubled letter, unlike any English word; acronyms ("BBC", "CNN") are capitals.
# A cough or a laugh also comes out as one syllable said again ("Hahaha", "Hehe") or as a
# letter held ("Huuuuuu", "Ahhh": no English word has a letter three times in a row): the
# listener hears the sound, and a caption of it misleads (a cough on a real talk became
# "Hahaha" in one run and "huuuuuuuuuuuu" in the next).
_SOUND_SPELLING = re.compile(
    r"[b-df-hj-np-tv-xz]*([b-df-hj-np-tv-xz])\1[b-df-hj-np-tv-xz]*"
    r"|(h[aeio])\2+h?"
    r"|.*([a-z])\3\3.*"
)
# What Whisper writes over noise when it must write something (the subtitles it learnt from
# end so): in a phrase where the speech detector heard no voice at all, a transcript of only
# this was not said. After "Alright, thanks." and the end of a talk, Opus's quiet tail came
# out as "Thank you." and "you".
STOCK_PHRASES = frozenset(
    ["you", "thank you", "thanks for watching", "thank you for watching", "bye", "bye bye"]
)
# Word times move a little from one hypothesis to the next.
_TIME_SLACK_SECONDS = 0.1
_MAX_OVERLAP_WORDS = 5


def comparable(text: str) -> str:
    """The word as hypotheses are compared: lower case, letters and digits only."""
    return "".join(character for character in text.lower() if character.isalnum())


class LocalAgreement:
    """Commits the words that consecutive hypotheses agree on, for one stream."""

    def __init__(self) -> None:
        self.committed_end = float("-inf")
        """Stream time at which the last committed word ends."""
        self._recent: list[str] = []  # the last committed words, comparable form
        self._previous: list[TimedWord] = []  # the uncommitted rest of the last hypothesis

    def update(
        self, hypothesis: Sequence[TimedWord], *, final: bool, commit: bool = True
    ) -> tuple[list[TimedWord], list[TimedWord]]:
        """Take a new hypothesis; return (newly committed words, tentative words).

        With `commit` False (a draft of a phrase that will be decoded whole when it ends),
        nothing is committed: the hypothesis is only remembered, for the next one to agree with.
        """
        fresh = self._fresh(hypothesis)
        if not fresh and self._previous:
            # A run that heard nothing new (Whisper sometimes returns nothing for a window it
            # transcribed a moment ago) must not wipe words already heard: keep the last guess,
            # still tentative, and commit it if the utterance ends here.
            if not final:
                return [], list(self._previous)
            fresh = list(self._previous)
        if final:
            self._commit(fresh)
            self._previous = []
            return fresh, []
        agreed = _agreeing_prefix(fresh, self._previous) if commit else 0
        committed, tentative = fresh[:agreed], fresh[agreed:]
        self._commit(committed)
        self._previous = tentative
        return committed, tentative

    def _commit(self, words: Sequence[TimedWord]) -> None:
        if not words:
            return
        self.committed_end = max(self.committed_end, words[-1].end)
        self._recent = (self._recent + [comparable(word.text) for word in words])[
            -_MAX_OVERLAP_WORDS:
        ]

    def _fresh(self, hypothesis: Sequence[TimedWord]) -> list[TimedWord]:
        """The hypothesis without the words that are already committed."""
        words = [
            word
            for word in hypothesis
            if comparable(word.text) and word.end > self.committed_end + _TIME_SLACK_SECONDS
        ]
        # A committed word whose time moved later in this run: drop the repeated n-gram.
        for size in range(min(len(self._recent), len(words)), 0, -1):
            head = [comparable(word.text) for word in words[:size]]
            if head == self._recent[-size:] and words[0].start < self.committed_end + 1.0:
                return words[size:]
        return words


def _agreeing_prefix(new: Sequence[TimedWord], old: Sequence[TimedWord]) -> int:
    """How many first words the two hypotheses share (compared without case or punctuation)."""
    count = 0
    for new_word, old_word in zip(new, old, strict=False):
        if comparable(new_word.text) != comparable(old_word.text):
            break
        count += 1
    return count


def words_from(hypothesis: Sequence[TimedWord], boundary: float) -> list[TimedWord]:
    """The words of `hypothesis` that reach past `boundary`, a time inside a pause.

    A phrase is decoded together with the phrases before it, which are already captioned;
    its own words are those that end after the pause that starts it. Whisper's word times
    stretch over pauses: the first word of a phrase often starts where the last one
    ended, so its start (and even its middle) can lie before the pause; its end cannot. A
    last word of the earlier phrase stretched past the boundary is a repeat of a committed
    word, which `LocalAgreement` drops.
    """
    return [word for word in hypothesis if word.end > boundary]


def only_a_stock_phrase(words: Sequence[TimedWord]) -> bool:
    """Whether the words say nothing but one of Whisper's stock phrases ("Thank you.")."""
    return is_stock_phrase(" ".join(word.text for word in words))


def is_stock_phrase(text: str) -> bool:
    """Whether a caption's text is one of Whisper's stock phrases, nothing more."""
    return " ".join(comparable(word) for word in text.split()) in STOCK_PHRASES


def untranscribed_rest(
    words: Sequence[TimedWord], phrase_end: float, rest_seconds: float
) -> float | None:
    """Where a phrase's transcript stops, when it stops `rest_seconds` or more before the end.

    Whisper sometimes closes its transcript in the middle of a phrase, taking the rest for
    silence ("... a long pause" and then nothing for the 2 s of "and I think this is probably
    good" after it). The speech detector heard that rest as speech; None when the words
    reach the phrase's end (its last fraction of a second is the pause that ended it).
    """
    if words and phrase_end - words[-1].end >= rest_seconds:
        return words[-1].end
    return None


def timed_words(segments: list[Segment], offset: float) -> list[TimedWord]:
    """The engine's words on the stream's timeline, hesitations and sounds left out.

    Segments without word times have their words spread evenly over the segment.
    """
    words: list[TimedWord] = []
    for segment in segments:
        if segment.words:
            words += [
                TimedWord(word.text, offset + word.start, offset + max(word.end, word.start))
                for word in segment.words
            ]
            continue
        texts = segment.text.split()
        step = max(segment.end - segment.start, 0.0) / max(len(texts), 1)
        words += [
            TimedWord(
                text, offset + segment.start + i * step, offset + segment.start + (i + 1) * step
            )
            for i, text in enumerate(texts)
        ]
    return [word for word in words if not is_hesitation(word.text)]


def is_hesitation(text: str) -> bool:
    """Whether a written word is a hesitation or a sound, not something said to the reader."""
    word = comparable(text)
    if word in HESITATIONS:
        return True
    # In capitals it is an acronym ("BBC"), not a sound.
    return _SOUND_SPELLING.fullmatch(word) is not None and not text.isupper()
