"""Whisper base (OpenAI, MIT) through CTranslate2: the stronger, slower recogniser.

Offline. Its model comes from two PyPI data packages (whisper_model.py), or from a
folder given by --model. It transcribes the utterance freely, prompted with the command
words, greedily, in English, without timestamps; the whole transcript must be one
command phrase (the same whole-utterance rule as every engine; a phrase said twice,
"stop, stop", counts as once).

Speed: Whisper's encoder is built for 30 s windows (3000 mel frames) and faster-whisper
always pads to that. A command is at most 1.2 s, so the encoder is run on a shorter
window (WhisperSettings.window_frames) through CTranslate2 directly; see that setting for
what was measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicecoach.listening.engine import Decoded, EngineCheck, EngineUnavailable
from voicecoach.listening.vocabulary import BY_TEXT, NUMBERS, Phrase
from voicecoach.listening.whisper_model import INSTALL, ModelUnavailable, check_model, ready_model

PROMPT = (
    "Commands: stop, pain, ouch, it hurts, next, pause, resume, continue, repeat, skip, "
    "quit, yes, no, how long, help, zero, one, two, three, four, five, six, seven, "
    "eight, nine, ten."
)
"""The initial prompt: tells the model which words to expect (and how to spell them)."""


@dataclass(frozen=True)
class WhisperSettings:
    """How the Whisper engine decodes."""

    window_frames: int = 1000
    """Mel frames (10 ms each) the encoder works on; the utterance is padded with
    silence to this. 3000 is Whisper's own 30 s window. Measured with
    scripts/bench_whisper_window.py on two espeak-ng tuning voices (156 commands, 140
    non-commands, 120 synthetic noises), with the machine shared: 3000 frames 137 right,
    107 rejected, 1467 ms wall median (1124 ms CPU); 1000: 133, 105, 272 ms (240 ms
    CPU); 600: 129, 104, 198 ms. Shorter than ~5 s, Whisper repeats the word ("yes,
    yes, yes"), which phrase_of_transcript folds; the noises it turns into words on a
    short window are what max_no_speech takes out."""
    cpu_threads: int = 2
    """Threads for CTranslate2 (the machine's cores)."""
    max_no_speech: float = 0.5
    """Highest probability of "no speech" (Whisper's own estimate) at which a command is
    still taken: on a short window Whisper turns some noises (knocks, notes) into words.
    On the tuning voices and synthetic noises (window 1000): at 1.0 (off) 133 right
    commands and 11 false ones from noise; 0.5 kept all 133 and left 1; 0.3 lost 2."""
    min_logprob: float = -1.0
    """...and only when the mean log-probability of its words is below this (Whisper's own
    rule: -1.0, with a no-speech limit of 0.6). On the tuning set every noise taken for a
    word scored below -0.96, and -1.0, -0.7, -0.5 and no log-probability condition at
    all gave the same figures (133 right, 1 false); of those, -1.0 rejects the fewest
    sounds. (Seen afterwards on the human evaluation set, not tuned on it: with the
    no-speech limit alone, 8 of the 14 misses of human stop/yes/no were the right word
    with a no-speech probability of 0.51 to 0.63.)"""
    max_new_tokens: int = 8
    """A command is a word or two (the rest of a longer transcript cannot make it one,
    except a word repeated); each token costs a decoder step."""


@dataclass(frozen=True)
class Doubt:
    """What Whisper thought of the utterance it decoded last, beyond its words (for the
    second opinion's third voter, when it heard no words it would stand by)."""

    no_speech: float
    """Its own probability that nothing was said at all."""
    unsure: Phrase | None
    """The command it heard but would not stand by (the no-speech rule), if any."""
    logprob: float = 0.0
    """The mean log-probability of its words (0: sure of each)."""
    first_words: dict[str, float] = field(default_factory=dict)
    """How likely it found each one-word command as its first word, however spelt
    ("stop", "Stop"): its second choice when it wrote another ("start" for a soft
    "stop"). Only words at FIRST_WORD_FLOOR or more."""


FIRST_WORD_FLOOR = 0.01
"""First-word probabilities below this are not kept (Doubt.first_words)."""


class WhisperEngine:
    name = "whisper"
    about = "offline, Whisper base from its PyPI data packages"
    offline = True
    needs_model = True
    gives_scores = False

    def __init__(self, folder: Path, settings: WhisperSettings = WhisperSettings()) -> None:
        try:
            import ctranslate2  # noqa: F401
            from faster_whisper import WhisperModel
            from faster_whisper.tokenizer import Tokenizer
        except ImportError as error:
            raise EngineUnavailable(f"the whisper engine needs: {INSTALL}") from error
        self.settings = settings
        self.last_doubt = Doubt(0.0, None)
        """About the latest decode (read on the thread that decodes)."""
        loaded = WhisperModel(
            str(folder), device="cpu", compute_type="int8", cpu_threads=settings.cpu_threads
        )
        self._model: Any = loaded.model
        self._features: Any = loaded.feature_extractor
        multilingual = bool(self._model.is_multilingual)
        tokenizer = Tokenizer(loaded.hf_tokenizer, multilingual, task="transcribe", language="en")
        self._tokenizer = tokenizer
        self._first_word_tokens = _first_word_tokens(tokenizer)
        self._prompt = [
            tokenizer.sot_prev,
            *tokenizer.encode(" " + PROMPT),
            *tokenizer.sot_sequence,
            tokenizer.no_timestamps,
        ]

    @classmethod
    def open(cls, model: str | None) -> WhisperEngine:
        try:
            folder = Path(model) if model is not None else ready_model()
        except ModelUnavailable as error:
            raise EngineUnavailable(str(error)) from error
        if not (folder / "model.bin").exists():
            raise EngineUnavailable(f"whisper model not found: {folder}")
        return cls(folder)

    @classmethod
    def check(cls, model: str | None = None) -> EngineCheck:
        try:
            import faster_whisper  # noqa: F401

            detail = check_model(Path(model) if model is not None else None)
        except ImportError:
            return EngineCheck(False, "faster-whisper is not installed", INSTALL)
        except ModelUnavailable as error:
            return EngineCheck(False, str(error), INSTALL)
        return EngineCheck(True, f"Whisper base, {detail}")

    def decode(self, pcm: bytes) -> Decoded:
        text, no_speech, logprob, first_words = self.transcribe(pcm)
        decoded = phrase_of_transcript(text)
        unsure = logprob < self.settings.min_logprob
        self.last_doubt = Doubt(no_speech, None, logprob, first_words)
        if no_speech > self.settings.max_no_speech and unsure:
            self.last_doubt = Doubt(no_speech, decoded.phrase, logprob, first_words)
            return Decoded(None, "")  # no words it would stand by
        return decoded

    def transcribe(self, pcm: bytes) -> tuple[str, float, float, dict[str, float]]:
        """What Whisper hears in the audio (16 kHz mono int16), its probability that there
        was no speech at all, the mean log-probability of its words, and how likely it
        found each one-word command as its first word (Doubt.first_words)."""
        import ctranslate2
        import numpy as np

        audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        mel = self._features(audio)[:, : self.settings.window_frames]
        mel = np.pad(mel, ((0, 0), (0, self.settings.window_frames - mel.shape[1])))
        encoded = self._model.encode(ctranslate2.StorageView.from_array(mel[None]))
        result = self._model.generate(
            encoded,
            [self._prompt],
            beam_size=1,
            max_length=len(self._prompt) + self.settings.max_new_tokens,
            suppress_blank=True,
            return_no_speech_prob=True,
            return_scores=True,
            return_logits_vocab=True,
        )[0]
        steps = result.logits[0] if result.logits else []
        first_words = self._first_words(np.asarray(steps[0])) if steps else {}
        tokens = result.sequences_ids[0]
        text = str(self._tokenizer.decode(tokens)).strip()
        logprob = float(result.scores[0]) * len(tokens) / (len(tokens) + 1)
        return text, float(result.no_speech_prob), logprob, first_words

    def _first_words(self, logits: Any) -> dict[str, float]:
        """The probability of each one-word command as the first word, from the logits
        of the first decoding step (every spelling's token summed)."""
        import numpy as np

        shifted = np.exp(logits - logits.max())
        probabilities = shifted / shifted.sum()
        first = {w: float(probabilities[ids].sum()) for w, ids in self._first_word_tokens.items()}
        return {w: p for w, p in first.items() if p >= FIRST_WORD_FLOOR}


def _first_word_tokens(tokenizer: Any) -> dict[str, list[int]]:
    """For each one-word command, the tokens that spell it whole as a first word."""
    tokens: dict[str, list[int]] = {}
    for word in (text for text in BY_TEXT if " " not in text):
        spellings = {f" {word}", f" {word.capitalize()}", f" {word.upper()}", word.capitalize()}
        ids = [tokenizer.encode(s) for s in spellings]
        tokens[word] = sorted({i[0] for i in ids if len(i) == 1})
    return tokens


_DIGITS = {str(n): word for n, word in enumerate(NUMBERS)}


def phrase_of_transcript(transcript: str) -> Decoded:
    """The whole-utterance rule for a free transcript: lower case, punctuation gone,
    digits as words ("4" -> "four"); a phrase said more than once counts once (Whisper
    also tends to write one word said once as "stop, stop, stop", continuing the prompt's
    list)."""
    words = "".join(c if c.isalnum() else " " for c in transcript.lower()).split()
    words = [_DIGITS.get(w, w) for w in words]
    text = " ".join(words)
    phrase = BY_TEXT.get(text) or _repeated(words)
    return Decoded(phrase, phrase.text if phrase is not None else text)


def _repeated(words: list[str]) -> Any:
    """The phrase when `words` is one phrase said again and again ("stop stop")."""
    for size in (1, 2):
        first = " ".join(words[:size])
        if first in BY_TEXT and len(words) % size == 0 and len(words) > size:
            chunks = {" ".join(words[i : i + size]) for i in range(0, len(words), size)}
            if chunks == {first}:
                return BY_TEXT[first]
    return None
