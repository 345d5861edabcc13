#!/usr/bin/env python3
"""Spoken commands over the coach's own voice, with and without echo cancellation.

The coach says a long sentence; its sound comes back into the microphone 20 or 80 ms
later, at -12, -6 or 0 dB against the person's voice, with a faint hiss; 1.5 s into the
sentence one of four espeak-ng voices says a command. Everything goes through the live
pipeline (the canceller fed as the player and microphone feed it, then the VAD and the
recogniser, with no self-hearing gate). Prints, per echo level, how many commands were
heard, how many were found as a sound of their own (whatever they decoded to), and any
command heard from the coach's echo alone.

    .venv/bin/python scripts/bench_echo.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from echo_support import LEAD, SENTENCE, cancelled, room  # noqa: E402

from voicecoach.listening import espeak  # noqa: E402
from voicecoach.listening.frames import split_frames  # noqa: E402
from voicecoach.listening.recogniser import Recogniser, Report  # noqa: E402
from voicecoach.listening.sphinx import SphinxEngine  # noqa: E402

COACH = espeak.Voice("en-us", 175, 50)
PEOPLE = [espeak.Voice("en-gb", 150, 40), espeak.Voice("en-us+f3", 140, 60),
          espeak.Voice("en-029", 160, 45), espeak.Voice("en-gb-scotland", 170, 55)]  # fmt: skip
WORDS = ["stop", "pain", "ouch", "next"]
ECHO_DB = [-12.0, -6.0, 0.0]
DELAYS = [0.02, 0.08]
WORD_AT = LEAD + 1.5


def heard(engine: SphinxEngine, coach: bytes, mic: bytes, cancel: bool) -> list[Report]:
    """What the listener made of each sound in `mic`."""
    reports: list[Report] = []
    recogniser = Recogniser(engine, on_report=reports.append)
    for frame in cancelled(coach, mic) if cancel else split_frames(mic):
        recogniser.feed(frame)
    return reports


def main() -> None:
    if not espeak.available():
        sys.exit("espeak-ng is not installed")
    engine = SphinxEngine()
    coach = espeak.render(SENTENCE, COACH)
    for cancel in (True, False):
        print(f"\n== echo cancellation {'on' if cancel else 'off'}")
        for echo_db in ECHO_DB:
            right = alone = total = false = 0
            for delay in DELAYS:
                echo_only = heard(engine, coach, room(coach, b"", 0.0, echo_db, delay), cancel)
                false += sum(r.outcome == "heard" for r in echo_only)
                for person in PEOPLE:
                    for word in WORDS:
                        mic = room(coach, espeak.render(word, person), WORD_AT, echo_db, delay)
                        sounds = heard(engine, coach, mic, cancel)
                        right += [(r.outcome, r.text) for r in sounds] == [("heard", word)]
                        alone += any(abs(r.speech_start - WORD_AT) < 0.25 for r in sounds)
                        total += 1
            print(f"  echo {echo_db:+.0f} dB: {right}/{total} commands heard over the coach, "
                  f"{alone}/{total} found as a sound of their own; "
                  f"{false} commands from the coach's echo alone")  # fmt: skip


if __name__ == "__main__":
    main()
