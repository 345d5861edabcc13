#!/usr/bin/env python3
"""A soft voice across the room: spoken commands made quieter, with room reverb and a fan.

    .venv/bin/python -m scripts.eval_soft_voice                    # human recordings, the table
    .venv/bin/python -m scripts.eval_soft_voice --ways alone       # PocketSphinx alone only
    .venv/bin/python -m scripts.eval_soft_voice --generated        # espeak-ng voices (tuning)
    .venv/bin/python -m scripts.eval_soft_voice --cpu              # what levelling costs

Each clip is made quieter by 0, -10 and -20 dB, passed through the same room (sox
`reverb`, fixed settings) and mixed with the same kind of steady fan noise (filtered
brown and pink noise with a slight mains hum, about -50 dBFS, seeded per clip) running
LEAD s before the word and TAIL s after it. Then it goes through the live listener
(frames -> levelling -> VAD -> PocketSphinx, and with --ways both Whisper deciding as in
a session), with levelling off and on.

Reported per level: stop/yes/no right (each where it means something: yes/no while a
question waits), "stop" missed, digits right while a pain score is asked for, and false
commands per 10 min of _speech, _noise and _other_words (not the digits) during a
routine, treated the same way. The human recordings (../shared/audio/human) are only
measured; every setting was chosen on --generated (espeak-ng voices of the tuning
script, never the evaluation voices, through the same room and fan).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scripts import tune_recogniser
from scripts.eval_recogniser import (
    HEADS,
    HUMAN,
    HUMAN_TAKES,
    HeldOutHeads,
    acted_on,
    add_engine_options,
    asked_about,
    context_for,
    engine_from,
    take_command,
)
from tests.support import espeak
from tests.support.room import FAN_DBFS, LEAD, REVERB, across_the_room, fan, to_pcm
from voicecoach.core.ports import DURING_ROUTINE, Command, Heard
from voicecoach.listening.engine import Engine, make_engine
from voicecoach.listening.frames import SAMPLE_RATE, read_wav, split_frames, write_wav
from voicecoach.listening.levelling import DEFAULT_LEVELLING, LEVELLINGS
from voicecoach.listening.listener import VoiceListener
from voicecoach.listening.second_opinion import SECOND_ENGINE

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "bench-out" / "soft-voice"
LEVELS_DB = (0.0, -10.0, -20.0)
GENERATED_COMMANDS = ("stop", "yes", "no")
GENERATED_REJECT = tune_recogniser.REJECT_WORDS[::6] + tune_recogniser.SENTENCES[::2]
VOICE_LEVELS_DB = (0.0, -6.0, -12.0)
"""The tuning voices take these levels in turn: people speak softer and louder than
espeak-ng's fixed level."""


@dataclass(frozen=True)
class Clip:
    """One recording to hear: what it says, if it is a command, and where."""

    name: str
    pcm: bytes
    expected: str | None
    """The command it is (stop, yes, no, a digit), or None: must give nothing."""
    path: Path | None = None
    """The recording (for the word head trained without its speaker)."""

    @property
    def context(self) -> frozenset[Command]:
        return context_for(self.expected) if self.expected else DURING_ROUTINE

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / SAMPLE_RATE


Hear = Callable[[bytes, frozenset[Command]], list[str]]
"""Listens to a stream (leading by LEAD s) as a session would; the phrases acted on."""


def listener_hearing(fast: Engine, second: Engine | None, levelling: str | None) -> Hear:
    """The live listener (a new one per stream, as each clip is its own room), with the
    second engine deciding when given, and the named levelling or none."""

    def hear(stream: bytes, expected: frozenset[Command]) -> list[str]:
        sink = _Acted()
        leveller = LEVELLINGS[levelling]() if levelling else None
        listener = VoiceListener(
            sink, fast, expected=lambda: expected, second=second, levelling=leveller
        )
        if listener.second is not None:  # the word head trained without this speaker
            listener.second.load_word_head = HEADS[0].current
        for frame in split_frames(stream, start=-LEAD):
            listener.feed(frame)
        return sink.got

    return hear


