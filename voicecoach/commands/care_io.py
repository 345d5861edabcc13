"""The ports for the care commands (redflags, therapy, remind, care --speak), built from
the same parts a routine uses: speech (or captions when there is none), keys into the
Inbox, a monotonic clock, and the caption display.

Spoken commands are heard as in a routine (unless --no-listen); keys work either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from voicecoach.core.ports import Clock, Display, Listener, Speaker


@dataclass(frozen=True)
class CoachIO:
    """The ports a care command needs."""

    speaker: Speaker
    """Where lines go: speech, or captions."""
    listener: Listener
    """Where commands come from: keys, and voice when listening."""
    clock: Clock
    """Monotonic time."""
    display: Display
    """What is shown."""
    listening: bool = True
    """Whether spoken commands are heard; False: the coach names keys instead of words."""


@contextmanager
def open_care_io(
    listen: bool = True, speak: bool = True, time_scale: float = 1.0
) -> Iterator[CoachIO]:
    """Open speaker, keys and display; close them all (terminal restored) on the way out."""
    from voicecoach.commands.session import (
        AudioOptions,
        MonotonicClock,
        open_speaker,
        start_listening,
    )
    from voicecoach.core.inbox import Inbox
    from voicecoach.core.safety import phrases_to_prerender
    from voicecoach.core.settings import SessionSettings
    from voicecoach.terminal.captions import open_display
    from voicecoach.terminal.keys import KeyReader

    display = open_display()
    options = AudioOptions(listen=listen, speak=speak)
    speaker = open_speaker(options, display, SessionSettings(time_scale=time_scale))
    prerender = getattr(speaker, "prerender_in_background", None)
    if prerender is not None:  # real speech: the red-flag questions play at once
        prerender(phrases_to_prerender(listening=listen))
    inbox = Inbox(on_urgent=speaker.silence)
    keys = KeyReader(inbox.put)
    voice = start_listening(options, inbox, speaker) if listen else None
    try:
        keys.start()
        yield CoachIO(speaker, inbox, MonotonicClock(), display, listening=voice is not None)
    finally:
        keys.stop()
        if voice is not None:
            voice.stop()
        speaker.silence()
        display.close()
        speaker.close()
