"""The caption aggregator's rules and the LocalAgreement policy, driven by a fake clock."""

from __future__ import annotations

from server.transcription.aggregator import (
    Caption,
    CaptionAggregator,
    counter_from,
    ends_sentence,
)
from server.transcription.engine import Segment, Word
from server.transcription.streaming import (
    LocalAgreement,
    TimedWord,
    only_a_stock_phrase,
    timed_words,
    untranscribed_rest,
    words_from,
)
from tests.harness.clock import FakeClock


def words(text: str, start: float = 0.0, step: float = 0.4) -> list[TimedWord]:
    """Words with times: each `step` long, one after the other from `start`."""
    return [
        TimedWord(word, start + index * step, start + (index + 1) * step)
        for index, word in enumerate(text.split())
    ]


def statuses(captions: list[Caption]) -> list[tuple[str, str]]:
    return [(caption.status, caption.text) for caption in captions]


def test_tentative_words_only_show_in_the_partial() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    first = aggregator.feed([], words("Good"), utterance_ended=False)
    second = aggregator.feed(words("Good"), words("morning every", 0.4), utterance_ended=False)
    assert statuses(first + second) == [("partial", "Good"), ("partial", "Good morning every")]
    assert aggregator.pending_text == "Good morning every"


def test_unchanged_text_emits_nothing() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    aggregator.feed([], words("Good morning"), utterance_ended=False)
    assert aggregator.feed([], words("Good morning"), utterance_ended=False) == []


def test_sentence_end_finalises_the_sentence_and_the_rest_stays_partial() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    said = words("Good morning everyone. Today we talk", 2.0)
    captions = aggregator.feed(said, [], utterance_ended=False)
    assert statuses(captions) == [
        ("final", "Good morning everyone."),
        ("partial", "Today we talk"),
    ]
    final, partial = captions
    assert (final.started_at, final.ended_at) == (said[0].start, said[2].end)
    assert final.ended_at <= partial.started_at


def test_question_and_exclamation_marks_split_sentences_too() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    captions = aggregator.feed(words("Ready? Yes! Go."), [], utterance_ended=True)
    assert statuses(captions) == [("final", "Ready?"), ("final", "Yes!"), ("final", "Go.")]


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    said = words("Mr. Smith met Dr. J. Watson, e.g. at noon. Then")
    captions = aggregator.feed(said, [], utterance_ended=False)
    assert statuses(captions)[0] == ("final", "Mr. Smith met Dr. J. Watson, e.g. at noon.")
    assert not ends_sentence("Mrs.") and not ends_sentence("i.e.") and ends_sentence('"Yes."')


def test_full_stop_on_the_last_word_heard_waits_for_more() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    captions = aggregator.feed(words("We begin."), [], utterance_ended=False)
    assert statuses(captions) == [("partial", "We begin.")]
    captions = aggregator.feed([], words("Now", 0.8), utterance_ended=False)
    assert statuses(captions) == [("final", "We begin."), ("partial", "Now")]


def test_the_end_of_an_utterance_makes_a_final_of_an_unfinished_sentence() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    captions = aggregator.feed(words("and then we went"), [], utterance_ended=True)
    assert statuses(captions) == [("final", "and then we went")]


def test_a_final_is_forced_by_time_since_its_speech_started() -> None:
    clock = FakeClock(0.0)
    aggregator = CaptionAggregator("ev/main/en", clock, max_caption_seconds=10.0)
    said = words(" ".join(f"w{n}" for n in range(40)), 0.0, 0.5)
    finals: list[Caption] = []
    for index, word in enumerate(said):
        clock.now = word.end
        captions = aggregator.feed([word], said[index + 1 : index + 3], utterance_ended=False)
        finals += [caption for caption in captions if caption.status == "final"]
        if finals:
            break
    assert clock.now == 10.0  # speech started at 0.0: counted from there, not from a pause
    assert finals[0].text == " ".join(f"w{n}" for n in range(20))  # whole words only


