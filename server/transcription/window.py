"""Whisper on a short window: encode only the audio there is.

faster-whisper's `transcribe()` pads every input to Whisper's 30 s window before the encoder,
so a 3 s utterance costs as much encoder time as 30 s of audio (0.5-0.7 s of a core for
tiny.en int8), and each decoded token then attends over all 1,500 encoder positions.
CTranslate2's Whisper accepts a shorter log-Mel input, so here the audio is padded only up to
the next multiple of `step_seconds` (10 s by default: a 3 s utterance is encoded as 10 s, a
14 s one as 20 s). The padding is silent audio, turned into log-Mel frames with the speech,
as in Whisper's training windows; padding the frames with zeros afterwards (what
`transcribe()` does to reach 30 s) made short windows loop and repeat their last phrase.
What the shorter window costs in accuracy is measured by `bench/captions_speech.py` and
recorded in `docs/captions.md`.

Each call uses the pieces `transcribe()` uses: the rolling context as the previous-text
prompt, the temperature fallback on a result that looks wrong, the no-speech test, going on
after an early stop, and faster-whisper's word alignment (`WhisperModel.add_word_timestamps`).
The model's public methods are used where they exist; the window handling (padding, the
token cap, splitting tokens at timestamps, dropping text placed past the audio) is ours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

WHISPER_WINDOW_SECONDS = 30.0
FRAMES_PER_SECOND = 100  # log-Mel frames: a hop of 160 samples at 16 kHz
WHISPER_WINDOW_FRAMES = 3000
TIME_PRECISION = 0.02  # seconds per timestamp token
# After Whisper stops early, a rest shorter than this is not decoded again (see `decode`).
MIN_REST_SECONDS = 1.0
# transcribe()'s best_of: samples drawn at each temperature above 0.
SAMPLES_PER_TEMPERATURE = 5
# faster-whisper's transcribe() defaults, kept so a short window differs only in its length.
NO_SPEECH_THRESHOLD = 0.6
LOG_PROB_THRESHOLD = -1.0
COMPRESSION_RATIO_THRESHOLD = 2.4
MAX_INITIAL_TIMESTAMP = 1.0
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"
# The decoder may write at most this many tokens per second of audio (plus an allowance):
# fast speech is about 4 tokens a second, with timestamps about 5. Whisper's own cap is
# 448 for any window, which a loop on a short window reaches only after seconds of work.
MAX_TOKENS_PER_SECOND = 12
MIN_TOKEN_ALLOWANCE = 16
# Text the model places this close to the end of the audio, or past it, is not in the audio.
_BEYOND_AUDIO_SLACK = 0.1
# A word the aligner gives less than this (half a 20 ms step) was not found in the audio.
_UNPLACED_SECONDS = 0.01


@dataclass(frozen=True)
class DecodedWord:
    """A word with its punctuation and its times (seconds from the window's start)."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class DecodedSegment:
    """A stretch of text between two of Whisper's timestamps, with its words."""

    start: float
    end: float
    text: str
    words: tuple[DecodedWord, ...]

    def shifted(self, seconds: float) -> DecodedSegment:
        """The same segment with every time moved `seconds` later."""
        return DecodedSegment(
            self.start + seconds,
            self.end + seconds,
            self.text,
            tuple(
                DecodedWord(word.text, word.start + seconds, word.end + seconds)
                for word in self.words
            ),
        )


def encoder_frames(samples: int, step_seconds: float) -> int:
    """How many log-Mel frames the encoder gets for `samples` of audio.

    The audio's own frames rounded up to a multiple of `step_seconds`, at most Whisper's
    30 s; `step_seconds` ≥ 30 means the full window, as `transcribe()` does. Always even:
    the encoder halves the frame count.
    """
    if step_seconds >= WHISPER_WINDOW_SECONDS:
        return round(WHISPER_WINDOW_SECONDS * FRAMES_PER_SECOND)
    step = max(2, round(step_seconds * FRAMES_PER_SECOND))
    step += step % 2
    content = max(1, math.ceil(samples / 160))
    return min(round(WHISPER_WINDOW_SECONDS * FRAMES_PER_SECOND), math.ceil(content / step) * step)


class WindowDecoder:
    """Decodes one short window with a loaded faster-whisper `WhisperModel`.

    Thread-safe as the model is: it keeps no state between calls beyond the tokenizers.
    """

    def __init__(self, whisper: Any, *, step_seconds: float = 10.0) -> None:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self._whisper = whisper
        self.step_seconds = step_seconds
        self._tokenizer_class = Tokenizer
        self.english_tokenizer = Tokenizer(
            whisper.hf_tokenizer, whisper.model.is_multilingual, task="transcribe", language="en"
        )
        self._suppress = get_suppressed_tokens(self.english_tokenizer, [-1])

    def decode(
        self,
        samples: NDArray[np.float32],
        *,
        language: str | None,
        prompt: str,
        beam_size: int,
        temperatures: tuple[float, ...],
    ) -> list[DecodedSegment]:
        """Transcribe 16 kHz mono samples (at most 30 s) into segments with word times.

        Whisper may stop before the end of its input (a soft second speaker after a loud
        one, say). As in `transcribe()`, decoding then goes on from the end of the last word
        it placed, on the rest of the audio, without a prompt. A rest shorter than
        `MIN_REST_SECONDS` is only the utterance's trailing silence, where Whisper tends to
        invent a "Thanks." or repeat itself, and is left alone.
        """
        import numpy as np

        whisper = self._whisper
        audio = np.ascontiguousarray(samples, dtype=np.float32)
        content = min(math.ceil(len(audio) / 160), WHISPER_WINDOW_FRAMES)
        # Like Whisper's training windows, the input is padded with silent audio (which the
        # log-Mel floor turns into quiet frames) rather than with zeros after the fact.
        # Enough silence for the first window and for a rest decoded after an early stop.
        longest = encoder_frames(len(audio), self.step_seconds)
        pad = max(160, (longest + round(self.step_seconds * FRAMES_PER_SECOND)) * 160 - len(audio))
        features = whisper.feature_extractor(audio, padding=pad)
        segments: list[DecodedSegment] = []
        seek = 0
        context = prompt.strip()
        while content - seek >= MIN_REST_SECONDS * FRAMES_PER_SECOND:
            found, consumed = self._decode_window(
                features, seek, content, language, context, beam_size, temperatures
            )
            offset = seek / FRAMES_PER_SECOND
            segments += [segment.shifted(offset) for segment in found]
            # As transcribe() does without condition_on_previous_text, the rest is decoded
            # without a prompt: given the text just heard, Whisper tends to say it again.
            context = ""
            if consumed is None:
                break
            seek += max(consumed, 1)
        return without_unplaced_words(segments)

    def _decode_window(
        self,
        features: Any,
        seek: int,
        content: int,
        language: str | None,
        prompt: str,
        beam_size: int,
        temperatures: tuple[float, ...],
    ) -> tuple[list[DecodedSegment], int | None]:
        """Decode the window of log-Mel frames from `seek` (audio up to `content`).

        Returns its segments (times from the window's start) and, when Whisper stopped
        before the end, how many frames it covered (None when it covered the window).
        """
        from faster_whisper.audio import pad_or_trim

        whisper = self._whisper
        frames = content - seek
        duration = frames / FRAMES_PER_SECOND
        length = encoder_frames(frames * 160, self.step_seconds)
        if length < WHISPER_WINDOW_FRAMES:
            window = features[:, seek : seek + length]  # the audio, then silent audio
        else:
            # A full window is padded as transcribe() pads it, with zero frames: with silent
            # audio instead, a 23 s utterance came out in lower case without punctuation,
            # and the aggregator cuts finals at sentence ends.
            window = features[:, seek:content]
        encoder_output = whisper.encode(pad_or_trim(window, length))
        tokenizer = self._tokenizer(language, encoder_output)
        # The rolling context, as transcribe() uses its initial prompt (the last 223 tokens).
        previous = tokenizer.encode(" " + prompt) if prompt else []
        prompt_tokens = whisper.get_prompt(tokenizer, previous, without_timestamps=False)
        max_new = round(MAX_TOKENS_PER_SECOND * duration) + MIN_TOKEN_ALLOWANCE
        result, avg_logprob, looks_wrong = self._generate(
            encoder_output, prompt_tokens, tokenizer, beam_size, temperatures, max_new
        )
        if looks_wrong and len(temperatures) == 1:
            # A draft (one pass, no retries) that loops is worth nothing: the next call
            # replaces it, and meanwhile the streaming policy keeps the previous guess.
            return [], None
        # transcribe()'s silence test: likely no speech, and not a confident guess either.
        if result.no_speech_prob > NO_SPEECH_THRESHOLD and avg_logprob < LOG_PROB_THRESHOLD:
            return [], None
        tokens = list(result.sequences_ids[0])
        pieces = split_at_timestamps(tokens, tokenizer, duration)
        if not pieces:
            return [], None
        whisper.add_word_timestamps(
            [pieces],
            tokenizer,
            encoder_output,
            frames,
            PREPEND_PUNCTUATIONS,
            APPEND_PUNCTUATIONS,
            last_speech_timestamp=0.0,
        )
        segments = _segments(pieces, tokenizer, duration)
        # Text closed by one timestamp: Whisper says the window is done. Otherwise it began
        # a segment it did not write (or ran out of tokens): the rest is decoded again.
        single_ending = len(tokens) >= 2 and tokens[-2] < tokenizer.timestamp_begin <= tokens[-1]
        if single_ending or not segments:
            return segments, None
        covered = round(segments[-1].end * FRAMES_PER_SECOND)
        return segments, covered if covered < frames else None

    def _generate(
        self,
        encoder_output: Any,
        prompt_tokens: list[int],
        tokenizer: Any,
        beam_size: int,
        temperatures: tuple[float, ...],
        max_new_tokens: int,
    ) -> tuple[Any, float, bool]:
        """Decode at rising temperatures until a result looks right (transcribe()'s rule).

        A result looks wrong when it is too repetitive (its text compresses more than 2.4:1),
        too unlikely (mean log-probability under -1, unless the window is silence), or when
        it ran into the token cap (a loop the compression test did not catch yet). If none
        looks right, the most likely of the non-repetitive ones is kept. Returns the result,
        its mean log-probability, and whether it is repetitive or capped.
        """
        from faster_whisper.transcribe import get_compression_ratio

        whisper = self._whisper
        max_length = min(len(prompt_tokens) + max_new_tokens, whisper.max_length)
        tried: list[tuple[Any, float, bool]] = []
        for temperature in temperatures:
            sampling: dict[str, Any] = (
                {"beam_size": beam_size, "patience": 1.0}
                if temperature == 0
                else {
                    "beam_size": 1,
                    "num_hypotheses": SAMPLES_PER_TEMPERATURE,
                    "sampling_topk": 0,
                    "sampling_temperature": temperature,
                }
            )
            result = whisper.model.generate(
                encoder_output,
                [prompt_tokens],
                length_penalty=1.0,
                max_length=max_length,
                return_scores=True,
                return_no_speech_prob=True,
                suppress_blank=True,
                suppress_tokens=self._suppress,
                max_initial_timestamp_index=round(MAX_INITIAL_TIMESTAMP / TIME_PRECISION),
                **sampling,
            )[0]
            tokens = result.sequences_ids[0]
            # CTranslate2's score is the summed log-probability divided by the length.
            avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
            repetitive = (
                get_compression_ratio(tokenizer.decode(tokens).strip())
                > COMPRESSION_RATIO_THRESHOLD
            )
            capped = len(prompt_tokens) + len(tokens) >= max_length
            unlikely = avg_logprob < LOG_PROB_THRESHOLD
            silence = result.no_speech_prob > NO_SPEECH_THRESHOLD and unlikely
            tried.append((result, avg_logprob, repetitive or capped))
            if silence or not (repetitive or capped or unlikely):
                return result, avg_logprob, False
        sound = [attempt for attempt in tried if not attempt[2]] or tried
        best = max(sound, key=lambda attempt: attempt[1])
        return best[0], best[1], best[2]

    def _tokenizer(self, language: str | None, encoder_output: Any) -> Any:
        whisper = self._whisper
        if not whisper.model.is_multilingual:
            return self.english_tokenizer
        if language is None:
            detected = whisper.model.detect_language(encoder_output)[0][0][0]
            language = detected[2:-2]
        return self._tokenizer_class(
            whisper.hf_tokenizer, True, task="transcribe", language=language
        )


def without_unplaced_words(segments: list[DecodedSegment]) -> list[DecodedSegment]:
    """The segments up to the first words the aligner could not place in the audio.

    When Whisper loops on a short window ("to go. But only like four games to go. But only
    ..."), the word aligner finds no audio for the repeats and gives them no length, piled up
    at the end. Two zero-length words in a row are that; a real word is rarely shorter than
    one 20 ms step, and never two in a row. Everything from there on is dropped.
    """
    kept: list[DecodedSegment] = []
    for segment in segments:
        words = segment.words
        for index in range(len(words) - 1):
            if _unplaced(words[index]) and _unplaced(words[index + 1]):
                if index:
                    head = words[:index]
                    text = " ".join(word.text for word in head)
                    kept.append(DecodedSegment(segment.start, head[-1].end, text, head))
                return kept
        if kept and words and _unplaced(words[0]) and _unplaced(kept[-1].words[-1]):
            return kept
        kept.append(segment)
    return kept


def _unplaced(word: DecodedWord) -> bool:
    return word.end - word.start < _UNPLACED_SECONDS


def split_at_timestamps(tokens: list[int], tokenizer: Any, duration: float) -> list[dict[str, Any]]:
    """Cut the decoded tokens into pieces at Whisper's timestamp tokens.

    A piece runs from the timestamp before its text to the one after it; text after the last
    timestamp runs to the end of the audio. Times are clamped to the audio.
    """
    first_timestamp = tokenizer.timestamp_begin
    pieces: list[dict[str, Any]] = []
    text: list[int] = []
    start = 0.0
    for token in tokens:
        if token < first_timestamp:
            if token < tokenizer.eot:
                text.append(token)
            continue
        at = (token - first_timestamp) * TIME_PRECISION
        if at >= duration - _BEYOND_AUDIO_SLACK and not text:
            # Text that would start where the audio has ended is not in the audio: on a
            # short window Whisper sometimes says the last phrase again there.
            break
        at = min(at, duration)
        if text:
            pieces.append({"seek": 0, "start": start, "end": max(at, start), "tokens": text})
            text = []
        start = at
    if text:
        pieces.append({"seek": 0, "start": start, "end": max(duration, start), "tokens": text})
    return pieces


def _segments(
    pieces: list[dict[str, Any]], tokenizer: Any, duration: float
) -> list[DecodedSegment]:
    segments = []
    for piece in pieces:
        words = tuple(
            DecodedWord(str(word["word"]).strip(), float(word["start"]), float(word["end"]))
            for word in piece.get("words", [])
            if str(word["word"]).strip() and float(word["start"]) < duration + _BEYOND_AUDIO_SLACK
        )
        if "words" in piece:
            text = " ".join(word.text for word in words)
        else:  # no alignment (no text tokens): the decoded text as it stands
            text = tokenizer.decode(piece["tokens"]).strip()
        if not text:
            continue
        start = words[0].start if words else float(piece["start"])
        end = words[-1].end if words else float(piece["end"])
        segments.append(DecodedSegment(start, end, text, words))
    return segments
