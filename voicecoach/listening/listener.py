"""The live listener: frames from any source in, commands into the session's Inbox.

Wiring, one line (the microphone calls on_frame from its own thread):
    listener = VoiceListener(inbox, now_playing=speaker.now_playing,
                             last_played=speaker.last_played, expected=inbox.expected).start()
    Microphone(settings, on_frame=listener.on_frame).start()
Decoding runs on the listener's own thread, so the microphone thread never waits.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from typing import Any, Protocol

from voicecoach.listening.engine import Engine
from voicecoach.listening.frames import SAMPLE_RATE, Frame
from voicecoach.listening.listen_log import ListenLog
from voicecoach.listening.recogniser import (
    Detection,
    Expected,
    LastPlayed,
    NowPlaying,
    Recogniser,
    SelfHearingGate,
)
from voicecoach.listening.vad import VadSettings
from voicecoach.ports import Heard


class CommandSink(Protocol):
    def put(self, heard: Heard) -> None: ...


def as_frame(frame: Any) -> Frame:
    """Our Frame from ours or from the microphone module's (pcm, captured_at = end time)."""
    if isinstance(frame, Frame):
        return frame
    pcm = frame.pcm
    return Frame(pcm, frame.captured_at - len(pcm) / 2 / SAMPLE_RATE)


class VoiceListener:
    """Runs the recogniser on a thread and puts each command heard into `inbox`."""

    def __init__(
        self,
        inbox: CommandSink,
        engine: Engine | None = None,
        vad: VadSettings | None = None,
        now_playing: NowPlaying | None = None,
        last_played: LastPlayed | None = None,
        expected: Expected | None = None,
    ) -> None:
        if engine is None:
            from voicecoach.listening.sphinx import SphinxEngine

            engine = SphinxEngine()
        gate = SelfHearingGate(now_playing, last_played) if now_playing is not None else None
        self.log = ListenLog.from_environment()
        """Where every stretch of sound is reported, when VOICECOACH_LISTEN_LOG is set."""
        on_report = self.log.write if self.log is not None else None
        self.recogniser = Recogniser(engine, vad or VadSettings(), gate, on_report)
        if expected is not None:
            self.recogniser.expected = expected
        self.inbox = inbox
        self.detections: list[Detection] = []
        """Every command delivered, for logs and tests."""
        self._frames: queue.Queue[Frame] = queue.Queue(maxsize=2000)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def on_frame(self, frame: Any) -> None:
        """Give the listener one frame; safe from any thread, never blocks."""
        with contextlib.suppress(queue.Full):  # hopelessly behind: drop audio, not the mic
            self._frames.put_nowait(as_frame(frame))

    def start(self) -> VoiceListener:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="voicecoach-listen", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop decoding (waits at most `timeout` seconds for the thread)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                frame = self._frames.get(timeout=0.1)
            except queue.Empty:
                continue
            self.feed(frame)

    def feed(self, frame: Frame) -> Detection | None:
        """Process one frame on the caller's thread (used by the loop and by file runs)."""
        detection = self.recogniser.feed(frame)
        if detection is not None:
            self.detections.append(detection)
            self.inbox.put(detection.heard)
        return detection
