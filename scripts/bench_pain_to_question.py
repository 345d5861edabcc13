"""After "pain", how soon does the first red-flag question start? Prints the times.

Each trial: a long instruction plays through real speech (pyttsx3/espeak-ng rendering,
PyAudio playback into a PulseAudio null sink); at a random moment "pain" reaches the
Inbox, which silences the speaker at once, as in a session. The script then does the
engine's part: it takes the command and hands over to SpokenSafetyCheck.on_pain(). It
answers "yes" as soon as the first question plays, and cuts the advice short.

Per trial:
  - pain -> instruction cut off (its playback ended);
  - pain -> first red-flag question started playing (AudioSpeaker.now_playing);
  - pain -> that question first heard at the sink (its monitor, read live).
Goal (issue 4): the question within a second. --no-prerender renders the questions on
demand instead of ahead, to show what prerendering saves.

The sink's monitor is read for the whole run, as a sound card plays all the time. A null
sink that nobody records runs at its longest latency: then the first write of a stream
reopened after a cut-off blocked ~1.9 s, and a "pain" arriving meanwhile waited for it
(measured: median 503 ms one run, 48 ms another; with the monitor read, every trial
19-23 ms). That was the rig, not the coach.

Usage: .venv/bin/python -m scripts.bench_pain_to_question [--trials 10] [--no-prerender]
Needs PulseAudio (started if it is not running) and espeak-ng.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time

from scripts.timing_summary import summary
from tests import pulse, voice_rig  # the tests' PulseAudio helpers and live sink reader
from voicecoach.audio.speaker import AudioSpeaker, open_speaker
from voicecoach.commands.wiring import MonotonicClock
from voicecoach.core.inbox import Inbox
from voicecoach.core.ports import AfterCheck, Command, Heard, NoDisplay, NullLog
from voicecoach.core.redflags import URGENT_FLAGS
from voicecoach.core.safety import SpokenSafetyCheck, phrases_to_prerender

INSTRUCTION = (
    "Lie on your back on a firm surface, with your knees bent, a pillow under your head "
    "and pillows under your knees, and let your breathing slow down."
)


def watch_for_question(speaker: AudioSpeaker, inbox: Inbox, seen: list[float]) -> None:
    """Note when the first question starts; answer yes; cut the advice short."""
    question = URGENT_FLAGS[0].question
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        playing = speaker.now_playing()
        if playing and playing[0].startswith(question) and not seen:
            seen.append(playing[1])
            inbox.put(Heard(Command.YES, "voice", text="yes"))
        if playing and seen and playing[0] == URGENT_FLAGS[0].advice:
            speaker.silence()
            return
        time.sleep(0.002)


def forget_safety_phrases(speaker: AudioSpeaker) -> None:
    """Drop the safety lines from the render cache (a benchmark may reach inside)."""
    phrases = set(phrases_to_prerender(listening=True))
    cache = speaker.renderer._cache  # noqa: SLF001
    with speaker.renderer._cache_lock:  # noqa: SLF001
        for key in [key for key in cache if key[0] in phrases]:
            del cache[key]


def one_trial(
    speaker: AudioSpeaker, rerender: bool, sink: voice_rig.LiveMonitor
) -> tuple[float, float, float]:
    if rerender:
        forget_safety_phrases(speaker)
    inbox = Inbox(on_urgent=speaker.silence)
    safety = SpokenSafetyCheck(
        speaker, inbox, MonotonicClock(), NoDisplay(), NullLog(), listening=True
    )
    pain_at: list[float] = []

    def say_pain() -> None:
        pain_at.append(time.monotonic())
        inbox.put(Heard(Command.PAIN, "voice", text="pain"))

    timer = threading.Timer(random.uniform(0.8, 2.5), say_pain)
    timer.start()
    finished = speaker.say(INSTRUCTION)
    timer.join(timeout=10)
    assert not finished and pain_at, "the instruction was not cut off"
    last = speaker.last_played()
    assert last is not None
    cut_at = last[2]
    heard = inbox.next_command(1.0)
    assert heard is not None and heard.command is Command.PAIN
    seen: list[float] = []
    watcher = threading.Thread(target=watch_for_question, args=(speaker, inbox, seen))
    watcher.start()
    assert safety.on_pain() is AfterCheck.URGENT
    watcher.join(timeout=25)
    heard_at = first_new_sound(sink, since=seen[0], timeout=5)
    return cut_at - pain_at[0], seen[0] - pain_at[0], heard_at - pain_at[0]


def first_new_sound(monitor: voice_rig.LiveMonitor, since: float, timeout: float) -> float:
    """When the first sound that began after `since` was played: a sound already going
    at `since` (the cut-off instruction's last block) is not the question."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        spans = voice_rig.loud_spans(monitor, since, voice_rig.LOUD, join_gap=0.0)
        later = [span.start for span in spans if span.start > since + voice_rig.WINDOW]
        if later:
            return later[0]
        time.sleep(0.02)
    raise AssertionError(f"the question was not heard within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--no-prerender", action="store_true")
    args = parser.parse_args()
    reason = pulse.ensure_running()
    if reason:
        sys.exit(f"cannot benchmark: {reason}")
    with pulse.null_sink("bench-pain") as sink, pulse.routed_to(sink=sink.name):
        monitor = voice_rig.LiveMonitor(sink.monitor, max_seconds=60 + 20 * args.trials)
        monitor.wait_streaming()
        speaker = open_speaker()
        speaker.prerender([INSTRUCTION])
        if not args.no_prerender:
            speaker.prerender(phrases_to_prerender(listening=True))
        speaker.cue("tick")
        time.sleep(2.5)  # a fresh null sink delays the first sound written to it
        try:
            results = [one_trial(speaker, args.no_prerender, monitor) for _ in range(args.trials)]
        finally:
            speaker.close()
            monitor.close()
    cut, question, heard = zip(*results, strict=True)
    print(f"prerendered questions: {not args.no_prerender}")
    print(summary("pain -> instruction cut off        ", list(cut)))
    print(summary("pain -> first red-flag question    ", list(question)))
    print(summary("pain -> that question heard at sink", list(heard)))


if __name__ == "__main__":
    main()