class _Acted:
    """What the listener acted on (eval_recogniser.acted_on)."""

    def __init__(self) -> None:
        self.heard: list[Heard] = []

    def put(self, heard: Heard) -> None:
        self.heard.append(heard)

    @property
    def got(self) -> list[str]:
        return [text for text, _ in acted_on([(h, 0.0) for h in self.heard])]


def human_clips() -> list[Clip]:
    """stop/yes/no, the digits (pain scores), and what must give nothing: other words,
    speech, noise and music."""
    clips = []
    for word in ("stop", "yes", "no"):
        clips += [_clip(p, word) for p in sorted((HUMAN / word).glob("*.wav"))]
    digits = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
    for path in sorted((HUMAN / "_other_words").glob("*/*.wav")):
        word = path.parent.name
        clips.append(_clip(path, word if word in digits else None))
    for folder in ("_speech", "_noise"):
        clips += [_clip(p, None) for p in sorted((HUMAN / folder).glob("*.wav"))]
    return clips


def takes_clips() -> list[Clip]:
    """More takes by the same speakers (../shared/audio/human-takes): stop, yes, no and
    the digits; go, down, off, up and on must give nothing."""
    clips = []
    for folder in sorted(p for p in HUMAN_TAKES.iterdir() if p.is_dir()):
        expected = take_command(folder.name)
        clips += [_clip(p, expected, HUMAN_TAKES) for p in sorted(folder.glob("*.wav"))]
    return clips


def _clip(path: Path, expected: str | None, root: Path = HUMAN) -> Clip:
    return Clip(str(path.relative_to(root)), read_wav(path), expected, path)


def generated_clips() -> list[Clip]:
    """The tuning script's espeak-ng voices (never the evaluation's): stop/yes/no, a few
    digits, and words and sentences that must give nothing."""
    clips = []
    for index, (name, speed, pitch) in enumerate(tune_recogniser.VOICES):
        voice = espeak.Voice(name, speed, pitch)
        gain = 10 ** (VOICE_LEVELS_DB[index % len(VOICE_LEVELS_DB)] / 20)
        for text in (*GENERATED_COMMANDS, "four", "seven"):
            clips.append(Clip(f"{voice.tag}/{text}", _rendered(text, voice, gain), text))
        for text in GENERATED_REJECT:
            clips.append(Clip(f"{voice.tag}/{text}", _rendered(text, voice, gain), None))
    return clips


def _rendered(text: str, voice: espeak.Voice, gain: float) -> bytes:
    path = CACHE / f"{text.replace(' ', '_')}--{voice.tag}.wav"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_wav(path, espeak.render(text, voice))
    samples = np.frombuffer(read_wav(path), dtype=np.int16) * gain
    return np.round(samples).astype(np.int16).tobytes()


@dataclass
class Row:
    """One line of the table."""

    right: int = 0
    commands: int = 0
    stops: int = 0
    stops_missed: int = 0
    digits_right: int = 0
    digits: int = 0
    false: int = 0
    asked: int = 0
    """Fast "pain"s on must-reject audio the coach asked about (not counted as false)."""
    reject_seconds: float = 0.0
    cpu_seconds: float = 0.0

    def add(self, clip: Clip, got: list[str]) -> None:
        if clip.expected is None:
            asked = asked_about(got)
            self.asked += asked
            self.false += len(got) - asked
            self.reject_seconds += clip.seconds
        elif clip.expected in ("stop", "yes", "no"):
            self.commands += 1
            self.right += got == [clip.expected]
            if clip.expected == "stop":
                self.stops += 1
                self.stops_missed += "stop" not in got
        else:
            self.digits += 1
            self.digits_right += got == [clip.expected]

    def cells(self) -> str:
        share = 100 * self.right / max(1, self.commands)
        missed = 100 * self.stops_missed / max(1, self.stops)
        per_10 = 10 * self.false / max(1e-9, self.reject_seconds / 60)
        digits = f"{self.digits_right}/{self.digits}" if self.digits else "-"
        return (f"{share:5.1f}% ({self.right}/{self.commands}) | {missed:4.1f}% "
                f"({self.stops_missed}/{self.stops}) | {digits} | {per_10:5.1f} ({self.false} "
                f"in {self.reject_seconds / 60:.1f} min; {self.asked} asked about)")  # fmt: skip


