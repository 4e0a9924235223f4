"""Word error rate with an English text normaliser in the spirit of Whisper's.

The normaliser is written here from the rules it needs to apply, so the benchmark needs no
extra package: reference and hypothesis go through the same steps, so that spelling, casing,
punctuation and number style do not count as errors, while words that are wrong, missing or
added do.

1. Unicode compatibility form, lower case, curly apostrophes made straight.
2. Annotations in brackets (`[noise]`, `<VOCNOISE>`, `{CG}`, `(laughs)`) are removed.
3. Hesitations (uh, um, hmm, mm, mhm, …) are removed: captions need not show them.
4. Contractions are written out (won't → will not, we're → we are, …), titles spelled out
   (mr → mister, dr → doctor, …), and a few spoken spellings unified (gonna → going to).
5. Numbers in digits are spelled out (2020 → twenty twenty, 42 → forty two, 3% → three
   percent), so "twenty twenty" and "2020" match.
6. Every other character that is not a letter, digit or apostrophe becomes a space;
   apostrophes left over are dropped (there's → theres).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# Hesitations: not words to caption (Whisper leaves them out; WER ignores them).
FILLERS = {"uh", "um", "umm", "uhm", "hmm", "hm", "mm", "mmm", "mhm", "er", "erm", "ah"}
_CONTRACTIONS = [
    (r"\bwon't\b", "will not"),
    (r"\bcan't\b", "can not"),
    (r"\bcannot\b", "can not"),
    (r"\bain't\b", "is not"),
    (r"\blet's\b", "let us"),
    # "'s" after these is "is" (or "has", which compares the same way on both sides): so
    # "here's" against "here are" is one word changed, not a word added.
    (r"\b(it|that|there|here|what|where|who|how|he|she)'s\b", r"\1 is"),
    (r"n't\b", " not"),
    (r"'re\b", " are"),
    (r"'ve\b", " have"),
    (r"'ll\b", " will"),
    (r"'m\b", " am"),
    (r"'d\b", " would"),
]
_SPELLINGS = {
    "mr": "mister",
    "mrs": "missus",
    "ms": "miss",
    "dr": "doctor",
    "prof": "professor",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "kinda": "kind of",
    "yknow": "you know",
    "alright": "all right",
    "ok": "okay",
    "percent": "percent",
}
_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_SUFFIX = re.compile(r"\b(\d+)(st|nd|rd|th)\b")


def _below_hundred(number: int) -> str:
    if number < 20:
        return _ONES[number]
    tens, ones = divmod(number, 10)
    return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")


def spell_number(number: int) -> str:
    """English words for a whole number; four-digit years the way they are said."""
    if 1100 <= number <= 2099 and not (2000 <= number <= 2009) and number % 100 != 0:
        high, low = divmod(number, 100)
        return f"{_below_hundred(high)} {_below_hundred(low) if low >= 10 else 'oh ' + _ONES[low]}"
    if number < 100:
        return _below_hundred(number)
    for size, name in (
        (10**9, "billion"),
        (10**6, "million"),
        (1000, "thousand"),
        (100, "hundred"),
    ):
        if number >= size:
            high, rest = divmod(number, size)
            return f"{spell_number(high)} {name}" + (f" {spell_number(rest)}" if rest else "")
    return str(number)  # not reached


def normalise(text: str) -> str:
    """The text as compared: lower case words separated by single spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[\[<{(][^\]>})]*[\]>})]", " ", text)
    for pattern, replacement in _CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)  # 1,000 → 1000
    text = re.sub(r"\$(\d+)", r"\1 dollars", text)
    text = text.replace("%", " percent")
    text = _ORDINAL_SUFFIX.sub(lambda m: m.group(1), text)
    text = re.sub(r"\d+", lambda m: f" {spell_number(int(m.group()))} ", text)
    text = re.sub(r"[^\w']+|_", " ", text)
    words = []
    for raw in text.split():
        word = raw.strip("'").replace("'", "")
        if not word or word in FILLERS:
            continue
        words.extend(_SPELLINGS.get(word, word).split())
    return " ".join(words)


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Substitutions + deletions + insertions to turn `reference` into `hypothesis`."""
    previous = list(range(len(hypothesis) + 1))
    for row, ref_word in enumerate(reference, start=1):
        current = [row]
        for column, hyp_word in enumerate(hypothesis, start=1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (ref_word != hyp_word),
                )
            )
        previous = current
    return previous[-1]


def word_error_rate(pairs: Iterable[tuple[str, str]]) -> tuple[float, int, int]:
    """Word-weighted WER over (reference, hypothesis) pairs: (wer, errors, reference words)."""
    errors = words = 0
    for reference, hypothesis in pairs:
        ref = normalise(reference).split()
        errors += edit_distance(ref, normalise(hypothesis).split())
        words += len(ref)
    return (errors / words if words else 0.0), errors, words
