"""Where the real-speech bench says a phrase ends: the origin of its latency figures."""

from __future__ import annotations

from bench.speech_set import phrase_ends


def test_a_pause_between_words_ends_a_phrase() -> None:
    words = [(0.0, 0.4, "so"), (0.4, 0.9, "this"), (1.3, 1.8, "works")]
    assert phrase_ends(words) == [0.9, 1.8]


def test_a_pause_filled_with_a_hesitation_is_no_pause() -> None:
    # "than the uh acoustic corpus": the speaker never falls silent for 0.3 s.
    words = [
        (6.26, 6.91, "than"),
        (6.94, 7.01, "the"),
        (7.31, 7.86, "uh"),
        (7.89, 8.53, "acoustic"),
        (8.53, 9.00, "corpus"),
    ]
    assert phrase_ends(words) == [9.0]


def test_a_stretch_of_hesitations_or_noises_alone_ends_no_phrase() -> None:
    words = [
        (0.0, 0.5, "here"),
        (1.2, 1.6, "<vocnoise>"),
        (2.3, 2.7, "um"),
        (3.4, 3.9, "yeah"),
    ]
    assert phrase_ends(words) == [0.5, 3.9]


def test_a_phrase_ending_in_a_hesitation_ends_at_its_last_word() -> None:
    # The final can only cover the words; the "uh" after them has nothing to caption.
    words = [(0.0, 0.5, "original"), (0.5, 0.9, "one"), (0.95, 1.4, "uh"), (2.5, 2.9, "and")]
    assert phrase_ends(words) == [0.9, 2.9]


def test_empty_labels_are_silence() -> None:
    words = [(0.0, 0.5, "one"), (0.5, 1.5, ""), (1.5, 2.0, "two")]
    assert phrase_ends(words) == [0.5, 2.0]
