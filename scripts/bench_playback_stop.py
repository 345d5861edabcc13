"""How fast does the coach fall silent? Prints stop-to-silence times for playback.

For each trial a long phrase plays into a PulseAudio null sink and silence() is called
at a random moment. Two numbers per trial:
  - writer: silence() -> the writer thread dropped the stream (stream level);
  - heard:  silence() -> the last loud 30 ms frame captured from the sink's monitor
            (what a listener would hear; an upper bound, frames are stamped on arrival).
Also prints start-to-sound: play() -> first loud frame at the monitor. Goal: heard
median <= 50 ms.

Usage: .venv/bin/python -m scripts.bench_playback_stop [--trials 20]
Needs PulseAudio (started if it is not running) and espeak-ng.
"""

from __future__ import annotations

import argparse
import array
import random
import sys
import threading
import time

from scripts.timing_summary import summary
from tests import pulse  # the tests' PulseAudio helpers
from voicecoach.audio.microphone import Microphone
from voicecoach.audio.playback import PlaybackSettings
from voicecoach.audio.speaker import AudioSpeaker, SpeakerSettings, open_speaker
from voicecoach.listening.frames import SAMPLE_RATE, Frame

PHRASE = (
    "Lie on your back on a firm surface, with your knees bent, a pillow under your head "
    "and pillows under your knees, and let your breathing slow down."
)
LOUD = 500


def loud_times(frames: list[Frame]) -> list[float]:
    """When the last loud sample of each loud frame arrived (frames are stamped at their end)."""
    times = []
    for frame in frames:
        samples = array.array("h", frame.pcm)
        loud = [i for i, v in enumerate(samples) if abs(v) > LOUD]
        if loud:
            times.append(frame.end - (len(samples) - 1 - loud[-1]) / SAMPLE_RATE)
    return times


def one_trial(speaker: AudioSpeaker, frames: list[Frame]) -> tuple[float, float, float]:
    frames.clear()
    started: list[float] = []
    cut_after = random.uniform(0.6, 2.5)
    timer = threading.Timer(cut_after, speaker.silence)
    asked = time.monotonic()
    timer.start()
    speaker.player.play(speaker.renderer.render(PHRASE).pcm, 22050, on_start=started.append)
    timer.join(timeout=10)
    time.sleep(0.5)
    player = speaker.player
    assert player.silenced_at is not None and player.stopped_at is not None
    heard = [t for t in loud_times(frames) if t < player.silenced_at + 1.0]
    return (
        player.stopped_at - player.silenced_at,
        max(heard) - player.silenced_at if heard else float("nan"),
        heard[0] - asked if heard else float("nan"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--block", type=int, default=512, help="frames per written block")
    args = parser.parse_args()
    reason = pulse.ensure_running()
    if reason:
        sys.exit(f"cannot benchmark: {reason}")
    with pulse.null_sink("bench") as sink, pulse.routed_to(sink=sink.name, source=sink.monitor):
        speaker = open_speaker(SpeakerSettings(output=PlaybackSettings(block_frames=args.block)))
        speaker.cue("tick")
        time.sleep(2.5)  # a fresh null sink delays the first sound written to it
        frames: list[Frame] = []
        with Microphone(on_frame=frames.append):
            results = [one_trial(speaker, frames) for _ in range(args.trials)]
        speaker.close()
    writer, heard, start = zip(*results, strict=True)
    print(f"block: {args.block} frames ({args.block / 22050 * 1000:.0f} ms)")
    print(summary("silence() -> writer dropped the stream", list(writer)))
    print(summary("silence() -> last sound at the sink   ", list(heard)))
    print(summary("play()    -> first sound at the sink  ", list(start)))


if __name__ == "__main__":
    main()
