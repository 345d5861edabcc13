#!/usr/bin/env python3
"""What Whisper and the word head make of the generated tuning set, for the sounds in
which Whisper heard no words: the figures behind second_opinion's thresholds.

    .venv/bin/python -m scripts.tune_third_voter            # 6 tuning voices + noises
    .venv/bin/python -m scripts.tune_third_voter --voices 16

Only generated audio (scripts/tune_recogniser.py's espeak-ng tuning voices and synthetic
noises), never the human recordings. The word head used is the one trained by
scripts/train_word_head.py on every fold's training data plus these generated clips, so its
guesses on them are optimistic; Whisper's no-speech probability is not trained on them.
For each kind (commands stop/yes/no, other words, noises): how many sounds Whisper heard
as nothing, their no-speech probabilities, and the head's guesses among them.
"""

from __future__ import annotations

import argparse
import collections

from scripts.eval_recogniser import padded_frames
from scripts.tune_recogniser import (
    CONDITIONS,
    NOISE_CLIPS_PER_KIND,
    NOISE_KINDS,
    REJECT_WORDS,
    VOICES,
    cached_noise,
    render,
)
from tests.support import espeak
from voicecoach.listening.vad import UtteranceDetector
from voicecoach.listening.whisper import WhisperEngine
from voicecoach.listening.whisper_model import ready_model
from voicecoach.listening.word_head import WordHead


def clips(voices: int) -> list[tuple[str, bytes]]:
    out = []
    for name, speed, pitch in VOICES[:voices]:
        voice = espeak.Voice(name, speed, pitch)
        for condition, snr in CONDITIONS:
            for word in ("stop", "yes", "no"):
                out.append(("command", render(word, voice, condition, snr)))
        for text in REJECT_WORDS[:20]:
            out.append(("other", render(text, voice, "clean", None)))
    for kind in NOISE_KINDS:
        for index in range(NOISE_CLIPS_PER_KIND):
            out.append(("noise", cached_noise(kind, index)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voices", type=int, default=6)
    args = parser.parse_args()
    whisper = WhisperEngine(ready_model())
    head = WordHead.load()
    nothing: dict[str, list[tuple[float, str, float, str]]] = collections.defaultdict(list)
    totals: collections.Counter[str] = collections.Counter()
    for kind, pcm in clips(args.voices):
        for utterance in UtteranceDetector().utterances(padded_frames(pcm)):
            totals[kind] += 1
            decoded = whisper.decode(utterance.pcm)
            if decoded.text:
                continue
            doubt = whisper.last_doubt
            guess = head.guess(utterance.pcm)
            unsure = doubt.unsure.text if doubt.unsure is not None else "-"
            nothing[kind].append((doubt.no_speech, guess.word, guess.probability, unsure))
    for kind in ("command", "other", "noise"):
        rows = sorted(nothing[kind])
        print(f"\n{kind}: Whisper heard no words in {len(rows)} of {totals[kind]} sounds")
        if rows:
            levels = [r[0] for r in rows]
            print(f"  no-speech probability: min {levels[0]:.2f}, median "
                  f"{levels[len(levels) // 2]:.2f}, max {levels[-1]:.2f}")  # fmt: skip
        for threshold in (0.6, 0.7, 0.8, 0.9, 0.95):
            print(f"  no-speech >= {threshold:.2f}: {sum(r[0] >= threshold for r in rows)}")
        guesses = collections.Counter(f"{r[1]}{'+' if r[2] >= 0.8 else ''}" for r in rows)
        print("  head (+: p >= 0.8): " + ", ".join(f"{g} {n}" for g, n in guesses.most_common()))
        unsure = collections.Counter(r[3] for r in rows)
        print("  Whisper's unsure word: " + ", ".join(f"{w} {n}" for w, n in unsure.most_common()))


if __name__ == "__main__":
    main()
