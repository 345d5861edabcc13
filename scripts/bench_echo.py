#!/usr/bin/env python3
"""Spoken commands over the coach's own voice, with and without echo cancellation.

The coach says a long sentence; its sound comes back into the microphone 20 or 80 ms
later, at -100 (none: headphones), -30 (a microphone across the room), -12, -6 or 0 dB
against the person's voice, with a faint hiss; 1.5 s into the sentence one of four
espeak-ng voices says a command. Everything goes through the live listener (the
canceller fed as the player and microphone feed it, then VAD and recogniser on each ear,
with no self-hearing gate), listening three ways: the microphone alone (no canceller),
the echo-cancelled audio alone, and both ears, as the coach does. Prints, per echo level,
how many commands were taken, how many were found as a sound of their own (whatever
they decoded to), and any command taken from the coach's echo alone; and per way of
listening, the processor time it took per second of audio.

    .venv/bin/python -m scripts.bench_echo [--into 1.5] [--ways both]

--into: seconds into the sentence the word is said (the canceller starts with the
sentence: later words find it further along in learning the echo).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tests.echo_support import LEAD, SENTENCE, cancelled, for_both_ears, room
from tests.support import espeak
from voicecoach.core.inbox import Inbox
from voicecoach.listening.frames import SAMPLE_RATE, split_frames
from voicecoach.listening.listener import VoiceListener
from voicecoach.listening.recogniser import Report
from voicecoach.listening.sphinx import SphinxEngine

REPO = Path(__file__).resolve().parent.parent

COACH = espeak.Voice("en-us", 175, 50)
PEOPLE = [espeak.Voice("en-gb", 150, 40), espeak.Voice("en-us+f3", 140, 60),
          espeak.Voice("en-029", 160, 45), espeak.Voice("en-gb-scotland", 170, 55)]  # fmt: skip
WORDS = ["stop", "pain", "ouch", "next"]
ECHO_DB = [-100.0, -30.0, -12.0, -6.0, 0.0]
EARS = {
    "the microphone alone": (True, False),
    "the echo-cancelled audio alone": (False, True),
    "both (what the coach does)": (True, True),
}
DELAYS = [0.02, 0.08]


def heard(
    engine: SphinxEngine, coach: bytes, mic: bytes, ears: tuple[bool, bool]
) -> tuple[list[str], list[Report]]:
    """The commands the listener took from `mic` through `ears` (raw, echo-cancelled),
    and what it made of each sound."""
    listener = VoiceListener(Inbox(), engine)
    reports: list[Report] = []
    raw, cancelled_ear = ears
    listener.recogniser.on_report = reports.append
    listener.cancelled.on_report = reports.append
    if raw and cancelled_ear:
        for frame, cleaned in for_both_ears(coach, mic):
            listener.feed(frame, cleaned)
    else:  # one ear: the microphone's audio, or the echo-cancelled audio in its place
        for frame in split_frames(mic) if raw else cancelled(coach, mic):
            listener.feed(frame)
    return [detection.heard.text for detection in listener.detections], reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--into", type=float, default=1.5, help="seconds into the sentence")
    parser.add_argument("--ways", choices=["all", "both"], default="all")
    args = parser.parse_args()
    word_at = LEAD + args.into
    ways = EARS if args.ways == "all" else {k: v for k, v in EARS.items() if k.startswith("both")}
    if not espeak.available():
        sys.exit("espeak-ng is not installed")
    engine = SphinxEngine()
    coach = espeak.render(SENTENCE, COACH)
    for ears, which in ways.items():
        print(f"\n== listening to {ears}")
        cpu, audio_seconds = 0.0, 0.0
        for echo_db in ECHO_DB:
            right = alone = total = false = 0
            for delay in DELAYS:
                echo_only = room(coach, b"", 0.0, echo_db, delay)
                false += len(heard(engine, coach, echo_only, which)[0])
                for person in PEOPLE:
                    for word in WORDS:
                        mic = room(coach, espeak.render(word, person), word_at, echo_db, delay)
                        cpu -= time.process_time()  # the listening, not the making of the room
                        taken, sounds = heard(engine, coach, mic, which)
                        cpu += time.process_time()
                        audio_seconds += len(mic) / 2 / SAMPLE_RATE
                        right += taken == [word]
                        alone += any(short_and_at(r, word_at) for r in sounds)
                        total += 1
            print(f"  echo {echo_db:+.0f} dB: {right}/{total} commands taken, "
                  f"{alone}/{total} found as a sound of their own; "
                  f"{false} commands from the coach's echo alone")  # fmt: skip
        print(f"  processor time: {100 * cpu / audio_seconds:.1f}% of one core "
              f"({audio_seconds:.0f} s of audio with a word in it)")  # fmt: skip


def short_and_at(report: Report, moment: float) -> bool:
    """A sound shorter than a second that began within 0.25 s of `moment`."""
    return abs(report.speech_start - moment) < 0.25 and report.speech_end - report.speech_start < 1


if __name__ == "__main__":
    main()
