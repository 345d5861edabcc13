"""The live listener: frames from any source in, commands into the session's Inbox.

Wiring, one line (the microphone calls on_frame from its own thread):
    listener = VoiceListener(inbox, now_playing=speaker.now_playing,
                             last_played=speaker.last_played, expected=inbox.expected).start()
    Microphone(settings, on_frame=listener.on_frame).start()
Decoding runs on the listener's own thread, so the microphone thread never waits.

Two ears: given each frame with the coach's echo taken out as well (`on_frame(frame,
cleaned)`, see echo.py), the listener runs the recogniser on both. The canceller is
needed when the microphone hears the speaker: the coach's voice and a word said over it
are one long sound to the first ear. But where the microphone hears no speaker
(headphones, a microphone across the room) WebRTC's canceller never learns an echo path
and mangles words said while the coach talks ("stop" heard as "help"; said 0.5 to 4 s
into a sentence, "stop" and "pain" were lost 6 times of 6). So the microphone's own ear
decides whenever it heard the word as a sound of its own; the echo-cancelled ear is
taken only when the first could not separate the word from the coach (see _Ears).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from typing import Literal, Protocol

from voicecoach.core.ports import Heard
from voicecoach.listening.engine import DEFAULT_ENGINE, Engine, make_engine
from voicecoach.listening.frames import Frame
from voicecoach.listening.listen_log import ListenLog
from voicecoach.listening.recogniser import (
    Detection,
    Expected,
    LastPlayed,
    NowPlaying,
    Recogniser,
    Report,
    SelfHearingGate,
)
from voicecoach.listening.vad import Utterance, VadSettings


class CommandSink(Protocol):
    def put(self, heard: Heard) -> None: ...


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
            engine = make_engine(DEFAULT_ENGINE)
        gate = SelfHearingGate(now_playing, last_played) if now_playing is not None else None
        self.log = ListenLog.from_environment()
        """Where every stretch of sound is reported, when VOICECOACH_LISTEN_LOG is set."""
        on_report = self.log.write if self.log is not None else None
        self.recogniser = Recogniser(engine, vad or VadSettings(), gate, on_report)
        if expected is not None:
            self.recogniser.expected = expected
        self.cancelled = Recogniser(engine, vad or VadSettings(), gate, on_report)
        """The recogniser on the echo-cancelled audio, when the frames come with it."""
        self.cancelled.expected = self.recogniser.expected
        self.cancelled.ear = "echo-cancelled"
        self._ears = _Ears(self.recogniser)
        self.inbox = inbox
        self.detections: list[Detection] = []
        """Every command delivered, for logs and tests."""
        self._frames: queue.Queue[tuple[Frame, bytes | None]] = queue.Queue(maxsize=2000)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def on_frame(self, frame: Frame, cleaned: bytes | None = None) -> None:
        """Give the listener one frame (and the same with the echo taken out); safe from
        any thread, never blocks."""
        with contextlib.suppress(queue.Full):  # hopelessly behind: drop audio, not the mic
            self._frames.put_nowait((frame, cleaned))

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
                frame, cleaned = self._frames.get(timeout=0.1)
            except queue.Empty:
                continue
            self.feed(frame, cleaned)

    def feed(self, frame: Frame, cleaned: bytes | None = None) -> Detection | None:
        """Process one frame on the caller's thread (used by the loop and by file runs);
        the command taken from it, if any."""
        taken = [self.recogniser.feed(frame)]
        if cleaned is not None:
            self._ears.offer(self.cancelled.feed(Frame(cleaned, frame.time)))
        elif self._ears.listening:
            self.cancelled.start_over()  # it heard no part of what comes next
        self._ears.listening = cleaned is not None
        taken += self._ears.settled(frame.end)
        for detection in taken:
            if detection is not None:
                self.detections.append(detection)
                self.inbox.put(detection.heard)
        return next((d for d in taken if d is not None), None)


class _Ears:
    """Decides when the echo-cancelled ear's command is taken: only when the microphone's
    own ear did not hear that word as a sound of its own (it was inside a longer sound, the
    coach's echo, or came too soon after it, or was cut to a blip). When the first ear
    did hear it, its decision stands, whatever it was."""

    def __init__(self, first: Recogniser) -> None:
        self._first = first
        self._pending: list[Detection] = []
        self.listening = False
        """Whether the echo-cancelled ear had the last frame."""

    def offer(self, detection: Detection | None) -> None:
        if detection is not None:
            self._pending.append(detection)

    def settled(self, now: float) -> list[Detection]:
        """The echo-cancelled commands to take now; the rest wait or are dropped."""
        taken, waiting = [], []
        for detection in self._pending:
            verdict = self._verdict(detection, now)
            if verdict == "take":
                taken.append(detection)
            elif verdict == "wait":
                waiting.append(detection)
        self._pending = waiting
        return taken

    def _verdict(self, detection: Detection, now: float) -> Literal["take", "wait", "drop"]:
        word = detection.utterance
        if any(_decoded(r) and _overlaps(r, word) for r in self._first.recent):
            return "drop"  # the first ear heard the word itself and decided
        began = self._first.detector.sound_began
        if began is not None and began < word.speech_start - OWN_SOUND_MARGIN:
            return "take"  # the first ear is inside a longer sound: the coach's echo
        return "take" if now - detection.at > FIRST_EAR_WAIT else "wait"


OWN_SOUND_MARGIN = 0.25
"""Seconds: sounds that begin or end this close to a word are the word itself."""
FIRST_EAR_WAIT = 0.3
"""Seconds the echo-cancelled ear's command waits for the first ear to decide on the
same word (both ears end a word within a few frames of each other)."""
_NOT_DECODED = {"longer than any command", "shorter than any command", "too soon after other sound"}


def _decoded(report: Report) -> bool:
    """The first ear found a word-sized sound on its own and decided on it."""
    return report.outcome not in _NOT_DECODED


def _overlaps(report: Report, word: Utterance) -> bool:
    return (
        report.speech_start < word.speech_end + OWN_SOUND_MARGIN
        and report.speech_end > word.speech_start - OWN_SOUND_MARGIN
    )
