#!/usr/bin/env python3
"""What the two recognisers and the word head make of the generated tuning set, sound by
sound: the figures behind second_opinion's rules for numbers during a pain score, for
a fast "stop" in which Whisper heard no words, for a "stop" only Whisper heard (the word
head's veto), and for a fast "pain" Whisper heard other words or none in (asked about).

    .venv/bin/python -m scripts.tune_false_commands            # 16 tuning voices + noises
    .venv/bin/python -m scripts.tune_false_commands --voices 6

Only generated audio: scripts/tune_recogniser.py's espeak-ng tuning voices (clean, 20 and
10 dB) saying stop, pain, ouch, the numbers and its other words and sentences, its
synthetic noises and scripts/train_word_head.py's clatter and running water; never the
human recordings. Every clip goes through the live listener with both recognisers
(eval_recogniser.together, Whisper's answers cached in bench-out/), heard while a pain
score is asked for (where numbers count); each sound Whisper decided on is one row. The
word head is the shipped one, trained on these generated clips too, so its figures here
are optimistic; Whisper's are not trained on them.
"""

from __future__ import annotations

import argparse
import collections
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from scripts import eval_recogniser
from scripts.eval_recogniser import SCORE_QUESTION, CachedEngine, HeldOutHeads, together
from scripts.train_word_head import clatter, water
from scripts.tune_recogniser import (
    CONDITIONS,
    NOISE_CLIPS_PER_KIND,
    NOISE_KINDS,
    REJECT_WORDS,
    SENTENCES,
    VOICES,
    cached_noise,
    render,
)
from tests.support import espeak
from voicecoach.core.controls import NUMBERS
from voicecoach.listening import second_opinion
from voicecoach.listening.engine import Decoded, make_engine
from voicecoach.listening.second_opinion import SECOND_ENGINE, Sound, Unheard, Verdict
from voicecoach.listening.voicing import voiced_seconds

URGENT_WORDS = ("stop", "pain", "ouch", "it hurts")


@dataclass(frozen=True)
class Row:
    """One sound Whisper decided on."""

    kind: str
    """"command" (the clip says `said`), "other" (a word or sentence that is not one), "noise"."""
    said: str
    fast: str
    """What PocketSphinx made of it ("" nothing it would act on or offer)."""
    seconds: float
    whisper: str
    no_speech: float
    logprob: float
    head: str
    head_probability: float
    voiced: float
    """Seconds voiced at a human pitch (voicing.py)."""
    verdict: str


def clips(voices: int) -> Iterator[tuple[str, str, bytes]]:
    """(kind, what was said, audio) of the generated tuning set."""
    for name, speed, pitch in VOICES[:voices]:
        voice = espeak.Voice(name, speed, pitch)
        for condition, snr in CONDITIONS:
            for word in (*URGENT_WORDS, *NUMBERS):
                yield "command", word, render(word, voice, condition, snr)
        for text in REJECT_WORDS + SENTENCES:
            yield "other", text, render(text, voice, "clean", None)
    for kind in NOISE_KINDS:
        for index in range(NOISE_CLIPS_PER_KIND):
            yield "noise", kind, cached_noise(kind, index)
    for kind, make in (("clatter", clatter), ("water", water)):
        for index in range(NOISE_CLIPS_PER_KIND):
            yield "noise", kind, make(np.random.default_rng([index, len(kind)]))


def collect(voices: int) -> list[Row]:
    """Every sound of the tuning set, as the second opinion saw it."""
    second = CachedEngine(make_engine(SECOND_ENGINE))
    eval_recogniser.HEADS[0] = HeldOutHeads("shipped")
    runner = together(make_engine("pocketsphinx"), second)
    rows: list[Row] = []
    current = ["", ""]
    decide = second_opinion.decide

    def recorded(
        sound: Sound, decoded: Decoded, expected: frozenset, gate: object, unheard: Unheard
    ) -> Verdict:
        verdict = decide(sound, decoded, expected, gate, unheard)  # type: ignore[arg-type]
        doubt = second.last_doubt
        head = eval_recogniser.HEADS[0].current()  # always asked here, for every rule's figures
        guess = unheard.guess or (head.guess(sound.pcm) if head is not None else None)
        rows.append(Row(
            current[0], current[1], sound.fast.text if sound.fast is not None else "",
            sound.report.speech_end - sound.report.speech_start, decoded.text,
            doubt.no_speech if doubt is not None else 0.0,
            doubt.logprob if doubt is not None else 0.0,
            guess.word if guess is not None else "", guess.probability if guess else 0.0,
            voiced_seconds(sound.pcm),
            "withdrawn" if verdict.withdrawn else verdict.deliver.text if verdict.deliver else "",
        ))  # fmt: skip
        return verdict

    second_opinion.decide = recorded
    try:
        for kind, said, pcm in clips(voices):
            current[:] = [kind, said]
            runner(eval_recogniser.padded_frames(pcm), SCORE_QUESTION)
    finally:
        second_opinion.decide = decide
        second.save()
    return rows


