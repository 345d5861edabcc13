"""Self-hearing check: what the listener makes of the coach's own lines.

Renders each line with espeak-ng (the voice pyttsx3 uses on Linux), feeds it through the
same pipeline as live, and returns every command that fired. For a safe script the
answer is empty. Used by the tests; point it at a routine's spoken lines.
"""

from __future__ import annotations

from collections.abc import Iterable

from tests.support import espeak
from voicecoach.listening.engine import Engine
from voicecoach.listening.frames import noise, split_frames
from voicecoach.listening.recogniser import Recogniser, SelfHearingGate


def commands_heard(
    lines: Iterable[str],
    engine: Engine,
    voice: espeak.Voice | None = None,
    gate: SelfHearingGate | None = None,
) -> list[tuple[str, str]]:
    """(line, phrase heard) for every command the listener took from the coach's lines."""
    heard = []
    for line in lines:
        pcm = noise(0.5, seed=7) + espeak.render(line, voice) + noise(1.0, seed=8)
        for detection in Recogniser(engine, gate=gate).run(split_frames(pcm)):
            heard.append((line, detection.heard.text))
    return heard
