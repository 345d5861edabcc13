"""`voicecoach enrol` end to end on real audio: the coach runs as its own process, speaks
its prompts into a PulseAudio null sink and listens to a virtual microphone that espeak-ng
words are played into (tests/voice_rig.py). A sentence instead of the word is refused and
asked for again, a key skips a word, the good takes end up in the data folder, and
`--forget` removes them.

Run under the pulse lock: flock /tmp/voicecoach-pulse.lock .venv/bin/python -m pytest ...
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.voice_rig import Coach, LiveMonitor, coach_env, room_for_tests, wait_for_quiet
from voicecoach.commands.enrol import ADVICE
from voicecoach.listening.enrolled import INDEX_NAME, TAKES_PER_WORD
from voicecoach.listening.frames import read_wav

pytestmark = pytest.mark.audio
SENTENCE = "please slowly bring your knee up towards your chest"


def test_enrol_through_the_speaker_and_microphone(tmp_path: Path) -> None:
    (tmp_path / "room").mkdir()
    with room_for_tests(tmp_path / "room") as room:
        env = coach_env(room, tmp_path / "config")
        env["VOICECOACH_DATA_DIR"] = str(tmp_path / "data")
        mic, speaker = LiveMonitor(room.voice.monitor), LiveMonitor(room.speaker.monitor)
        coach = Coach(["enrol", "--word", "stop", "--word", "yes"], env, max_seconds=120)
        try:
            mic.wait_streaming()
            speaker.wait_streaming()

            def after_prompt(pattern: str, since: float = 0.0) -> float:
                shown, _ = coach.wait_for(pattern, timeout=30, after=since)
                wait_for_quiet(speaker, shown, quiet=0.3, timeout=30)  # the prompt was said
                return shown

            shown = after_prompt(r"^Say: stop\.")
            room.say(SENTENCE, heard_by=mic)
            coach.wait_for(ADVICE["too long"], timeout=15, after=shown)
            for _ in range(TAKES_PER_WORD):
                shown = after_prompt(r"^Again: stop\.", shown + 0.001)
                room.say("stop", heard_by=mic)
            coach.wait_for(r"^Say: yes\.", timeout=30, after=shown)
            coach.press("k")
            coach.wait_for(r"Skipping yes\.", timeout=15)
            coach.wait_for(r"^Thank you", timeout=30)
            assert coach.finish(timeout=30) == 0, coach.transcript()
        finally:
            coach.close()
            mic.close()
            speaker.close()

    voice = tmp_path / "data" / "voice"
    index = json.loads((voice / INDEX_NAME).read_text())
    assert list(index["words"]) == ["stop"], coach.transcript()
    for name in index["words"]["stop"]:
        seconds = len(read_wav(voice / name)) / 2 / 16000
        assert 0.3 < seconds < 2.0, (name, seconds)  # the word, not the sentence or silence
    forget = subprocess.run(
        [sys.executable, "-m", "voicecoach", "enrol", "--forget"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert forget.returncode == 0 and "deleted" in forget.stdout
    assert not voice.exists()
