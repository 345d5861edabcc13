#!/usr/bin/env python3
"""Tuning set for the recognisers, kept apart from the evaluation set.

    .venv/bin/python -m scripts.tune_recogniser           # 16 voices + synthetic noises
    .venv/bin/python -m scripts.tune_recogniser --quick   # 4 voices
    .venv/bin/python -m scripts.tune_recogniser --engine whisper --quick

Different espeak-ng voice variants, speeds and pitches from scripts/eval_recogniser.py,
different non-command words and sentences, plus synthetic non-speech (clinks, knocks,
notes, tunes, noise bursts, miaows). Prints, for the engine as configured, how many right
commands the grammar finds, then per threshold the right commands kept, non-commands
rejected and false commands per 10 minutes of the synthetic noises, and the thresholds
the settings' rule picks (keep 97% of right commands, all of "stop" and "pain"); for an
engine without PocketSphinx's score threshold, the same figures for its own decisions. The
human recordings are never used here. Files are cached under bench-out/tune-set/.
"""

from __future__ import annotations

import argparse
import math
import random
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from scripts.eval_recogniser import (
    add_engine_options,
    cached_espeak,
    engine_from,
    espeak_plan,
    padded_frames,
)
from tests.support import espeak
from voicecoach.core.ports import URGENT_COMMANDS, Command
from voicecoach.listening.engine import Engine
from voicecoach.listening.frames import (
    SAMPLE_RATE,
    read_wav,
    write_wav,
)
from voicecoach.listening.sphinx import SphinxEngine, SphinxSettings
from voicecoach.listening.vad import UtteranceDetector
from voicecoach.listening.vocabulary import BY_TEXT, PRECISION_FIRST, RECALL_FIRST

REPO = Path(__file__).resolve().parent.parent

CACHE = REPO / "bench-out" / "tune-set"
VOICES = [
    ("en-us+m4", 150, 40), ("en-gb+f5", 170, 60), ("en-gb-scotland+m5", 140, 45),
    ("en-029+f5", 180, 55), ("en-gb-x-rp+m6", 160, 35), ("en-us-nyc+f1", 190, 65),
    ("en-gb-x-gbclan+m8", 130, 50), ("en-gb-x-gbcwmd+m4", 200, 40), ("en-us+klatt", 170, 50),
    ("en-gb+david", 150, 45), ("en-us+steph", 160, 60), ("en-gb-x-rp+john", 140, 50),
    ("en-us+linda", 210, 55), ("en-gb+edward", 125, 40), ("en-us-nyc+m6", 175, 30),
    ("en-029+m5", 155, 50),
]  # fmt: skip
CONDITIONS = [("clean", None), ("snr20", 20.0), ("snr10", 10.0)]
REJECT_WORDS = [
    "go", "so", "sir", "stuff", "spot", "stomp", "plane", "page", "man", "out", "couch", "mouse",
    "paws", "cause", "boys", "presume", "consume", "compete", "defeat", "skin", "script", "kit",
    "quick", "quite", "yet", "guess", "mess", "nope", "snow", "though", "hello", "yellow", "belt",
    "self", "head", "far", "fore", "fight", "mix", "sticks", "heaven", "eighty", "late", "mine",
    "fine", "tent", "then", "when", "hero", "won", "ton", "tea", "free", "tune", "hurry", "hurdle",
    "along", "how", "long", "it", "next door", "stop it",
]  # fmt: skip
SENTENCES = [
    "keep breathing slowly", "let your knees fall to one side", "rest your arms by your sides",
    "we will start again soon", "that was good, well done", "can you pass me the water",
    "I think it is getting better", "what time is it now",
]  # fmt: skip
NOISE_KINDS = ("clink", "knock", "note", "tune", "burst", "miaow")
NOISE_CLIPS_PER_KIND = 20
KEEP_RIGHT = 0.97
"""The rule for min_score: keep this share of the right commands the grammar finds."""
KEEP_COSTLY = 0.90
"""The rule for min_score_costly ("quit", "skip"): keep this share of the right ones the
grammar finds (precision first: a missed one is said again, a false one is asked about)."""


