"""Offline: "stop" and "pain" said over the coach's counts and sentences, its voice back
in the microphone at several levels, through the live listener and the real canceller.

Prints, per echo level (dB of the coach's echo against the person's voice):
- how many words were acted on (as said, or as an unsure "stop"), of the counts' words
  (as each count begins and 0.15 s into it, every other count) and the sentences' (1 to
  2.5 s into an instruction and into the caution), and any command from the counts, the
  sentences or the whole `gentle` script heard back alone;
- for each word the echo-cancelled ear made out ("heard"), how far the microphone rose
  over the coach's echo (barge_in.BargeIn.rise_db): under MIN_RISE_HEARD_DB such a word is
  not acted on at once but left to Whisper (over_coach.LetThrough).
With --before, the let-through rule is off (every such word acted on at once), for the
before/after comparison.

    nice -n 15 .venv/bin/python -m scripts.bench_words_over_coach [--levels=-6,0]
        [--second whisper|none] [--before]
"""

from __future__ import annotations

import argparse

from tests import test_barge_in as over_sentences
from tests import test_counting_over_echo as over_counts
from tests.test_counting_over_echo import Line
from voicecoach.listening.barge_in import MIN_RISE_HEARD_DB
from voicecoach.listening.listener import VoiceListener
from voicecoach.listening.over_coach import URGENT_PHRASES
from voicecoach.listening.recogniser import CLEANED_EAR, Report

Said = tuple[bytes, list[Line]]
URGENT_TEXTS = {phrase.text for phrase in URGENT_PHRASES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="-6,-3,0", help="echo levels in dB")
    parser.add_argument("--second", default="whisper", choices=["whisper", "none"])
    parser.add_argument("--before", action="store_true", help="no let-through rule")
    args = parser.parse_args()
    if args.before:
        VoiceListener._coach_let_through = lambda self, start, end: False  # type: ignore[method-assign]
    rises: list[float] = []
    original = VoiceListener._reported

    def reported(self: VoiceListener, report: Report) -> None:
        original(self, report)
        start, end = report.speech_start, report.speech_end
        urgent = report.ear == CLEANED_EAR and report.text in URGENT_TEXTS
        if urgent and self.gate is not None and self.gate.coach_talking(start, end):
            rise = self.barge_in.rise_db(start, end)
            if rise is not None:
                rises.append(rise)

    VoiceListener._reported = reported  # type: ignore[method-assign]
    second = None if args.second == "none" else args.second
    counting = over_counts.counting.__wrapped__()
    sentences = over_sentences.sentences.__wrapped__()
    gentle = over_counts.gentle.__wrapped__()
    for level in (float(x) for x in args.levels.split(",")):
        rises.clear()
        acted, said = words_acted_on(counting, sentences, level, second)
        alone = [
            over_counts.taken(fixture, None, 0.0, level, second=second)
            for fixture in (counting, sentences, gentle)
        ]
        low = sum(rise < MIN_RISE_HEARD_DB for rise in rises)
        shown = ", ".join(f"{rise:.1f}" for rise in sorted(rises))
        print(f"echo {level:+.0f} dB: {acted} of {said} words acted on; heard back alone "
              f"(counts, sentences, gentle): {alone}", flush=True)  # fmt: skip
        print(f"  words the echo-cancelled ear made out over the coach rose {shown} dB "
              f"({low} under {MIN_RISE_HEARD_DB} dB)", flush=True)  # fmt: skip


def words_acted_on(
    counting: Said, sentences: Said, level: float, second: str | None
) -> tuple[int, int]:
    """(acted on, said) over the counts' and the sentences' words at echo `level`."""
    tries = [
        (counting, word, start + late)
        for word in ("stop", "pain")
        for _, start, _ in counting[1][1::2]
        for late in (0.0, 0.15)
    ] + [
        (sentences, word, start + late)
        for word in ("stop", "pain")
        for _, start, _ in sentences[1][1:]
        for late in over_sentences.INTO_THE_LINE
    ]
    acted = 0
    for fixture, word, at in tries:
        got = over_counts.taken(fixture, word, at, level, second=second)
        acted += over_sentences.acted_on(got, word)
    return acted, len(tries)


if __name__ == "__main__":
    main()
