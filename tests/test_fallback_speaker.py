"""A speaker that fails mid-session hands over to captions, says so once, and loses no line."""

from __future__ import annotations

import io

from voicecoach.terminal.captions import CaptionSpeaker, FallbackSpeaker, PlainDisplay


class BreakingSpeaker:
    """Speaks until `breaks_at`, then fails the way the real one does: on_lost, say() False."""

    def __init__(self, breaks_at: int) -> None:
        self.breaks_at = breaks_at
        self.said: list[str] = []
        self.on_lost = None

    def say(self, text: str) -> bool:
        if len(self.said) >= self.breaks_at:
            assert self.on_lost is not None
            self.on_lost("audio output failed: device unplugged")
            return False
        self.said.append(text)
        return True

    def cue(self, name: str) -> bool:
        return self.say(f"<{name}>")

    def duration(self, text: str) -> float:
        return 0.5

    def silence(self) -> None:
        return None

    def close(self) -> None:
        return None


def test_a_failing_speaker_falls_back_to_captions_once_and_keeps_every_line():
    screen = io.StringIO()
    notices: list[str] = []
    speaker = FallbackSpeaker(CaptionSpeaker(PlainDisplay(screen), time_scale=0.0), notices.append)
    primary = BreakingSpeaker(breaks_at=2)
    primary.on_lost = speaker.lost
    speaker.primary = primary
    lines = ["one", "two", "three", "four"]
    assert all(speaker.say(line) for line in lines)
    assert primary.said == ["one", "two"]
    assert "three" in screen.getvalue() and "four" in screen.getvalue()
    assert notices == [
        "Speech stopped: audio output failed: device unplugged. Showing captions only."
    ]
