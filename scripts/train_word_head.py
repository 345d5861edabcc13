#!/usr/bin/env python3
"""Train the word head (voicecoach/listening/word_head.py) and print its numbers on
speakers held out of training.

    .venv/bin/python -m scripts.train_word_head            # cross-validate, then ship
    .venv/bin/python -m scripts.train_word_head --no-save  # cross-validate; package untouched

Training data (issue 13 allows the human recordings for training, reported only on held-
out speakers):
- real speech: stop, yes and no from ../shared/audio/human and human-takes, and as
  "other" go (both folders) and down, off, up, on and the digits (human-takes);
- generated: the espeak-ng tuning voices of scripts/tune_recogniser.py saying stop, yes,
  no (clean, 20 and 10 dB) and its non-command words and sentences ("other");
- non-speech: that script's synthetic clinks, knocks, notes, tunes, noise bursts and
  miaows, more of them than it uses, and synthetic clatter and running water ("noise").
Never ../shared/audio/human/_noise, _speech or _other_words: they stay for evaluation.

Each clip is cut by the live VAD (the longest sound in it), as the listener would hand it
over. Speakers are split into FOLDS groups (a speaker's clips in human/ and human-takes/
are one speaker); each fold's head is trained without that group and tested on it; the
generated clips are in every fold's training set. Printed: per-class accuracy on the held-
out speakers, and at each probability threshold what a rescue would take (held-out
stop/yes/no right, and other words taken for one of them). The fold heads are written to
bench-out/word-head-folds.npz for scripts/eval_recogniser.py --word-head-cv; the head
trained on everyone is written into the package.
"""

from __future__ import annotations

import argparse
import collections
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from scripts.eval_recogniser import HUMAN, HUMAN_TAKES, padded_frames
from scripts.tune_recogniser import CONDITIONS as TUNE_CONDITIONS
from scripts.tune_recogniser import (
    NOISE_KINDS,
    REJECT_WORDS,
    SENTENCES,
    VOICES,
    cached_noise,
    render,
)
from tests.support import espeak
from voicecoach.listening.enrolled import features
from voicecoach.listening.frames import SAMPLE_RATE, read_wav
from voicecoach.listening.vad import UtteranceDetector
from voicecoach.listening.word_head import CLASSES, WEIGHTS, WordHead, pooled

REPO = Path(__file__).resolve().parent.parent
FEATURES = REPO / "bench-out" / "word-head-features.npz"
FOLDS_FILE = REPO / "bench-out" / "word-head-folds.npz"
FOLDS = 5
NOISE_CLIPS_PER_KIND = 60
COMMANDS = ("stop", "yes", "no")
OTHER_FOLDERS = ("go", "down", "off", "up", "on", "zero", "one", "two", "three", "four",
                 "five", "six", "seven", "eight", "nine")  # fmt: skip
L2 = 1e-2
STEPS = 600
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


def speaker_of(path: Path) -> str:
    """The speaker id in a recording's file name: sc_<id>_<take>, sc2test_<id>_<take>,
    commons_<accent>_<name>_<take>; else the name without its take number."""
    parts = path.stem.split("_")
    if parts[0] in ("sc", "sc2test") and len(parts) >= 3:
        return parts[1]
    if parts[0] == "commons" and len(parts) >= 4:
        return parts[2]
    return "_".join(parts[:-1]) or path.stem


def fold_of(speaker: str) -> int:
    return zlib.crc32(speaker.encode()) % FOLDS


def cut(pcm: bytes) -> bytes | None:
    """The longest sound the live VAD finds in the clip (None: it finds none)."""
    sounds = [u.pcm for u in UtteranceDetector().utterances(padded_frames(pcm))]
    return max(sounds, key=len) if sounds else None


def human_clips() -> Iterator[tuple[Path, str]]:
    for folder in COMMANDS + ("go",):
        for path in sorted((HUMAN / folder).glob("*.wav")):
            yield path, folder if folder in COMMANDS else "other"
    for folder in COMMANDS + OTHER_FOLDERS:
        for path in sorted((HUMAN_TAKES / folder).glob("*.wav")):
            yield path, folder if folder in COMMANDS else "other"


def generated_clips() -> Iterator[tuple[str, bytes, str]]:
    """(name, audio, class) of the espeak-ng tuning voices and the synthetic noises."""
    for name, speed, pitch in VOICES:
        voice = espeak.Voice(name, speed, pitch)
        for condition, snr in TUNE_CONDITIONS:
            for word in COMMANDS:
                yield f"{word}/{voice.tag}/{condition}", render(word, voice, condition, snr), word
        for text in REJECT_WORDS + SENTENCES:
            yield f"{text}/{voice.tag}", render(text, voice, "clean", None), "other"
    for kind in NOISE_KINDS:
        for index in range(NOISE_CLIPS_PER_KIND):
            yield f"noise-{kind}-{index}", cached_noise(kind, index), "noise"
    for kind, make in (("clatter", clatter), ("water", water)):
        for index in range(NOISE_CLIPS_PER_KIND):
            yield f"noise-{kind}-{index}", make(np.random.default_rng([index, len(kind)])), "noise"