def test_a_final_is_forced_at_a_word_boundary_when_the_caption_is_too_long() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0), max_chars=30)
    captions = aggregator.feed(
        words("alpha bravo charlie delta echo foxtrot golf"), [], utterance_ended=False
    )
    assert statuses(captions) == [
        ("final", "alpha bravo charlie delta echo"),
        ("partial", "foxtrot golf"),
    ]


def test_tick_forces_the_timed_final_without_new_words() -> None:
    clock = FakeClock(0.0)
    aggregator = CaptionAggregator("ev/main/en", clock, clear_after_seconds=60.0)
    aggregator.feed(words("still talking"), [], utterance_ended=False)
    clock.now = 9.9
    assert aggregator.tick() == []
    clock.now = 10.0
    assert statuses(aggregator.tick()) == [("final", "still talking")]


def test_silence_clears_the_caption() -> None:
    clock = FakeClock(0.0)
    aggregator = CaptionAggregator("ev/main/en", clock)
    aggregator.feed(words("Thank you."), [], utterance_ended=True)
    clock.now = 3.9
    assert aggregator.tick() == []
    clock.now = 4.0
    assert statuses(aggregator.tick()) == [("clear", "")]
    clock.now = 10.0
    assert aggregator.tick() == []


def test_flush_ends_the_stream_with_final_and_clear() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    aggregator.feed(words("last"), words("words", 0.4), utterance_ended=False)
    assert statuses(aggregator.flush()) == [("final", "last words"), ("clear", "")]


def test_tentative_speech_revised_to_nothing_clears_its_partial() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    aggregator.feed([], words("um"), utterance_ended=False)
    assert statuses(aggregator.feed([], [], utterance_ended=True)) == [("clear", "")]


def test_finals_never_overlap_even_when_word_times_do() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    first = aggregator.feed(words("One two.", 0.0, 1.0), [], utterance_ended=True)
    second = aggregator.feed(words("Three.", 1.5, 1.0), [], utterance_ended=True)
    assert first[0].ended_at == 2.0
    assert second[0].started_at >= first[0].ended_at


def test_context_is_the_recent_settled_text() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    aggregator.feed(words("The caller asked."), [], utterance_ended=True)
    aggregator.feed(words("Then the"), words("caller", 1.0), utterance_ended=False)
    assert aggregator.context == "The caller asked. Then the"


def test_seq_is_monotonic_across_booths_sharing_a_counter() -> None:
    clock = FakeClock(0.0)
    shared = counter_from()
    english = CaptionAggregator("ev/main/en", clock, next_seq=shared)
    german = CaptionAggregator("ev/main/de", clock, next_seq=shared)
    emitted: list[Caption] = []
    for step in range(6):
        clock.now = float(step)
        emitted += english.feed([], words("hello " * (step + 1)), utterance_ended=False)
        emitted += german.feed(words(f"Satz {step}.", step), [], utterance_ended=True)
    clock.now = 20.0
    emitted += english.tick() + german.tick()
    seqs = [caption.seq for caption in emitted]
    assert {caption.booth_id for caption in emitted} == {"ev/main/en", "ev/main/de"}
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)


# -- LocalAgreement --------------------------------------------------------------------------


def spoken(text: str, times: list[tuple[float, float]]) -> list[TimedWord]:
    return [TimedWord(word, *span) for word, span in zip(text.split(), times, strict=True)]


def test_words_are_committed_when_two_hypotheses_agree() -> None:
    policy = LocalAgreement()
    committed, tentative = policy.update(words("the acoustic"), final=False)
    assert committed == [] and [w.text for w in tentative] == ["the", "acoustic"]
    committed, tentative = policy.update(words("the acoustic corpus is"), final=False)
    assert [w.text for w in committed] == ["the", "acoustic"]
    assert [w.text for w in tentative] == ["corpus", "is"]


