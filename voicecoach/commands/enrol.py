"""`voicecoach enrol`: the coach learns its user's voice.

It asks for each command word three times, listens through the real microphone, checks
each take (too quiet, clipped, too long, nothing heard), says what was wrong and asks
again, and stores the good takes as WAV files in the data folder. Keys work throughout:
k skips a word, q stops (the words finished so far are kept). Nothing leaves the machine.
"""

from __future__ import annotations

import queue
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from voicecoach.core.ports import Command, Speaker
from voicecoach.listening.enrolled import (
    ENROL_WORDS,
    TAKES_PER_WORD,
    read_takes,
    save_takes,
)
from voicecoach.listening.frames import Frame
from voicecoach.listening.takes import Take, cut_take

if TYPE_CHECKING:
    from voicecoach.audio.speaker import AudioSpeaker

LISTEN_SECONDS = 5.0
"""How long the coach waits for each take."""
TRIES_PER_TAKE = 3
"""Refused takes of one word in a row before the coach moves on to the next word."""
ECHO_SECONDS = 0.15
"""Microphone audio skipped after each prompt, so the room's echo of it is not a take."""

INTRO = (
    "Let's learn your voice. Lie down as you would in a session. "
    f"I'll ask for each word {TAKES_PER_WORD} times: say it after me, as you would to stop me. "
    "Press k to skip a word, or q to finish."
)
ADVICE = {
    "too quiet": "That was too quiet for me. A little louder, please.",
    "clipped": "That was too loud. A little softer, please.",
    "too long": "Just the one word, please.",
    "no speech": "I didn't hear anything. A little louder, please.",
}


class TakeSource(Protocol):
    def listen(self, seconds: float) -> Take:
        """The next word said within `seconds` (ends early when a key is pressed)."""
        ...


@dataclass
class Enrolment:
    """What an enrolment run gathered."""

    takes: dict[str, list[bytes]] = field(default_factory=dict)
    """Complete words only: TAKES_PER_WORD good takes each."""
    skipped: list[str] = field(default_factory=list)
    quit: bool = False


class Enroller:
    """Runs the conversation; `say` speaks and shows a line, `key` gives the latest key."""

    def __init__(
        self,
        say: Callable[[str], None],
        source: TakeSource,
        key: Callable[[], Command | None] = lambda: None,
    ) -> None:
        self._say = say
        self._source = source
        self._key = key

    def run(self, words: tuple[str, ...] = ENROL_WORDS) -> Enrolment:
        result = Enrolment()
        self._say(INTRO)
        for word in words:
            takes = self._word(word)
            if takes is None:
                result.quit = True
                break
            if takes:
                result.takes[word] = takes
            else:
                result.skipped.append(word)
        return result

    def _word(self, word: str) -> list[bytes] | None:
        """The word's takes; [] when skipped or given up on; None to quit."""
        takes: list[bytes] = []
        refused = 0
        while len(takes) < TAKES_PER_WORD:
            prompt = f"Say: {word}." if not takes and not refused else f"Again: {word}."
            self._say(prompt)
            take = self._source.listen(LISTEN_SECONDS)
            key = self._key()
            if key is Command.QUIT:
                return None
            if key in (Command.SKIP, Command.NEXT):
                self._say(f"Skipping {word}.")
                return []
            if take.pcm is not None:
                takes.append(take.pcm)
                refused = 0
                continue
            refused += 1
            self._say(ADVICE.get(take.problem or "", "Let's try that again."))
            if refused >= TRIES_PER_TAKE:
                self._say(f"Let's leave {word} for now.")
                return []
        return takes


def store(folder: Path, enrolment: Enrolment) -> dict[str, list[bytes]]:
    """Save the new words, keeping earlier takes of words not recorded this time."""
    takes = read_takes(folder)
    takes.update(enrolment.takes)
    if takes:
        save_takes(folder, takes)
    return takes


