"""The caption aggregator's rules, driven by a fake clock."""

from __future__ import annotations

from server.transcription.aggregator import (
    Caption,
    CaptionAggregator,
    TranscribedSegment,
    counter_from,
)


class FakeClock:
    """A clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def settled(text: str, start: float = 0.0, end: float = 1.0) -> TranscribedSegment:
    return TranscribedSegment(text=text, start=start, end=end, complete=True)


def provisional(text: str, start: float = 0.0, end: float = 1.0) -> TranscribedSegment:
    return TranscribedSegment(text=text, start=start, end=end, complete=False)


def statuses(captions: list[Caption]) -> list[tuple[str, str]]:
    return [(caption.status, caption.text) for caption in captions]


def test_partial_text_grows_as_words_arrive() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock())
    first = aggregator.feed(provisional("Good"))
    second = aggregator.feed(provisional("Good morning every"))
    assert statuses(first + second) == [("partial", "Good"), ("partial", "Good morning every")]


def test_unchanged_provisional_text_emits_nothing() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock())
    aggregator.feed(provisional("Good morning"))
    assert aggregator.feed(provisional("Good morning")) == []


def test_sentence_end_finalises_the_sentence_and_the_rest_stays_partial() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock())
    captions = aggregator.feed(settled("Good morning everyone. Today we talk", 2.0, 5.0))
    assert statuses(captions) == [
        ("final", "Good morning everyone."),
        ("partial", "Today we talk"),
    ]
    final, partial = captions
    assert final.started_at == 2.0
    assert final.ended_at <= partial.started_at <= partial.ended_at == 5.0


def test_question_and_exclamation_marks_split_sentences_too() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock())
    captions = aggregator.feed(settled("Ready? Yes! Go."))
    assert statuses(captions) == [("final", "Ready?"), ("final", "Yes!"), ("final", "Go.")]


def test_full_stop_at_the_edge_of_provisional_speech_stays_partial() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock())
    assert statuses(aggregator.feed(provisional("We begin."))) == [("partial", "We begin.")]


def test_provisional_words_already_final_are_not_repeated() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock())
    aggregator.feed(provisional("Welcome all. Our first"))
    captions = aggregator.feed(settled("Welcome all. Our first speaker is here."))
    assert statuses(captions) == [("final", "Our first speaker is here.")]


def test_unfinished_sentence_continues_into_the_next_segment() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock())
    aggregator.feed(settled("and then", 0.0, 1.0))
    captions = aggregator.feed(settled("we went home.", 2.0, 3.0))
    assert statuses(captions) == [("final", "and then we went home.")]
    assert (captions[0].started_at, captions[0].ended_at) == (0.0, 3.0)


def test_fifty_words_force_a_final() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock())
    words = [f"word{index}" for index in range(60)]
    captions = aggregator.feed(settled(" ".join(words), 0.0, 30.0))
    assert statuses(captions) == [
        ("final", " ".join(words[:50])),
        ("partial", " ".join(words[50:])),
    ]


def test_fifty_words_force_a_final_on_provisional_speech() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock())
    words = [f"w{index}" for index in range(55)]
    aggregator.feed(provisional(" ".join(words[:40])))
    captions = aggregator.feed(provisional(" ".join(words)))
    assert statuses(captions) == [
        ("final", " ".join(words[:50])),
        ("partial", " ".join(words[50:])),
    ]


def test_fifteen_seconds_force_a_final_while_speech_continues() -> None:
    clock = FakeClock()
    aggregator = CaptionAggregator("ev/main/en", clock)
    spoken: list[str] = []
    finals: list[Caption] = []
    for second in range(20):
        clock.now = float(second)
        spoken.append(f"w{second}")
        captions = aggregator.feed(provisional(" ".join(spoken), 0.0, clock.now + 1))
        finals += [caption for caption in captions if caption.status == "final"]
        if finals:
            break
    assert clock.now == 15.0
    assert [caption.text for caption in finals] == [" ".join(f"w{n}" for n in range(16))]


def test_fifteen_second_rule_counts_from_when_the_caption_opened() -> None:
    clock = FakeClock()
    aggregator = CaptionAggregator("ev/main/en", clock)
    aggregator.feed(settled("Earlier talk."))
    clock.now = 12.0
    aggregator.feed(settled("new words"))
    clock.now = 26.9
    assert statuses(aggregator.feed(settled("more"))) == [("partial", "new words more")]
    clock.now = 27.0
    assert statuses(aggregator.feed(settled("again"))) == [("final", "new words more again")]


def test_tick_forces_the_fifteen_second_final_without_new_words() -> None:
    clock = FakeClock()
    aggregator = CaptionAggregator("ev/main/en", clock, clear_after_seconds=60.0)
    aggregator.feed(settled("still talking"))
    clock.now = 14.9
    assert aggregator.tick() == []
    clock.now = 15.0
    assert statuses(aggregator.tick()) == [("final", "still talking")]


def test_silence_clears_the_caption() -> None:
    clock = FakeClock()
    aggregator = CaptionAggregator("ev/main/en", clock)
    aggregator.feed(settled("Thank you."))
    clock.now = 3.9
    assert aggregator.tick() == []
    clock.now = 4.0
    assert statuses(aggregator.tick()) == [("clear", "")]
    clock.now = 10.0
    assert aggregator.tick() == []


def test_silence_finalises_the_pending_partial_before_clearing() -> None:
    clock = FakeClock()
    aggregator = CaptionAggregator("ev/main/en", clock)
    aggregator.feed(settled("and so"))
    clock.now = 4.0
    assert statuses(aggregator.tick()) == [("final", "and so"), ("clear", "")]


def test_silence_clear_waits_for_a_configured_timeout() -> None:
    clock = FakeClock()
    aggregator = CaptionAggregator("ev/main/en", clock, clear_after_seconds=2.0)
    aggregator.feed(settled("Hello."))
    clock.now = 2.0
    assert statuses(aggregator.tick()) == [("clear", "")]


def test_flush_ends_the_stream_with_final_and_clear() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock())
    aggregator.feed(provisional("last words"))
    assert statuses(aggregator.flush()) == [("final", "last words"), ("clear", "")]


def test_provisional_speech_revised_to_nothing_clears_its_partial() -> None:
    aggregator = CaptionAggregator("ev/main/en", FakeClock())
    aggregator.feed(provisional("um"))
    assert statuses(aggregator.feed(settled(""))) == [("clear", "")]


def test_seq_rises_within_one_booth() -> None:
    clock = FakeClock()
    aggregator = CaptionAggregator("ev/main/en", clock)
    captions = aggregator.feed(provisional("One"))
    captions += aggregator.feed(settled("One. Two three"))
    clock.now = 5.0
    captions += aggregator.tick()
    seqs = [caption.seq for caption in captions]
    assert len(seqs) == 5
    assert seqs == sorted(set(seqs))


def test_seq_is_monotonic_across_booths_sharing_a_counter() -> None:
    clock = FakeClock()
    shared = counter_from()
    english = CaptionAggregator("ev/main/en", clock, next_seq=shared)
    german = CaptionAggregator("ev/main/de", clock, next_seq=shared)
    emitted: list[Caption] = []
    for step in range(6):
        clock.now = float(step)
        emitted += english.feed(provisional("hello " * (step + 1)))
        emitted += german.feed(settled(f"Satz {step}."))
    clock.now = 20.0
    emitted += english.tick() + german.tick()
    seqs = [caption.seq for caption in emitted]
    assert {caption.booth_id for caption in emitted} == {"ev/main/en", "ev/main/de"}
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