def test_a_revision_with_a_different_word_count_neither_repeats_nor_drops_words() -> None:
    """Count-based merging duplicated "but cares." here; matching by time and text cannot."""
    policy = LocalAgreement()
    everything: list[str] = []
    hypotheses = [
        spoken("some speech errors but", [(0, 0.4), (0.4, 0.8), (0.8, 1.2), (1.2, 1.4)]),
        spoken(
            "some speech errors, but cares.",
            [(0, 0.4), (0.4, 0.8), (0.8, 1.2), (1.25, 1.45), (1.45, 1.9)],
        ),
        # The engine now hears "who" and the commas move: one more word than before.
        spoken(
            "speech errors but who cares. This",
            [(0.45, 0.8), (0.8, 1.2), (1.3, 1.5), (1.5, 1.7), (1.7, 2.0), (2.3, 2.5)],
        ),
        spoken(
            "but who cares. This is", [(1.3, 1.5), (1.5, 1.7), (1.7, 2.0), (2.3, 2.5), (2.5, 2.7)]
        ),
    ]
    for hypothesis in hypotheses:
        committed, _tentative = policy.update(hypothesis, final=False)
        everything += [word.text for word in committed]
    committed, _ = policy.update(
        spoken("This is me.", [(2.3, 2.5), (2.5, 2.7), (2.7, 3.0)]), final=True
    )
    everything += [word.text for word in committed]
    assert everything == ["some", "speech", "errors,", "but", "who", "cares.", "This", "is", "me."]


def test_the_last_hypothesis_of_an_utterance_is_committed_whole() -> None:
    policy = LocalAgreement()
    policy.update(words("hello there"), final=False)
    committed, tentative = policy.update(words("hello there friends"), final=True)
    assert [w.text for w in committed] == ["hello", "there", "friends"] and tentative == []


def test_an_empty_run_keeps_the_words_already_heard() -> None:
    policy = LocalAgreement()
    policy.update(words("good morning and welcome"), final=False)
    committed, tentative = policy.update([], final=False)
    assert committed == [] and [w.text for w in tentative] == ["good", "morning", "and", "welcome"]
    committed, _ = policy.update([], final=True)
    assert [w.text for w in committed] == ["good", "morning", "and", "welcome"]


def test_a_long_settled_utterance_becomes_finals_of_at_most_the_time_limit() -> None:
    clock = FakeClock(0.0)
    aggregator = CaptionAggregator("ev/main/en", clock, max_caption_seconds=4.0)
    said = words(" ".join(f"w{n}" for n in range(25)), 0.0, 0.5)  # 12.5 s without a pause
    clock.now = 13.0
    finals = aggregator.feed(said, [], utterance_ended=True)
    assert [f.text for f in finals] == [
        " ".join(f"w{n}" for n in range(0, 8)),
        " ".join(f"w{n}" for n in range(8, 16)),
        " ".join(f"w{n}" for n in range(16, 24)),
        "w24",
    ]
    assert all(f.ended_at - f.started_at <= 4.0 for f in finals)


def test_a_draft_of_a_short_phrase_commits_nothing_until_told_to() -> None:
    """Short phrases are decoded whole when they end; their drafts are only shown."""
    policy = LocalAgreement()
    policy.update(words("the acoustic"), final=False, commit=False)
    committed, tentative = policy.update(words("the acoustic corpus"), final=False, commit=False)
    assert committed == [] and [w.text for w in tentative] == ["the", "acoustic", "corpus"]
    committed, _ = policy.update(words("the acoustic corpus is"), final=False)
    assert [w.text for w in committed] == ["the", "acoustic", "corpus"]


def test_a_phrases_own_words_are_those_that_end_after_the_pause_before_it() -> None:
    # Decoded with its context: "fast here." is the phrase before (already captioned).
    # Whisper stretched "So" back over the pause; its end still lies after the boundary.
    hypothesis = spoken("fast here. So this", [(0, 0.4), (0.4, 0.9), (0.9, 1.6), (1.6, 1.9)])
    assert [w.text for w in words_from(hypothesis, 1.2)] == ["So", "this"]


def test_the_prompt_holds_only_words_said_before_the_audio_it_leads() -> None:
    """A prompt holding the words of the audio itself made Whisper skip them."""
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    aggregator.feed(words("The caller asked.", 0.0), [], utterance_ended=True)
    aggregator.feed(words("Then the", 2.0), [], utterance_ended=True)
    assert aggregator.context_before(1.25) == "The caller asked."
    assert aggregator.context_before(2.0) == "The caller asked."
    assert aggregator.context_before(10.0) == "The caller asked. Then the"