class MicTakes:
    """Takes from the live microphone; a key press ends the listening at once."""

    def __init__(self, frames: queue.Queue[Frame], key_pressed: Callable[[], bool]) -> None:
        self._frames = frames
        self._key_pressed = key_pressed

    def listen(self, seconds: float) -> Take:
        self._drain()
        return cut_take(self._frames_for(seconds))

    def _drain(self) -> None:
        """Drop what the microphone heard while the coach spoke, and its echo."""
        time.sleep(ECHO_SECONDS)
        while True:
            try:
                self._frames.get_nowait()
            except queue.Empty:
                return

    def _frames_for(self, seconds: float) -> Iterator[Frame]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self._key_pressed():
            try:
                yield self._frames.get(timeout=0.05)
            except queue.Empty:
                continue


class KeyBox:
    """The latest key that means something here (skip, next or quit)."""

    def __init__(self) -> None:
        self._keys: queue.Queue[Command] = queue.Queue()

    def deliver(self, command: Command) -> None:
        if command in (Command.SKIP, Command.NEXT, Command.NO, Command.QUIT):
            # "n" on the keyboard arrives as NO: here it means next word, as in a session
            self._keys.put(Command.NEXT if command is Command.NO else command)

    def pressed(self) -> bool:
        return not self._keys.empty()

    def take(self) -> Command | None:
        try:
            return self._keys.get_nowait()
        except queue.Empty:
            return None


def spoken(speaker: Speaker | None, show: Callable[[str], None]) -> Callable[[str], None]:
    """A `say` that shows each line and, with a speaker, speaks it."""

    def say(line: str) -> None:
        show(line)
        if speaker is not None:
            speaker.say(line)

    return say


def run_enrol(words: tuple[str, ...], mic: str | None, speak: bool) -> int:
    """The whole command on real audio; returns the exit code."""
    from voicecoach.audio.audio_system import AudioUnavailable
    from voicecoach.audio.microphone import Microphone, MicSettings
    from voicecoach.listening.enrolled import INSTALL_HINT, matcher_available, voice_folder
    from voicecoach.terminal.keys import KeyReader

    speaker = _open_speaker() if speak else None
    box = KeyBox()
    keys = KeyReader(lambda heard: box.deliver(heard.command))
    try:
        microphone = Microphone(
            MicSettings(device=int(mic) if mic and mic.isdigit() else mic)
        ).start()
    except AudioUnavailable as error:
        print(f"voicecoach: no microphone: {error}", file=sys.stderr)
        return 2
    keys.start()
    try:
        say = spoken(speaker, lambda line: print(line, flush=True))
        enrolment = Enroller(say, MicTakes(microphone.frames, box.pressed), box.take).run(words)
        folder = voice_folder()
        stored = store(folder, enrolment)
        say(summary(enrolment, stored))
        print(f"Takes stored in {folder} (voicecoach enrol --forget removes them).")
        if not matcher_available():
            print(f"To use them, install the voice matcher: {INSTALL_HINT}", file=sys.stderr)
    finally:
        keys.stop()
        microphone.stop()
        if speaker is not None:
            speaker.close()
    return 0


def _open_speaker() -> AudioSpeaker | None:
    from voicecoach.audio.audio_system import AudioUnavailable
    from voicecoach.audio.speaker import open_speaker

    try:
        return open_speaker()
    except AudioUnavailable as error:
        print(f"No speech: {error}. Showing the words only.", file=sys.stderr)
        return None


def summary(enrolment: Enrolment, stored: dict[str, list[bytes]]) -> str:
    learnt = ", ".join(enrolment.takes) or "no words"
    line = f"Thank you. I learnt {learnt} this time"
    if enrolment.skipped:
        line += f"; skipped {', '.join(enrolment.skipped)}"
    return f"{line}. I know {len(stored)} of your words."


def forget() -> str:
    """Delete the stored takes; the line to print."""
    from voicecoach.listening.enrolled import forget_takes, voice_folder

    folder = voice_folder()
    if forget_takes(folder):
        return f"Your recorded words were deleted ({folder})."
    return "No recorded words to delete."


def parse_words(words: list[str] | None) -> tuple[str, ...]:
    """The words asked for (all ENROL_WORDS when none); ValueError names a wrong one."""
    if not words:
        return ENROL_WORDS
    unknown = [w for w in words if w.lower() not in ENROL_WORDS]
    if unknown:
        raise ValueError(f"cannot enrol {unknown[0]!r}: choose from {', '.join(ENROL_WORDS)}")
    return tuple(dict.fromkeys(w.lower() for w in words))
