"""`voicecoach hear`: the live pipeline run on audio files instead of a microphone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from voicecoach.listening.engine import Engine
from voicecoach.listening.frames import AudioFileError, file_frames
from voicecoach.listening.recogniser import Recogniser
from voicecoach.listening.vad import VadSettings


@dataclass(frozen=True)
class HeardInFile:
    """One result line: a command heard in a file, or the file with none (command None)."""

    file: str
    """The file as given."""
    command: str | None
    """The command's name ("stop", "score", ...), or None when nothing was recognised."""
    at: float | None
    """Seconds into the file when the command fired (end of the VAD hangover)."""
    text: str = ""
    """The words recognised."""
    score: int | None = None
    """The number, for "score"."""

    def as_dict(self) -> dict[str, object]:
        at = None if self.at is None else round(self.at, 3)
        return {
            "file": self.file,
            "command": self.command,
            "at": at,
            "text": self.text,
            "score": self.score,
        }


def hear_file(path: str, engine: Engine, vad: VadSettings | None = None) -> Iterator[HeardInFile]:
    """Every command in the file, in order; raises AudioFileError for a bad file."""
    frames = list(file_frames(Path(path)))  # read it all first, so a bad file fails cleanly
    heard_any = False
    for detection in Recogniser(engine, vad or VadSettings()).run(iter(frames)):
        heard_any = True
        heard = detection.heard
        yield HeardInFile(path, heard.command.value, detection.at, heard.text, heard.score)
    if not heard_any:
        yield HeardInFile(path, None, None)


__all__ = ["AudioFileError", "HeardInFile", "hear_file"]
