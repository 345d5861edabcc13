"""A third voter: a small word classifier over speech embeddings, for the sounds the two
recognisers leave in doubt.

It sorts one word-sized sound into "stop", "yes", "no", "other" (any other word) or
"noise" (not speech). The features are the speech embeddings the enrolment matcher
uses (enrolled.features: Google's speech embedding as shipped by openWakeWord, one
vector every 80 ms), pooled over time (mean and maximum); the classifier is a
multinomial logistic regression whose weights ship with the package (word_head.npz,
a few kilobytes), trained by scripts/train_word_head.py across speakers and reported
only on speakers held out of training.

second_opinion.decide asks it only when Whisper heard no words: to take a "stop",
"yes" or "no" Whisper missed, or to withdraw a fast "stop" that was plainly not speech
(dishes). Without the `enrol` extra it is simply absent, and the two recognisers decide
as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

CLASSES: tuple[str, ...] = ("stop", "yes", "no", "other", "noise")
"""What the head tells apart, in the order of its outputs."""
WEIGHTS = Path(__file__).with_name("word_head.npz")
"""The shipped head, trained on every speaker (scripts/train_word_head.py)."""


@dataclass(frozen=True)
class WordGuess:
    """What the head made of one sound."""

    word: str
    """The likeliest class (one of CLASSES)."""
    probability: float
    """Its probability, 0 to 1."""


def pooled(embeddings: np.ndarray) -> np.ndarray:
    """One fixed-size vector for a sound of any length: the mean and the maximum of its
    embeddings over time (zeros when there are none)."""
    if not len(embeddings):
        return np.zeros(2 * 96, dtype=np.float32)
    return np.concatenate([embeddings.mean(axis=0), embeddings.max(axis=0)]).astype(np.float32)


class WordHead:
    """The trained classifier: standardise, then a linear layer and a softmax."""

    def __init__(self, mean: np.ndarray, scale: np.ndarray, weights: np.ndarray, bias: np.ndarray):
        self.mean, self.scale, self.weights, self.bias = mean, scale, weights, bias

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> WordHead:
        with np.load(path) as data:
            return cls(data["mean"], data["scale"], data["weights"], data["bias"])

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path, mean=self.mean, scale=self.scale, weights=self.weights, bias=self.bias
        )

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Class probabilities (rows) for pooled feature vectors (rows)."""
        logits = ((vectors - self.mean) / self.scale) @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def guess(self, pcm: bytes) -> WordGuess:
        """The likeliest class for one sound (16 kHz mono int16)."""
        from voicecoach.listening.enrolled import features

        row = self.probabilities(pooled(features(pcm))[None, :])[0]
        best = int(row.argmax())
        return WordGuess(CLASSES[best], float(row[best]))


def load_head() -> WordHead | None:
    """The shipped head, or None when its speech-embedding model is not installed (the
    `enrol` extra) or the weights are missing: the two recognisers then decide alone."""
    from voicecoach.listening.enrolled import MatcherUnavailable, matcher_available

    try:
        if not WEIGHTS.exists() or not matcher_available():
            return None
    except MatcherUnavailable:
        return None
    return WordHead.load()
