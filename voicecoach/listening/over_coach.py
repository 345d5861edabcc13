""" "stop" and "pain" said over the coach, heard by the second engine in the first ear's audio.

With the coach's speaker in the microphone (a laptop), a word said as a count begins
reaches the microphone's own ear merged with the count: one sound, which PocketSphinx
decodes as a filler ("welcome", "okay") or, suspecting the coach's own word, leaves to
the echo-cancelled ear, where the canceller has mangled the word said over the coach's
voice (double talk) to a blip or to nothing. Whisper hears such a sound as what it is,
the coach's count and the word ("Seventeen. Stop."). So the first ear's sounds that
overlap the coach's lines are given to the second engine with the coach's words of that
moment, and a "stop" or "pain" in its transcript is acted on when the coach's lines
there do not say that word: a transcript that only repeats the coach gives nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from voicecoach.core.ports import URGENT_COMMANDS, Command, Heard
from voicecoach.listening.engine import Decoded
from voicecoach.listening.recogniser import _says as says  # the gate's own test of a line
from voicecoach.listening.recogniser import words_of
from voicecoach.listening.vocabulary import PHRASES, Phrase

URGENT_PHRASES: tuple[Phrase, ...] = tuple(p for p in PHRASES if p.command in URGENT_COMMANDS)
"""The phrases that silence the coach ("stop", "pain", "ouch", "it hurts")."""
URGENT_WORDS = frozenset(word for phrase in URGENT_PHRASES for word in phrase.text.split())


@dataclass(frozen=True)
class OverTheCoach:
    """A sound that overlapped the coach's voice, and what the coach said there."""

    coach_lines: tuple[str, ...]
    """The coach's lines sounding (or echoing) while the sound lasted."""
    acted_already: Callable[[Command], bool] = lambda command: False
    """Whether "stop" or "pain" was already acted on for this sound (by either ear), given
    the command the transcript holds: then the transcript adds nothing."""
    cleaned: bool = False
    """The sound is the echo-cancelled ear's, the coach's voice taken out: there a "pain"
    Whisper heard alone is the person's, though the coach's line says it ("...never push
    into sharp pain"; live, a "pain" said over it was dropped so); only the coach's own
    words there ("sharp pain") are its voice."""
    whole: Callable[[], Decoded | None] | None = None
    """For a cleaned sound where the canceller may have let the coach's voice through (the
    microphone rose no louder than its echo): Whisper's transcript of the microphone's own
    audio of the moment, which must hear more than the coach's words for a "stop"/"pain"
    heard in what was left to be acted on, as for LetThrough (live, Whisper wrote "stop"
    for a piece of the coach's voice the ear read as "four", and heard no words whole)."""

    def __call__(self, decoded: Decoded) -> Heard | None:
        """The "stop"/"pain" to act on from the second engine's transcript, if any."""
        if self.cleaned:
            phrase = urgent_unless_the_coachs(decoded.text, self.coach_lines)
        else:
            phrase = urgent_beyond(decoded.text, self.coach_lines)
        if phrase is None or self.acted_already(phrase.command):
            return None
        if not whole_says_more(self.whole, self.coach_lines):
            return None
        return Heard(phrase.command, source="voice", text=decoded.text)


