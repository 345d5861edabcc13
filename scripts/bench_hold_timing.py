"""Does a 30 s hold last 30 s when real speech counts it out? (goal: |error| <= 50 ms)

Runs the real engine on a one-hold routine with real pyttsx3 + espeak-ng speech played
through PyAudio into a PulseAudio null sink, counting every second (the most speech).
The hold is measured from the moment the hold-start cue finished playing to the moment
the hold-end cue started, as the speaker's playback reported them.

Usage: .venv/bin/python -m scripts.bench_hold_timing [--holds 2] [--seconds 30] [--count 1]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys

from tests import pulse  # the tests' PulseAudio helpers
from voicecoach.audio.speaker import AudioSpeaker, open_speaker
from voicecoach.commands.wiring import MonotonicClock
from voicecoach.core.engine import Engine, Ports
from voicecoach.core.inbox import Inbox
from voicecoach.core.plan import build_plan
from voicecoach.core.ports import NullLog
from voicecoach.core.routines import Routine, Step
from voicecoach.core.settings import CountStyle, SessionSettings
from voicecoach.terminal.captions import PlainDisplay


class CueTimes:
    """Wraps the real speaker and notes when each cue started and ended playing."""

    def __init__(self, inner: AudioSpeaker) -> None:
        self.inner = inner
        self.cues: list[tuple[str, float, float]] = []

    def say(self, text: str) -> bool:
        return self.inner.say(text)

    def cue(self, name: str) -> bool:
        finished = self.inner.cue(name)
        played = self.inner.last_played()
        assert played is not None
        self.cues.append((name, played[1], played[2]))
        return finished

    def silence(self) -> None:
        self.inner.silence()

    def duration(self, text: str) -> float:
        return self.inner.duration(text)


def one_hold_routine() -> Routine:
    step = Step("hold", "Knee to chest", (), False, "Slowly pull your knee toward your chest.")
    return Routine("bench", "Hold timing", "", (step,), "benchmark")


def measure(holds: int, seconds: int, count: CountStyle) -> list[float]:
    settings = SessionSettings(
        hold_seconds=seconds, repetitions=holds, count_style=count, ask_pain_scores=False
    )
    plan = build_plan(one_hold_routine(), settings)
    with pulse.null_sink("holdbench") as sink, pulse.routed_to(sink=sink.name):
        speaker = CueTimes(open_speaker())
        inbox = Inbox(on_urgent=speaker.silence)
        ports = Ports(speaker, inbox, MonotonicClock(), PlainDisplay(io.StringIO()), NullLog())
        Engine(plan, settings, ports).run()
        speaker.inner.close()
    starts = [end for name, _, end in speaker.cues if name == "hold_start"]
    ends = [start for name, start, _ in speaker.cues if name == "hold_end"]
    return [(end - start) - seconds for start, end in zip(starts, ends, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--count", choices=[c.value for c in CountStyle], default="1")
    args = parser.parse_args()
    reason = pulse.ensure_running()
    if reason:
        sys.exit(f"cannot run: {reason}")
    errors = measure(args.holds, args.seconds, CountStyle(args.count))
    for i, error in enumerate(errors, 1):
        print(
            f"hold {i}: {args.seconds} s hold lasted {args.seconds + error:.3f} s "
            f"(error {error * 1000:+.1f} ms)"
        )
    worst = max(abs(e) for e in errors)
    print(
        f"hold timing error over {len(errors)} real-speech {args.seconds} s holds "
        f"(count every {args.count} s): mean {statistics.mean(errors) * 1000:+.1f} ms, "
        f"worst |error| {worst * 1000:.1f} ms (goal: 50 ms)"
    )


if __name__ == "__main__":
    main()