@dataclass
class Heard:
    """One decoded utterance: what the grammar chose and its score per frame."""

    text: str
    score: float | None
    taken: bool
    """The engine's own decision (with its configured threshold, if any)."""


@dataclass
class Clip:
    kind: str  # "command", "reject" or "noise"
    expected: str | None
    heard: list[Heard]
    seconds: float


def decode_clip(engine: Engine, pcm: bytes) -> list[Heard]:
    """The live pipeline's VAD, then the engine on each utterance (scores kept even when
    the engine rejects, so any threshold can be tried afterwards)."""
    detector = UtteranceDetector()
    heard = []
    for utterance in detector.utterances(padded_frames(pcm)):
        decoded = engine.decode(utterance.pcm)
        heard.append(Heard(decoded.text, decoded.confidence, decoded.phrase is not None))
    return heard


def cached_noise(kind: str, index: int) -> bytes:
    path = CACHE / f"noise-{kind}-{index}.wav"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_wav(path, synthetic_noise(kind, index))
    return read_wav(path)


def speech_clips(engine: Engine, voices: list[tuple[str, int, int]]) -> list[Clip]:
    clips = []
    plan = espeak_plan(voices, CONDITIONS, REJECT_WORDS + SENTENCES)
    for voice, text, condition, snr, command in plan:
        heard = decode_clip(engine, render(text, voice, condition, snr))
        clip = Clip("command", text, heard, 0.0) if command else Clip("reject", None, heard, 0.0)
        clips.append(clip)
    return clips


def render(text: str, voice: espeak.Voice, condition: str, snr: float | None) -> bytes:
    """Seeds and noise colours differ from the evaluation set's."""
    return cached_espeak(text, voice, condition, snr, CACHE, 1000, ("white", "low"))


def noise_clips(engine: Engine) -> list[Clip]:
    clips = []
    for kind in NOISE_KINDS:
        for index in range(NOISE_CLIPS_PER_KIND):
            pcm = cached_noise(kind, index)
            seconds = len(pcm) / 2 / SAMPLE_RATE
            clips.append(Clip("noise", None, decode_clip(engine, pcm), seconds))
    return clips