def _as_pcm(samples: np.ndarray, rng: np.random.Generator) -> bytes:
    """At -35..-12 dBFS, with a noise floor and quiet before and after."""
    level = float(np.sqrt(np.mean(samples**2))) or 1.0
    samples = samples * 32768 * 10 ** (rng.uniform(-35, -12) / 20) / level
    quiet = np.zeros(int(0.3 * SAMPLE_RATE))
    out = np.concatenate([quiet, samples, quiet, quiet])
    out = out + rng.normal(0.0, 6.0, len(out))
    return np.clip(out, -32768, 32767).astype("<i2").tobytes()


def clatter(rng: np.random.Generator) -> bytes:
    """Crockery and cutlery knocked together: a few short bright rings in quick
    succession, sometimes over running water."""
    seconds = rng.uniform(0.3, 1.2)
    out = np.zeros(int(seconds * SAMPLE_RATE))
    t = np.arange(int(0.15 * SAMPLE_RATE)) / SAMPLE_RATE
    for _ in range(rng.integers(2, 9)):
        partials = rng.uniform(1500, 9000, 4)
        ring = np.sin(2 * np.pi * partials[:, None] * t).sum(axis=0)
        ring = (ring + rng.normal(0, 1.0, len(t)) * np.exp(-t / 0.004)) * np.exp(
            -t / rng.uniform(0.01, 0.06)
        )
        start = rng.integers(0, max(1, len(out) - len(t)))
        end = min(len(out), start + len(t))
        out[start:end] += rng.uniform(0.3, 1.0) * ring[: end - start]
    if rng.random() < 0.5:
        out += 0.3 * np.abs(out).max() * _water_bed(rng, len(out))
    return _as_pcm(out, rng)


def water(rng: np.random.Generator) -> bytes:
    """A tap running or water splashing: noise whose loudness flickers."""
    return _as_pcm(_water_bed(rng, int(rng.uniform(0.3, 1.1) * SAMPLE_RATE)), rng)


