"""The default engine: PocketSphinx with its bundled US English model, offline.

The decoder is constrained by a grammar: an utterance is EITHER exactly one command
phrase OR exactly one "filler" word from a short list of non-command words. The filler
words compete with the commands, so an isolated word that is not a command ("go",
"top", "know") is more likely to come out as a filler and be rejected, instead of being
forced onto the nearest command. Sentences never reach the decoder (the VAD
drops utterances longer than any command).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from voicecoach.listening.engine import Decoded
from voicecoach.listening.vocabulary import BY_TEXT, PRONUNCIATIONS, Phrase, phrases

FILLER_WORDS: tuple[str, ...] = (
    "go", "hold", "start", "hurt", "yeah", "yet", "hello", "okay", "off", "on", "so",
    "and", "release", "welcome", "rest", "relax", "roll", "breathe", "slowly", "gently",
)  # fmt: skip
"""Non-command words that compete with the commands (some are words the coach starts
its lines with, so the start of a line is not taken for a command). Kept short: on the
espeak-ng tuning set a long list of common words (about 200) stole a third of the real
commands ("wait" for quit, "a" for pain, "top" for stop), short function words ("you",
"if") stole many more, and these few did not."""

_QUIET = "quiet_"
"""A dictionary word made of the silence phone, so quiet before and after a command is
part of the grammar (the decoder's own filler insertion is switched off: it let noise
models swallow the end of words)."""


@dataclass(frozen=True)
class SphinxSettings:
    """How the PocketSphinx engine decides."""

    filler_weight: float = 0.01
    """Grammar weight of all filler words together against 1 for each command: lower
    means fewer real commands lost to a filler and more non-commands accepted."""
    numbers: bool = True
    """Listen for the pain-score numbers zero to ten."""
    fillers: tuple[str, ...] = FILLER_WORDS
    """The competing non-command words."""
    remove_noise: bool = False
    """PocketSphinx's own noise subtraction (off: it needs longer audio than one word
    to settle)."""


class SphinxEngine:
    name = "pocketsphinx"

    def __init__(self, settings: SphinxSettings = SphinxSettings()) -> None:
        import pocketsphinx

        self.settings = settings
        self._phrases = phrases(settings.numbers)
        model = pocketsphinx.get_model_path()
        cmudict = os.path.join(model, "en-us", "cmudict-en-us.dict")
        self._folder = tempfile.TemporaryDirectory(prefix="voicecoach-sphinx-")
        dictionary = Path(self._folder.name) / "commands.dict"
        fillers = _write_dictionary(dictionary, cmudict, settings.fillers)
        self._decoder = pocketsphinx.Decoder(
            hmm=os.path.join(model, "en-us", "en-us"),
            dict=str(dictionary),
            lm=None,
            fsgusefiller=False,
            remove_noise=settings.remove_noise,
            loglevel="FATAL",
        )
        grammar = _grammar(self._phrases, fillers, settings.filler_weight)
        self._decoder.add_jsgf_string("commands", grammar)
        self._decoder.activate_search("commands")

    def decode(self, pcm: bytes) -> Decoded:
        decoder = self._decoder
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        words = hypothesis.hypstr.split() if hypothesis is not None else []
        text = " ".join(w for w in words if w != _QUIET)
        phrase = BY_TEXT.get(text)
        if phrase is not None and phrase not in self._phrases:
            phrase = None
        return Decoded(phrase, text)


def _grammar(commands: tuple[Phrase, ...], fillers: list[str], filler_weight: float) -> str:
    """Commands and fillers as one weighted alternation of words (weights placed on
    rule references are lost when PocketSphinx turns the grammar into a word graph)."""
    choices = [f"/1/ {p.text}" for p in commands]
    choices += [f"/{filler_weight / max(1, len(fillers))}/ x_{w}" for w in fillers]
    header = "#JSGF V1.0;\ngrammar commands;\n"
    return header + f"public <utterance> = {_QUIET}* ( {' | '.join(choices)} ) {_QUIET}* ;\n"


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
    lines = [f"{_QUIET} SIL"]
    for word, prons in PRONUNCIATIONS.items():
        lines += [_entry(word, i, p) for i, p in enumerate(prons)]
    for word, filler_prons in sorted(found.items()):
        lines += [_entry(f"x_{word}", i, p) for i, p in enumerate(filler_prons)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sorted(found)


def _entry(word: str, index: int, phones: str) -> str:
    return f"{word} {phones}" if index == 0 else f"{word}({index + 1}) {phones}"
