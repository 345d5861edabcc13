"""The default engine: PocketSphinx with its bundled US English model, offline.

The decoder is constrained by a grammar: an utterance is EITHER exactly one command
phrase OR exactly one "filler" word from a short list of non-command words. The filler
words compete with the commands, so an isolated word that is not a command ("go",
"top", "know") is more likely to come out as a filler and be rejected, instead of being
forced onto the nearest command. Two more alternatives, made of the acoustic model's
noise and non-speech phones, take some knocks and hums. Sentences never reach the
decoder (the VAD drops utterances longer than any command). Last, the path score per
frame (how far the command's path falls below the best-scoring state of each frame)
must reach a threshold, lower for "stop" and "pain" than for the rest.

Measured on the tuning set (scripts/tune_recogniser.py) and not adopted: the grammar
alone finds only ~72% of the espeak-ng commands, and everything below moved along the
same trade-off between right commands and rejected non-commands, or lower.
- Cepstral mean: the model's feat.params sets batch CMN, so each utterance (with its
  0.3 s of pre-roll) is already normalised on its own; live CMN kept warm across
  utterances gave the same accuracy (68.8% vs 68.6%, grammar alone).
- Log-likelihood ratio against an unconstrained phone loop (allphone search) as the
  confidence: 0 to 5 points more right commands at equal rejection, for twice the CPU.
- Scoring all senones (compallsen), so the score is against the best state overall:
  no better. Wider beams: worse (59.5% grammar alone; the best path is often wrong).
- lw 3/10, wip 0.2, pip 0.5, pre-roll 5 or 15 frames, dropping fillers: the same curve.
- A higher grammar weight for "stop" and "pain" (5 against 1): the same 30 of 48 right
  on the quick tuning set (their misses are not lost to other phrases).
- Per-command thresholds chosen to trade right against false accepts switch "no",
  "help", "four", "quit", "one" and "pause" off entirely: too few right ones score
  above the wrong ones.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from voicecoach.listening.engine import Decoded, EngineCheck, EngineUnavailable
from voicecoach.listening.vocabulary import (
    BY_TEXT,
    PHRASES,
    PRECISION_FIRST,
    PRONUNCIATIONS,
    RECALL_FIRST,
    Phrase,
)

FILLER_WORDS: tuple[str, ...] = (
    "go", "hold", "start", "hurt", "yeah", "hello", "okay",
    "and", "release", "welcome", "rest", "relax", "slowly", "gently",
)  # fmt: skip
"""Non-command words that compete with the commands (some are words the coach starts
its lines with, so the start of a line is not taken for a command). Kept short: on the
espeak-ng tuning set a long list of common words (about 200) stole a third of the real
commands ("wait" for quit, "a" for pain, "top" for stop), short function words ("you",
"if") stole many more, as did "on", "off", "so", "roll", "yet" and "breathe" ("one",
"no", "next", "three"); these few did not."""

NOISE_WORDS: dict[str, str] = {"noise_": "+NSN+", "babble_": "+SPN+"}
"""Words made of the model's noise phones, each allowed to repeat as a whole utterance.
On 360 synthetic non-speech clips (clinks, knocks, notes, tunes, noise bursts, miaows)
they cut false commands from 191 to 151, for 6 of 1248 right commands on the espeak-ng
tuning voices; their weight (0.001 to 0.1) made no difference."""

_QUIET = "quiet_"
"""A dictionary word made of the silence phone, so quiet before and after a command is
part of the grammar (the decoder's own filler insertion is switched off: it let noise
models swallow the end of words)."""


@dataclass(frozen=True)
class SphinxSettings:
    """How the PocketSphinx engine decides."""

    filler_weight: float = 0.001
    """Grammar weight of all filler words together against 1 for each command: lower
    means fewer real commands lost to a filler and more non-commands accepted."""
    fillers: tuple[str, ...] = FILLER_WORDS
    """The competing non-command words."""
    noise_weight: float = 0.001
    """Grammar weight of the noise words together (see NOISE_WORDS)."""
    min_score: float = -27.5
    """Lowest path score per 10 ms frame (log base 1.0001, relative to the best state of
    each frame) for a command to be accepted. Chosen to keep 97% of the right commands
    the grammar finds on the espeak-ng tuning voices: -27.5 there (it was -29 before the
    British pronunciations and topn 8); there it rejects 44% of non-command
    words (40% at -29)."""
    min_score_urgent: float = -35.0
    """The same for "stop" and "pain" words, set lower: missing them costs more than a
    false alarm (kept 100% of them on the tuning set)."""
    min_score_costly: float = -25.0
    """The same for "quit" and "skip", set higher (precision first): a false one ends the
    session or loses an exercise (by voice they are confirmed as well). Chosen on the
    espeak-ng tuning voices (tune_recogniser.py --quick) to keep 90% of the right ones the
    grammar finds: there -24.9; at -25 it kept 14 of 24 (15 at -27.5) and took 10 of 280
    non-command words for them (11). The score tells these words from others poorly;
    the confirmation does the rest."""
    near_miss_margin: float = 8.0
    """How far below its threshold a command may score and still count as a near miss:
    ignored alone, taken when the same phrase comes again at once (a person says it
    again). One word's score swings with where it falls against the decoder's 10 ms
    frames (one espeak-ng "next" said live ~70 times: -25.7 to -36.3), so one draw says
    little; two near misses of one phrase in a row did not happen once on the human
    noise, speech and non-command recordings (margins 3 to 10 tried)."""
    remove_noise: bool = True
    """PocketSphinx's own noise subtraction. The model's feat.params switches it on and
    overrides the decoder's arguments, so it is set through a copy of that file. On the
    espeak-ng tuning voices, off lost 55 of 1248 right commands (grammar alone)."""
    topn: int = 8
    """Gaussians scored per codebook (PocketSphinx's default is 4). On the espeak-ng
    tuning voices 8 kept 1.4 to 2.6 points more right commands at every reject rate,
    for about a quarter more decoding time."""


class SphinxEngine:
    name = "pocketsphinx"
    about = "built in, offline, fast"
    offline = True
    needs_model = False  # its English model ships inside its wheel
    gives_scores = True

    def __init__(self, settings: SphinxSettings = SphinxSettings()) -> None:
        import pocketsphinx

        self.settings = settings
        model = pocketsphinx.get_model_path()
        cmudict = os.path.join(model, "en-us", "cmudict-en-us.dict")
        self._folder = tempfile.TemporaryDirectory(prefix="voicecoach-sphinx-")
        dictionary = Path(self._folder.name) / "commands.dict"
        fillers = _write_dictionary(dictionary, cmudict, settings.fillers)
        acoustic_model = os.path.join(model, "en-us", "en-us")
        feature_params = Path(self._folder.name) / "feat.params"
        _write_feature_params(feature_params, acoustic_model, settings.remove_noise)
        self._decoder = pocketsphinx.Decoder(
            hmm=acoustic_model,
            featparams=str(feature_params),
            dict=str(dictionary),
            lm=None,
            fsgusefiller=False,
            topn=settings.topn,
            loglevel="FATAL",
        )
        grammar = _grammar(PHRASES, fillers, settings)
        self._decoder.add_jsgf_string("commands", grammar)
        self._decoder.activate_search("commands")

    @classmethod
    def open(cls, model: str | None) -> SphinxEngine:
        if model is not None:
            raise EngineUnavailable("the pocketsphinx engine uses its bundled model: drop --model")
        return cls()

    @classmethod
    def check(cls, model: str | None = None) -> EngineCheck:
        """PocketSphinx and its bundled English model are installed."""
        return check_bundled_model()

    def decode(self, pcm: bytes) -> Decoded:
        decoder = self._decoder
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        if hypothesis is None:
            return Decoded(None, "")
        text = " ".join(w for w in hypothesis.hypstr.split() if w not in _NON_WORDS)
        score = _per_frame(hypothesis.score, decoder.n_frames())
        phrase = BY_TEXT.get(text)
        if phrase is None:
            return Decoded(None, text, score)
        threshold = self._threshold(phrase)
        if score < threshold:
            near = score >= threshold - self.settings.near_miss_margin
            return Decoded(None, text, score, near_miss=near)
        return Decoded(phrase, text, score)

    def _threshold(self, phrase: Phrase) -> float:
        if phrase.command in RECALL_FIRST:
            return self.settings.min_score_urgent
        if phrase.command in PRECISION_FIRST:
            return self.settings.min_score_costly
        return self.settings.min_score


_MODEL_FILES = ("en-us/en-us", "en-us/cmudict-en-us.dict", "en-us/en-us.lm.bin")
_FIX = "pip install --force-reinstall pocketsphinx SpeechRecognition"


def check_bundled_model(model_path: Callable[[], str] | None = None) -> EngineCheck:
    """PocketSphinx and the English model inside its wheel are there (`model_path`:
    where to look instead, for tests)."""
    try:
        import speech_recognition  # noqa: F401  (reads WAV files for `hear`)

        if model_path is None:
            from pocketsphinx import get_model_path

            model_path = get_model_path
        folder = Path(model_path())
    except Exception as error:
        return EngineCheck(False, f"cannot load the recogniser ({error})", _FIX)
    missing = [name for name in _MODEL_FILES if not (folder / name).exists()]
    if missing:
        return EngineCheck(False, f"model files missing in {folder}: {missing}", _FIX)
    return EngineCheck(True, f"PocketSphinx English model at {folder / 'en-us'}")


def _per_frame(score: float, frames: int) -> float:
    """The Python API hands the score back as a probability; turn it into log units."""
    if score <= 0.0:
        return float("-inf")
    return math.log(score) / _LOG_BASE / max(1, frames)


_LOG_BASE = math.log(1.0001)
_NON_WORDS = {_QUIET, *NOISE_WORDS}


def _grammar(commands: tuple[Phrase, ...], fillers: list[str], settings: SphinxSettings) -> str:
    """Commands, fillers and noises as one weighted alternation of words (weights placed
    on rule references are lost when PocketSphinx turns the grammar into a word graph)."""
    choices = [f"/1/ {p.text}" for p in commands]
    choices += [f"/{settings.filler_weight / max(1, len(fillers))}/ x_{w}" for w in fillers]
    choices += [f"/{settings.noise_weight / len(NOISE_WORDS)}/ {w}+" for w in NOISE_WORDS]
    header = "#JSGF V1.0;\ngrammar commands;\n"
    return header + f"public <utterance> = {_QUIET}* ( {' | '.join(choices)} ) {_QUIET}* ;\n"


def _write_feature_params(path: Path, acoustic_model: str, remove_noise: bool) -> None:
    """The model's feature parameters with our noise-subtraction choice (PocketSphinx
    reads this file after the decoder's arguments, so its values win)."""
    lines = Path(acoustic_model, "feat.params").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("-remove_noise ")]
    kept.append(f"-remove_noise {'yes' if remove_noise else 'no'}")
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def _write_dictionary(path: Path, cmudict: str, fillers: tuple[str, ...]) -> list[str]:
    """Write the commands, the fillers (prefixed "x_") and the quiet word; return the
    fillers found in CMUdict."""
    wanted = set(fillers) - set(PRONUNCIATIONS)
    found: dict[str, list[str]] = {}
    with open(cmudict, encoding="utf-8") as source:
        for line in source:
            word, _, phones = line.strip().partition(" ")
            base = word.split("(")[0]
            if base in wanted:
                found.setdefault(base, []).append(phones)
    lines = [f"{_QUIET} SIL"] + [f"{word} {phone}" for word, phone in NOISE_WORDS.items()]
    for word, prons in PRONUNCIATIONS.items():
        lines += [_entry(word, i, p) for i, p in enumerate(prons)]
    for word, filler_prons in sorted(found.items()):
        lines += [_entry(f"x_{word}", i, p) for i, p in enumerate(filler_prons)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sorted(found)


def _entry(word: str, index: int, phones: str) -> str:
    return f"{word} {phones}" if index == 0 else f"{word}({index + 1}) {phones}"
