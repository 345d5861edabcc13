"""Whether the microphone hears the coach's speaker at all.

With headphones, or a microphone across the room, nothing the microphone hears is the
coach: a "stop" said while the coach counts is the person's, whenever it began. With a
laptop's speaker, a sound that begins as the coach says a count may be that count. This
tells the two apart from the microphone's level while the coach talks against its
background (the level of its quietest frames: the gaps between words and lines), so the
self-hearing gate only suspects the coach's voice where it can be heard.
"""

from __future__ import annotations

from collections import deque

TALKING_FRAMES = 200
"""Frames (30 ms) heard while the coach talked that judge it: the last 6 s of its talk."""
MIN_TALKING_FRAMES = 60
"""Frames of the coach talking needed before anything is said (1.8 s)."""
ALL_FRAMES = 300
"""Frames that give the background (the last 9 s, whoever spoke): the coach barely
pauses between lines, so frames while it is silent are too few to go by."""
BACKGROUND_SHARE = 0.05
"""The background is the level that the quietest twentieth of those frames reach."""
ABOVE_BACKGROUND_DB = 10.0
"""A frame this much louder than the background holds sound (an echo, or the person)."""
NO_ECHO_FRACTION = 0.2
"""At most this share of the frames heard while the coach talked held sound: the coach
is not heard (the person may have spoken over it now and then)."""
ECHO_FRACTION = 0.4
"""At least this share held sound: the coach is heard (its speech has pauses)."""
DIGITAL_SILENCE_DBFS = -90.0
"""Frames quieter than this are left out: no microphone's own hiss is that quiet; they are
a driver's exact zeros or a dropout. Counted as the background, they made every frame of
hiss "sound": with the virtual room's hiss broken now and then (the machine busy), a
microphone that does not hear the coach was judged to hear it, and "pain" said over the
caution ("...never push into sharp pain") was suspected of being the coach's own word
and dropped (4 times in 5, live, without echo)."""


class CoachInMicrophone:
    """Feed every microphone frame's level with whether the coach was talking then."""

    def __init__(self) -> None:
        self._talking: deque[float] = deque(maxlen=TALKING_FRAMES)
        self._all: deque[float] = deque(maxlen=ALL_FRAMES)

    def feed(self, level_dbfs: float, coach_talking: bool) -> None:
        if level_dbfs < DIGITAL_SILENCE_DBFS:
            return
        self._all.append(level_dbfs)
        if coach_talking:
            self._talking.append(level_dbfs)

    def hears_coach(self) -> bool | None:
        """True when the microphone hears the coach, False when it does not, None when
        there is not enough to tell (the coach has hardly talked yet)."""
        if len(self._talking) < MIN_TALKING_FRAMES:
            return None
        background = sorted(self._all)[int(len(self._all) * BACKGROUND_SHARE)]
        loud = sum(level > background + ABOVE_BACKGROUND_DB for level in self._talking)
        share = loud / len(self._talking)
        if share <= NO_ECHO_FRACTION:
            return False
        if share >= ECHO_FRACTION:
            return True
        return None