def numbers(rows: list[Row]) -> None:
    """Numbers Whisper stood by: said as that number, or heard in something else."""
    heard = [r for r in rows if r.whisper in NUMBERS]
    right = [r for r in heard if r.kind == "command" and r.said == r.whisper]
    wrong = [r for r in heard if r.kind != "command" or r.said not in NUMBERS]
    print(f"\n== numbers Whisper heard: {len(right)} said, {len(wrong)} in other sounds "
          f"({collections.Counter(r.kind for r in wrong)})")  # fmt: skip
    print("  rule (take a number only when ...): said kept / other sounds taken")
    rules: dict[str, Callable[[Row], bool]] = {
        "as now": lambda r: True,
        **{f"no_speech <= {x}": (lambda r, x=x: r.no_speech <= x)
           for x in (0.2, 0.3, 0.4, 0.5, 0.6)},
        **{f"logprob >= {x}": (lambda r, x=x: r.logprob >= x) for x in (-0.3, -0.5, -0.7)},
        "head not sure of noise (SURE_STOP)": lambda r: r.fast == r.whisper or not (
            r.head == "noise" and r.head_probability >= second_opinion.SURE_STOP
        ),
        **{f"no_speech <= {x} and logprob >= {y}":
           (lambda r, x=x, y=y: r.no_speech <= x and r.logprob >= y)
           for x in (0.3, 0.4) for y in (-0.5, -0.7)},
    }  # fmt: skip
    for name, rule in rules.items():
        kept, taken = sum(map(rule, right)), sum(map(rule, wrong))
        print(f"    {name:<38} {kept:4d}/{len(right):<4d} {taken:4d}/{len(wrong)}")
    for r in wrong + [r for r in right if r.no_speech > 0.4]:
        print(f"    in {r.kind} {r.said!r}: {r.whisper} no_speech {r.no_speech:.2f} "
              f"logprob {r.logprob:.2f}")  # fmt: skip


def fast_stops(rows: list[Row]) -> None:
    """Fast "stop"s in which Whisper heard no words: said "stop", or something else."""
    quiet = [r for r in rows if r.fast == "stop" and not r.whisper]
    said = [r for r in quiet if r.said == "stop"]
    other = [r for r in quiet if r.said != "stop"]
    print(f"\n== fast stops Whisper heard no words in: {len(said)} said stop, {len(other)} not "
          f"({collections.Counter(r.kind for r in other)})")  # fmt: skip
    for title, group in (("said stop", said), ("not stop", other)):
        print(f"  {title}:")
        for r in sorted(group, key=lambda r: r.no_speech):
            print(f"    {r.kind:>7} {r.said:<10} {r.seconds:4.2f} s no_speech {r.no_speech:.2f} "
                  f"voiced {r.voiced:.2f} s head {r.head} {r.head_probability:.2f} "
                  f"-> {r.verdict or 'stands'}")  # fmt: skip


def whisper_stops(rows: list[Row]) -> None:
    """ "stop"s Whisper heard where the fast path heard none: said "stop", or something
    else; what the word head made of each (a "stop" is not taken where it is sure of
    another word or of noise, second_opinion.SURE_STOP)."""
    alone = [r for r in rows if r.whisper == "stop" and r.fast not in URGENT_WORDS]
    said = [r for r in alone if r.said == "stop"]
    other = [r for r in alone if r.said != "stop"]
    vetoed = second_opinion.SURE_STOP
    for title, group in (("said stop", said), ("not said", other)):
        sure = [r for r in group if r.head != "stop" and r.head_probability >= vetoed]
        print(f"\n== stops Whisper alone heard, {title}: {len(group)}; the head sure of "
              f"another word or noise in {len(sure)}")  # fmt: skip
        for r in group:
            print(f"    {r.kind:>7} {r.said!r}: fast {r.fast!r} head {r.head} "
                  f"{r.head_probability:.2f} -> {r.verdict or 'not taken'}")  # fmt: skip


def fast_pains(rows: list[Row]) -> None:
    """What Whisper heard in the fast path's "pain"s (never withdrawn): said as a pain word,
    or in something else. Withdrawing one where Whisper clearly heard another word would
    cost the said ones listed first."""
    pains = [r for r in rows if r.fast in ("pain", "ouch", "it hurts")]
    said = [r for r in pains if r.said in URGENT_WORDS[1:]]
    other = [r for r in pains if r.said not in URGENT_WORDS[1:]]
    for title, group in (("said pain/ouch/it hurts", said), ("not said", other)):
        clear = [r for r in group if r.whisper and r.whisper not in URGENT_WORDS[1:]]
        print(
            f"\n== fast pains, {title}: {len(group)}; Whisper heard another word in "
            f"{len(clear)}, {sum(r.no_speech < 0.1 for r in clear)} of them with no_speech < 0.1;"
            f" no words in {sum(not r.whisper for r in group)}"
        )
        for r in clear:
            print(f"    {r.kind} {r.said!r} -> fast {r.fast}, Whisper {r.whisper!r} "
                  f"no_speech {r.no_speech:.2f} logprob {r.logprob:.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voices", type=int, default=len(VOICES))
    args = parser.parse_args()
    rows = collect(args.voices)
    numbers(rows)
    fast_stops(rows)
    whisper_stops(rows)
    fast_pains(rows)


if __name__ == "__main__":
    main()
