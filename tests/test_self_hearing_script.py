"""The coach must not obey its own voice: every line it can say (every built-in routine's
script, and every fixed line of core/lines.py: the engine's, the safety flow's, questions,
timers, reminders, red flags and care), spoken by the coach's own voice (pyttsx3 +
espeak-ng, as in a session) and fed to the live listening pipeline, yields no command."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.listening_support import needs_espeak
from voicecoach.core.lines import every_line
from voicecoach.core.plan import build_plan, spoken_lines
from voicecoach.core.routines import load_catalogue
from voicecoach.core.settings import CountStyle, SessionSettings
from voicecoach.listening.frames import add_noise_floor, noise, read_wav, split_frames, write_wav
from voicecoach.listening.levelling import DEFAULT_LEVELLING, LEVELLINGS
from voicecoach.listening.recogniser import Recogniser, SelfHearingGate
from voicecoach.listening.sphinx import SphinxEngine


def coach_script() -> list[str]:
    """Everything a listening coach can say: each built-in routine counted every second
    and every ten, then every fixed line."""
    lines: list[str] = []
    for routine in load_catalogue().routines.values():
        for style in (CountStyle.EVERY_SECOND, CountStyle.EVERY_10):
            plan = build_plan(routine, SessionSettings(count_style=style), listening=True)
            lines += spoken_lines(plan)
    lines += every_line(listening=True)
    return list(dict.fromkeys(lines))  # each line once, in order


def in_coach_voice(line: str) -> bytes:
    from voicecoach.audio.audio_system import AudioUnavailable
    from voicecoach.audio.tts import Renderer

    try:
        rendered = Renderer().render(line)
    except AudioUnavailable as error:
        pytest.skip(str(error))
    with tempfile.TemporaryDirectory() as folder:
        path = write_wav(Path(folder) / "line.wav", rendered.pcm, rendered.rate)
        return add_noise_floor(read_wav(path), seed=len(line))


LEAD = 0.5


@needs_espeak
@pytest.mark.parametrize("levelled", [False, True], ids=["as heard", "levelled"])
def test_every_line_the_coach_says_in_its_own_voice_gives_no_command(levelled: bool) -> None:
    engine = SphinxEngine()
    obeyed = []
    # Levelling (a soft voice across the room) raises what the microphone hears: one
    # leveller for the whole script, as in a session.
    level = LEVELLINGS[DEFAULT_LEVELLING]() if levelled else (lambda frame: frame)
    for line in coach_script():
        # Live, the gate knows which line is playing and since when (now_playing): here
        # its sound starts after LEAD seconds of quiet (the first 30 ms frame holding it
        # begins a little before).
        gate = SelfHearingGate(lambda line=line: (line, LEAD - 0.05))
        pcm = noise(LEAD, seed=1) + in_coach_voice(line) + noise(1.0, seed=2)
        for detection in Recogniser(engine, gate=gate).run(map(level, split_frames(pcm))):
            obeyed.append((line, detection.heard.text))
    assert obeyed == []
    assert len(coach_script()) > 150  # the script really was all there