def _water_bed(rng: np.random.Generator, count: int) -> np.ndarray:
    noise = rng.normal(0.0, 1.0, count)
    if rng.random() < 0.5:
        noise = np.diff(noise, prepend=0.0)  # brighter
    flicker = np.repeat(rng.uniform(0.2, 1.0, count // 800 + 1), 800)[:count]
    window = np.sin(np.pi * np.arange(count) / count)
    return np.asarray(noise * flicker * window)


def build_features() -> dict[str, np.ndarray]:
    """Pooled features of every clip, cached: only clips not in the cache are computed
    (delete the file to rebuild all)."""
    data: dict[str, np.ndarray] = {}
    if FEATURES.exists():
        with np.load(FEATURES) as cached:
            data = {key: cached[key] for key in cached.files}
    known = set(data["name"].tolist()) if data else set()
    rows: list[np.ndarray] = []
    labels, speakers, names = [], [], []

    def add(name: str, pcm: bytes, label: str, speaker: str) -> None:
        sound = cut(pcm)
        if sound is not None:
            rows.append(pooled(features(sound)))
            labels.append(CLASSES.index(label))
            speakers.append(speaker)
            names.append(name)

    for path, label in human_clips():
        name = str(path.relative_to(path.parent.parent.parent))
        if name not in known:
            add(name, read_wav(path), label, speaker_of(path))
    for name, pcm, label in generated_clips():
        if name not in known:
            add(name, pcm, label, "")  # generated: in every fold's training set
    if not rows:
        return data
    new = {"x": np.stack(rows), "y": np.array(labels), "speaker": np.array(speakers),
           "name": np.array(names)}  # fmt: skip
    if data:
        new = {key: np.concatenate([data[key], new[key]]) for key in new}
    FEATURES.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(FEATURES, **new)
    return new


def train(x: np.ndarray, y: np.ndarray) -> WordHead:
    """Multinomial logistic regression, classes weighted equally, L2, full-batch Adam."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    onehot = np.eye(len(CLASSES))[y]
    counts = np.bincount(y, minlength=len(CLASSES)).astype(float)
    sample_weight = (len(y) / (len(CLASSES) * np.maximum(counts, 1)))[y][:, None]
    weights = np.zeros((x.shape[1], len(CLASSES)))
    bias = np.zeros(len(CLASSES))
    head = WordHead(mean, scale, weights, bias)
    moments = [np.zeros_like(weights), np.zeros_like(bias)]
    squares = [np.zeros_like(weights), np.zeros_like(bias)]
    for step in range(1, STEPS + 1):
        probabilities = head.probabilities(x)
        error = (probabilities - onehot) * sample_weight / len(y)
        grads = [z.T @ error + L2 * weights, error.sum(axis=0)]
        for param, grad, m, v in zip((weights, bias), grads, moments, squares, strict=True):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= 0.05 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return WordHead(mean.astype(np.float32), scale.astype(np.float32),
                    weights.astype(np.float32), bias.astype(np.float32))  # fmt: skip


def cross_validate(data: dict[str, np.ndarray]) -> tuple[list[WordHead], np.ndarray]:
    """One head per fold of speakers; the held-out probabilities of every human clip."""
    x, y, speakers = data["x"], data["y"], data["speaker"]
    folds = np.array([fold_of(s) if s else -1 for s in speakers])
    held_out = np.zeros((len(y), len(CLASSES)))
    heads = []
    for fold in range(FOLDS):
        train_rows = folds != fold
        head = train(x[train_rows], y[train_rows])
        heads.append(head)
        test_rows = folds == fold
        held_out[test_rows] = head.probabilities(x[test_rows])
    return heads, held_out


def noise_held_out(data: dict[str, np.ndarray]) -> tuple[int, int]:
    """Synthetic noises: trained on the even-numbered clips, tested on the odd ones."""
    x, y, names = data["x"], data["y"], data["name"]
    is_noise = np.array([n.startswith("noise-") for n in names])
    odd = is_noise & np.array([n.rsplit("-", 1)[-1].isdigit() and int(n.rsplit("-", 1)[-1]) % 2 == 1
                               for n in names])  # fmt: skip
    head = train(x[~odd], y[~odd])
    guessed = head.probabilities(x[odd]).argmax(axis=1)
    return int((guessed == CLASSES.index("noise")).sum()), int(odd.sum())


def print_report(data: dict[str, np.ndarray], held_out: np.ndarray) -> None:
    human = data["speaker"] != ""
    y, p = data["y"][human], held_out[human]
    guessed = p.argmax(axis=1)
    speakers = len(set(data["speaker"][human]))
    print(f"held-out speakers ({FOLDS}-fold by speaker, {speakers} speakers, {human.sum()} clips)")
    confusion: collections.Counter[tuple[str, str]] = collections.Counter()
    for label in range(len(CLASSES)):
        rows = y == label
        if rows.any():
            right = int((guessed[rows] == label).sum())
            print(f"  {CLASSES[label]:>6}: {right}/{rows.sum()} = {100 * right / rows.sum():.1f}%")
        for g in guessed[rows]:
            if g != label:
                confusion[(CLASSES[label], CLASSES[g])] += 1
    print("  confusions: " + ", ".join(f"{a}->{b} {n}" for (a, b), n in confusion.most_common(8)))
    print("rescue at threshold: held-out stop/yes/no taken right (wrong); other words taken")
    commands = np.isin(y, [CLASSES.index(c) for c in COMMANDS])
    for threshold in THRESHOLDS:
        sure = p.max(axis=1) >= threshold
        is_command_guess = np.isin(guessed, [CLASSES.index(c) for c in COMMANDS])
        taken = sure & is_command_guess
        right = int((taken & commands & (guessed == y)).sum())
        wrong = int((taken & commands & (guessed != y)).sum())
        other = y == CLASSES.index("other")
        false = int((taken & other).sum())
        print(f"  p >= {threshold:.1f}: {right}/{commands.sum()} right ({wrong} wrong); "
              f"{false}/{other.sum()} other words taken")  # fmt: skip
    speech = y != CLASSES.index("noise")
    noise_guess = guessed == CLASSES.index("noise")
    print(f"human words taken for noise (would withdraw a stop): {(noise_guess & speech).sum()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--no-save", action="store_true",
        help="cross-validate and write the fold heads (bench-out/), not the shipped head",
    )  # fmt: skip
    args = parser.parse_args()
    data = build_features()
    heads, held_out = cross_validate(data)
    print_report(data, held_out)
    right, total = noise_held_out(data)
    print(f"synthetic noises held out (odd clips): {right}/{total} taken for noise")
    folds = {f"{name}{k}": getattr(h, name) for k, h in enumerate(heads)
             for name in ("mean", "scale", "weights", "bias")}  # fmt: skip
    speakers = sorted({s for s in data["speaker"] if s})
    np.savez_compressed(
        FOLDS_FILE,
        speakers=np.array(speakers),
        folds=np.array([fold_of(s) for s in speakers]),
        **folds,
    )
    print(f"wrote {FOLDS_FILE.relative_to(REPO)} (for eval_recogniser --word-head cv)")
    if args.no_save:
        return  # the shipped head stays as it is
    train(data["x"], data["y"]).save(WEIGHTS)
    print(f"wrote {WEIGHTS.relative_to(REPO)} ({WEIGHTS.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