def synthetic_noise(kind: str, seed: int) -> bytes:
    """One or two non-speech events of `kind` with quiet between, at -35..-15 dBFS."""
    rng = random.Random(f"{kind}-{seed}")
    samples = [rng.gauss(0.0, 6.0) for _ in range(SAMPLE_RATE * 3 // 10)]
    for _ in range(rng.randint(1, 2)):
        event = _EVENTS[kind](rng)
        level = math.sqrt(sum(v * v for v in event) / len(event)) or 1.0
        gain = 32768 * 10 ** (rng.uniform(-35, -15) / 20) / level
        samples += [v * gain + rng.gauss(0.0, 6.0) for v in event]
        samples += [rng.gauss(0.0, 6.0) for _ in range(int(rng.uniform(0.5, 1.0) * SAMPLE_RATE))]
    clipped = [max(-32768, min(32767, int(v))) for v in samples]
    return struct.pack(f"<{len(clipped)}h", *clipped)


def _decaying(seconds: float, freqs: list[float], decay: float) -> list[float]:
    count = int(seconds * SAMPLE_RATE)
    return [
        math.exp(-i / SAMPLE_RATE / decay)
        * sum(math.sin(2 * math.pi * f * i / SAMPLE_RATE) for f in freqs)
        for i in range(count)
    ]


def _clink(rng: random.Random) -> list[float]:
    freqs = [rng.uniform(1000, 6000) for _ in range(3)]
    return _decaying(rng.uniform(0.1, 0.4), freqs, rng.uniform(0.03, 0.15))


def _knock(rng: random.Random) -> list[float]:
    tone = _decaying(rng.uniform(0.1, 0.3), [rng.uniform(80, 300)], rng.uniform(0.02, 0.08))
    return [v * (1 + rng.gauss(0.0, 0.5)) for v in tone]


def _note(rng: random.Random) -> list[float]:
    base = rng.uniform(110, 880)
    return _decaying(rng.uniform(0.15, 0.6), [base * k for k in (1, 2, 3, 4)], 0.3)


def _tune(rng: random.Random) -> list[float]:
    return [v for _ in range(rng.randint(2, 4)) for v in _note(rng)]


def _burst(rng: random.Random) -> list[float]:
    count = int(rng.uniform(0.15, 0.9) * SAMPLE_RATE)
    return [rng.gauss(0.0, 1.0) * math.sin(math.pi * i / count) for i in range(count)]


def _miaow(rng: random.Random) -> list[float]:
    count = int(rng.uniform(0.3, 0.9) * SAMPLE_RATE)
    base, phase, out = rng.uniform(300, 700), 0.0, []
    for i in range(count):
        shape = math.sin(math.pi * i / count)
        phase += 2 * math.pi * base * (1 + 0.5 * shape) / SAMPLE_RATE
        out.append(shape * sum(math.sin(k * phase) / k for k in range(1, 8)))
    return out


_EVENTS = {
    "clink": _clink,
    "knock": _knock,
    "note": _note,
    "tune": _tune,
    "burst": _burst,
    "miaow": _miaow,
}


def accepted(
    heard: list[Heard],
    threshold: float | None = None,
    urgent_threshold: float | None = None,
    costly: float | None = None,
) -> list[str]:
    """The phrases taken at these thresholds (None: as the engine decided)."""
    out = []
    for h in heard:
        phrase = BY_TEXT.get(h.text)
        if threshold is None or urgent_threshold is None:
            out += [h.text] if h.taken else []
            continue
        if phrase is None or h.score is None:
            continue
        limit = urgent_threshold if phrase.command in URGENT_COMMANDS else threshold
        if phrase.command in PRECISION_FIRST and costly is not None:
            limit = costly
        if h.score >= limit:
            out.append(h.text)
    return out


def right(
    clip: Clip, threshold: float | None = None, urgent_threshold: float | None = None
) -> bool:
    got = accepted(clip.heard, threshold, urgent_threshold)
    return got == [clip.expected] if clip.expected else not got


def _took(c: Clip, limits: tuple[float, float, float], group: frozenset[Command]) -> list[str]:
    """What would be taken from `c` at these thresholds, of the words in `group`."""
    return [t for t in accepted(c.heard, *limits) if BY_TEXT[t].command in group]


def per_cost(clips: list[Clip], minutes: float, settings: SphinxSettings) -> None:
    """For the recall-first words (stop, pain) and the precision-first ones (quit, skip),
    each threshold: their right ones kept, and their false ones among non-commands and
    synthetic noise; then what the rules pick."""
    commands = [c for c in clips if c.kind == "command"]
    others = [c for c in clips if c.kind != "command"]
    for name, group, thresholds in (
        ("recall first (stop, pain)", RECALL_FIRST, (-45.0, -40.0, -37.5, -35.0, -32.5, -30.0)),
        ("precision first (quit, skip)", PRECISION_FIRST,
         (-27.5, -26.0, -25.0, -24.0, -23.0, -22.0, -21.0, -20.0)),
    ):  # fmt: skip
        mine = [c for c in commands if c.expected and BY_TEXT[c.expected].command in group]
        print(f"\n{name}: threshold  right kept  false among non-commands  false in noise")
        for threshold in thresholds:
            urgent = threshold if group is RECALL_FIRST else settings.min_score_urgent
            costly = threshold if group is PRECISION_FIRST else settings.min_score_costly

            limits = (settings.min_score, urgent, costly)
            kept = sum(_took(c, limits, group) == [c.expected] for c in mine)
            false_words = sum(len(_took(c, limits, group)) for c in others if c.kind == "reject")
            false_noise = sum(len(_took(c, limits, group)) for c in others if c.kind == "noise")
            print(f"  {threshold:7.1f}  {kept:4d}/{len(mine):<4d}  {false_words:6d}"
                  f"  {false_noise:6d} ({false_noise / minutes * 10:.1f} /10 min)")  # fmt: skip
    costly_scores = sorted(
        c.heard[0].score
        for c in commands
        if c.expected and BY_TEXT[c.expected].command in PRECISION_FIRST
        and len(c.heard) == 1 and c.heard[0].text == c.expected and c.heard[0].score is not None
    )  # fmt: skip
    if costly_scores:
        pick = costly_scores[int((1 - KEEP_COSTLY) * len(costly_scores))]
        print(f"rule (keep {KEEP_COSTLY:.0%} of right quit/skip): min_score_costly {pick:.1f}; "
              f"configured {settings.min_score_costly}")  # fmt: skip


def rule_thresholds(commands: list[Clip]) -> tuple[float, float]:
    """min_score keeps KEEP_RIGHT of the right grammar results; min_score_urgent all."""
    normal: list[float] = []
    urgent: list[float] = []
    for clip in commands:
        if len(clip.heard) == 1 and clip.heard[0].text == clip.expected:
            score = clip.heard[0].score
            if score is not None:
                is_urgent = BY_TEXT[clip.expected].command in URGENT_COMMANDS
                (urgent if is_urgent else normal).append(score)
    normal.sort()
    return normal[int((1 - KEEP_RIGHT) * len(normal))], min(urgent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 voices instead of 16")
    add_engine_options(parser)
    args = parser.parse_args()
    if not espeak.available():
        sys.exit("espeak-ng is not installed: cannot make the tuning set")
    engine = engine_from(args)
    clips = speech_clips(engine, VOICES[:4] if args.quick else VOICES) + noise_clips(engine)
    commands = [c for c in clips if c.kind == "command"]
    rejects = [c for c in clips if c.kind == "reject"]
    noises = [c for c in clips if c.kind == "noise"]
    minutes = sum(c.seconds for c in noises) / 60
    print(" setting    right commands  non-commands rejected  synthetic noise false /10 min")
    print_row(f"{engine.name:>9}", None, None, commands, rejects, noises, minutes)
    if isinstance(engine, SphinxEngine):
        sweep_thresholds(engine.settings, commands, rejects, noises, minutes)


def print_row(
    label: str,
    threshold: float | None,
    urgent: float | None,
    commands: list[Clip],
    rejects: list[Clip],
    noises: list[Clip],
    minutes: float,
) -> None:
    kept = sum(right(c, threshold, urgent) for c in commands)
    rejected = sum(right(c, threshold, urgent) for c in rejects)
    false = sum(len(accepted(c.heard, threshold, urgent)) for c in noises)
    print(f" {label}  {kept:5d}/{len(commands):<5d}   {rejected:5d}/{len(rejects):<5d}"
          f"            {false / minutes * 10:6.1f}")  # fmt: skip


def sweep_thresholds(
    settings: SphinxSettings,
    commands: list[Clip],
    rejects: list[Clip],
    noises: list[Clip],
    minutes: float,
) -> None:
    """PocketSphinx's score threshold: the rule's choice, then the trade-off around it."""
    grammar = sum(right(c, -math.inf, -math.inf) for c in commands)
    print(f"grammar alone: {grammar}/{len(commands)} right commands")
    normal, urgent = rule_thresholds(commands)
    print(f"rule (keep {KEEP_RIGHT:.0%} of right, all urgent): min_score {normal:.1f}, "
          f"min_score_urgent {urgent:.1f}; configured {settings.min_score}, "
          f"{settings.min_score_urgent}")  # fmt: skip
    print(" min_score  right commands  non-commands rejected  synthetic noise false /10 min")
    for threshold in (-32.0, -30.0, -29.0, -28.0, -27.5, -27.0, -26.0, -25.0, -23.0, -21.0):
        label = f"{threshold:9.1f}"
        print_row(label, threshold, settings.min_score_urgent, commands, rejects, noises, minutes)
    per_cost(commands + rejects + noises, minutes, settings)


if __name__ == "__main__":
    main()