@dataclass(frozen=True)
class LetThrough:
    """A "stop" or "pain" the echo-cancelled ear made out while the canceller let the
    coach's voice through (barge_in.BargeIn.let_through): not acted on at once, but only
    dropped when Whisper hears the coach's own words there ("...your chest. Hold" was
    made out as "stop"). Whisper hearing the same command, two engines agree: act.
    Whisper hearing nothing, other words or another command in what the canceller left,
    it also hears the microphone's own audio of that moment, the coach's voice whole, and
    the word is acted on only when Whisper hears more than the coach's words there
    (whole_says_more). Live, the `gentle` routine heard back, the ear made out "stop" in
    what the canceller left of "Then relax" (it kept -19 dB, the microphone rose 0.7 dB),
    and Whisper heard no words there: the coach paused itself. Live on CI, Whisper wrote
    "go go go go go" for what the canceller left of "...place pillows under your knees",
    and "it hurts" (a phrase of its prompt) for what it left of "In about two minutes I
    can learn your voice". (Offline, with the coach's echo as loud as the person, checking the
    agreeing ones in the whole sound too dropped 4 of 17 words said over the coach.)"""

    command: Command
    """What the echo-cancelled ear made out."""
    coach_lines: tuple[str, ...]
    """The coach's lines sounding while the sound lasted."""
    acted_already: Callable[[Command], bool] = lambda command: False
    """As for OverTheCoach."""
    whole: Callable[[], Decoded | None] | None = None
    """Whisper's transcript of the microphone's own audio of the same moment (None: not
    known, or not asked for)."""

    def __call__(self, decoded: Decoded) -> Heard | None:
        """The command to act on, or None for the coach's own voice."""
        phrase = urgent_unless_the_coachs(decoded.text, self.coach_lines)
        if phrase is None and the_coachs_words(decoded.text, self.coach_lines):
            return None
        agreed = phrase is not None and phrase.command is self.command
        if not agreed and not whole_says_more(self.whole, self.coach_lines):
            return None
        command = phrase.command if phrase is not None else self.command
        if self.acted_already(command):
            return None
        return Heard(command, source="voice", text=decoded.text or command.value)


def whole_says_more(
    whole: Callable[[], Decoded | None] | None, coach_lines: tuple[str, ...]
) -> bool:
    """Whether, in the microphone's own audio (`whole` decodes it), Whisper heard more
    than the coach's words: a "stop"/"pain" beyond them. Not known (no Whisper to ask)
    counts as yes. Other words do not: where the canceller let the coach's voice through,
    the microphone was no louder than the coach's echo, and live Whisper misheard that
    voice whole as other words again and again, and the coach obeyed itself: "pause" (a
    word of its prompt) for "Hold for 30 seconds", "really really center" for "Slowly
    release, and lower your left leg" (on a CI-like run). Offline, with the coach's echo
    as loud as the person, this takes 13 instead of 17 of 32 words said over the coach;
    with the echo 6 dB under the person, 32 of 32 as before (those rise above the echo
    and are not let-through cases)."""
    heard = whole() if whole is not None else None
    return heard is None or urgent_beyond(heard.text, coach_lines) is not None


def the_coachs_words(transcript: str, coach_lines: Iterable[str]) -> bool:
    """Whether `transcript` holds a word besides "stop"/"pain"/... and at least half of its
    words are words of `coach_lines` (Whisper may mishear a piece of the coach's voice)."""
    words = words_of(transcript)
    coach = {word for line in coach_lines for word in words_of(line)}
    if not [word for word in words if word not in URGENT_WORDS]:
        return False
    return 2 * sum(word in coach for word in words) >= len(words)


def urgent_unless_the_coachs(transcript: str, coach_lines: Iterable[str]) -> Phrase | None:
    """The urgent phrase `transcript` says, in audio with the coach's voice taken out: one
    beyond `coach_lines`, or, unless the transcript is the coach's own words, any ("Pain."
    alone, over the caution)."""
    lines = tuple(coach_lines)
    phrase = urgent_beyond(transcript, lines)
    if phrase is None and not the_coachs_words(transcript, lines):
        phrase = urgent_beyond(transcript, ())
    return phrase


def urgent_beyond(transcript: str, coach_lines: Iterable[str]) -> Phrase | None:
    """The urgent phrase `transcript` says that none of `coach_lines` says, if any: the
    first one said (Whisper may go on through its prompt: "pain, ouch, it hurts")."""
    lines = tuple(coach_lines)
    words = words_of(transcript)
    for i in range(len(words)):
        for phrase in URGENT_PHRASES:
            target = phrase.text.split()
            said = words[i : i + len(target)] == target
            if said and not any(says(line, phrase.text) for line in lines):
                return phrase
    return None