def measure(clips: list[Clip], hear: Hear, level_db: float, verbose: bool) -> Row:
    row = Row()
    started = time.process_time()
    for clip in clips:
        HEADS[0].path = clip.path  # the head trained without its speaker
        got = hear(across_the_room(clip.pcm, level_db, clip.name), clip.context)
        row.add(clip, got)
        wrong = got != ([clip.expected] if clip.expected else [])
        if verbose and wrong:
            print(f"      {clip.name}: {got}", flush=True)
    row.cpu_seconds = time.process_time() - started
    return row


def cpu_cost(levelling: str, seconds: float = 60.0) -> None:
    """Processor time of the levelling alone over `seconds` of the room's audio."""
    stream = to_pcm(fan(seconds, 1))
    leveller = LEVELLINGS[levelling]()
    started = time.process_time()
    for frame in split_frames(stream):
        leveller(frame)
    cpu = time.process_time() - started
    print(f"levelling {levelling!r}: {cpu:.2f} s of processor for {seconds:.0f} s of audio = "
          f"{100 * cpu / seconds:.2f}% of one core")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generated", action="store_true", help="espeak-ng tuning voices")
    parser.add_argument("--takes", action="store_true",
                        help="the human takes (../shared/audio/human-takes) instead")  # fmt: skip
    parser.add_argument("--ways", default="alone,both", help="alone, both (with Whisper)")
    parser.add_argument("--levelling", default=f"off,{DEFAULT_LEVELLING}",
                        help=f"off and/or any of {', '.join(LEVELLINGS)}")  # fmt: skip
    parser.add_argument("--levels", default=",".join(f"{x:g}" for x in LEVELS_DB))
    parser.add_argument("--cpu", action="store_true", help="only the cost of levelling")
    parser.add_argument("--commands-only", action="store_true", help="no must-reject audio")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each mistake")
    add_engine_options(parser)
    args = parser.parse_args()
    levellings = args.levelling.split(",")
    if args.cpu:
        for name in levellings:
            if name != "off":
                cpu_cost(name)
        return
    folder = HUMAN_TAKES if args.takes else HUMAN
    if args.generated:
        clips = generated_clips()
    elif not folder.is_dir():
        sys.exit(f"human recordings not found at {folder} (--generated uses espeak-ng)")
    else:
        clips = takes_clips() if args.takes else human_clips()
    if args.commands_only:
        clips = [c for c in clips if c.expected is not None]
    fast = engine_from(args)
    HEADS[0] = HeldOutHeads("shipped" if args.generated else "cv")
    second = make_engine(SECOND_ENGINE) if "both" in args.ways else None
    print(f"{len(clips)} clips; room: sox {' '.join(REVERB)}, fan {FAN_DBFS:g} dBFS")
    print("level | way | levelling | stop/yes/no | stop missed | digits | false per 10 min")
    for level in (float(x) for x in args.levels.split(",")):
        for way in args.ways.split(","):
            for levelling in levellings:
                hear = listener_hearing(
                    fast,
                    second if way == "both" else None,
                    None if levelling == "off" else levelling,
                )
                row = measure(clips, hear, level, args.verbose)
                name = "PocketSphinx alone" if way == "alone" else f"with {SECOND_ENGINE}"
                print(f"{level:+4.0f} dB | {name} | {levelling} | {row.cells()} | "
                      f"cpu {row.cpu_seconds:.0f} s", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