def test_hesitations_are_left_out_of_captions() -> None:
    """Whisper writes "Um." as a sentence of its own: a caption line that says nothing."""
    segments = [
        Segment(0.0, 0.4, "Um.", (Word("Um.", 0.0, 0.4),)),
        Segment(
            0.6,
            1.5,
            "I think, uh, so.",
            (
                Word("I", 0.6, 0.7),
                Word("think,", 0.7, 1.0),
                Word("uh,", 1.0, 1.2),
                Word("so.", 1.2, 1.5),
            ),
        ),
    ]
    assert [word.text for word in timed_words(segments, 10.0)] == ["I", "think,", "so."]


def test_sounds_spelt_as_letters_are_left_out_of_captions() -> None:
    """After "I'm probably gonna cough here", Whisper wrote the cough as "pfffff…", and in
    other runs as "Hahaha" and "huuuuuuuuuuuu"."""
    segments = [
        Segment(
            0.0,
            2.0,
            "Pffffffffffff. Shhh, hmmm. Hahaha. Hehe. Yeah, so that just happened.",
            tuple(
                Word(text, index * 0.2, index * 0.2 + 0.2)
                for index, text in enumerate(
                    [
                        "Pffffffffffff.",
                        "Pfft,",
                        "Shh,",
                        "hmmm.",
                        "Hahaha.",
                        "Hehe.",
                        "huuuuuuuuuuuu",
                        "Ahhh,",
                        "Yeah,",
                        "so",
                        "CNN",
                        "bookkeepers",
                        "Hah!",
                        "Oh,",
                        "hoho",
                        "1000",
                        "III",
                    ]
                )
            ),
        )
    ]
    assert [word.text for word in timed_words(segments, 0.0)] == [
        "Yeah,",
        "so",
        "CNN",
        "bookkeepers",
        "Hah!",
        "Oh,",
        "1000",
        "III",
    ]


def test_a_transcript_that_stops_a_second_short_of_its_phrase_leaves_the_rest() -> None:
    """On a real recording Whisper wrote "And here's the long pause" and closed, leaving out
    the 2 s of "and I think this is probably good" in the same phrase."""
    heard = [TimedWord("And", 46.4, 47.0), TimedWord("pause", 47.8, 48.35)]
    assert untranscribed_rest(heard, 50.5, 1.0) == 48.35
    # The words reach the end, less the pause that ended the phrase: nothing left.
    assert untranscribed_rest(heard, 48.9, 1.0) is None
    # No words at all is another case (the phrase is decoded again whole).
    assert untranscribed_rest([], 50.5, 1.0) is None


def test_a_few_agreed_words_wait_in_the_partial_for_the_next_final() -> None:
    """Drafts agreed on "I have", then on "a": each was a caption line of its own."""
    aggregator = CaptionAggregator("ev/main/en", FakeClock(0.0))
    first = aggregator.feed(
        words("I have"), words("a call", 0.8), utterance_ended=True, min_final_words=4
    )
    second = aggregator.feed(
        words("a", 0.8), words("cold so", 1.2), utterance_ended=True, min_final_words=4
    )
    third = aggregator.feed(words("cold so this", 1.2), [], utterance_ended=True, min_final_words=4)
    assert statuses(first + second) == [
        ("partial", "I have a call"),
        ("partial", "I have a cold so"),
    ]
    assert ("final", "I have a cold so this") in statuses(third)


def test_whispers_stock_phrases_are_known_only_when_they_are_all_there_is() -> None:
    """Over the quiet tail of a talk, Whisper wrote "Thank you." and "you"."""
    assert only_a_stock_phrase(words("Thank you."))
    assert only_a_stock_phrase(words("you"))
    assert not only_a_stock_phrase(words("Thank you all for coming."))
    assert not only_a_stock_phrase(words("Alright, thanks."))
    assert not only_a_stock_phrase([])
