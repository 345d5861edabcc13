"""A rig for end-to-end voice tests: the real coach as a child process, speaking into one
PulseAudio null sink and listening to another (the virtual microphone), with both sinks
heard live on the same monotonic clock as the coach's printed lines.

Why the pieces look the way they do (measured on Debian 12, PulseAudio 16):
  - the virtual microphone gets a low hiss played into it for the whole test: a null
    sink's monitor gives exact digital zeros while nothing plays, which PocketSphinx
    decodes badly, and the coach's microphone watchdog wants audio all the time;
  - each monitor is read live through a parec pipe; the time a sample was played is
    estimated from the earliest arrival of the samples after it (the lower envelope), so
    pipe jitter makes times late by a few ms at worst, and both sinks are read the same way;
  - a fresh null sink plays nothing for its first ~1.6 s: sinks settle before timing.

Used by tests/test_voice_end_to_end.py and scripts/bench_voice_end_to_end.py.
"""

from __future__ import annotations

import array
import contextlib
import functools
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests import pulse
from tests.support import espeak
from voicecoach.listening.frames import SAMPLE_RATE, noise, read_wav, write_wav
from voicecoach.listening.listen_log import LISTEN_LOG_ENV, read_listen_log
from voicecoach.listening.recogniser import Report

RATE = SAMPLE_RATE
"""Both monitors are read at 16 kHz mono."""
WINDOW = 0.01
"""Seconds per level window."""
LOUD = 300.0
"""RMS above which a window of the coach's speaker holds speech (the hiss is ~6)."""
SINK_SETTLE_SECONDS = 2.5
HISS_SECONDS = 10.0
"""Length of the block of hiss played into the microphone over and over."""


class LiveMonitor:
    """A sink's monitor read live; every sample gets the monotonic time it was played."""

    def __init__(self, source: str, max_seconds: float = 120.0) -> None:
        self.process = subprocess.Popen(
            [
                "timeout",
                str(max_seconds),
                "parec",
                f"--device={source}",
                "--format=s16le",
                "--channels=1",
                f"--rate={RATE}",
                "--latency-msec=5",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: timeout and parec end together
        )
        self._data = bytearray()
        self._arrivals: list[tuple[float, int]] = []
        """(monotonic arrival time, samples received so far) per chunk read."""
        self._levels: list[float] = []
        """RMS of each WINDOW of samples so far, kept up to date as audio arrives."""
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        window_bytes = int(RATE * WINDOW) * 2
        while chunk := os.read(fd, 640):
            arrived = time.monotonic()
            with self._lock:
                done = len(self._levels) * window_bytes
                self._data += chunk
                self._arrivals.append((arrived, len(self._data) // 2))
                while len(self._data) - done >= window_bytes:
                    window = array.array("h", bytes(self._data[done : done + window_bytes]))
                    self._levels.append((sum(s * s for s in window) / len(window)) ** 0.5)
                    done += window_bytes

    def wait_streaming(self, timeout: float = 5.0) -> None:
        """Wait until audio arrives (a monitor starts ~1 s after parec connects)."""
        deadline = time.monotonic() + timeout
        while self.samples_so_far() < RATE // 10:
            if time.monotonic() > deadline:
                raise AssertionError(f"no audio from the monitor within {timeout} s")
            time.sleep(0.05)

    def samples_so_far(self) -> int:
        with self._lock:
            return len(self._data) // 2

    def samples(self) -> array.array[int]:
        with self._lock:
            body = bytes(self._data[: len(self._data) // 2 * 2])
        return array.array("h", body)

    def time_of(self, index: int) -> float:
        """Monotonic time sample `index` was played: the earliest any later chunk could
        have carried it (arrival minus the samples after it), over the next 2 s of chunks."""
        with self._lock:
            arrivals = list(self._arrivals)
        bounds = [
            arrived - (count - index) / RATE
            for arrived, count in arrivals
            if index <= count <= index + 2 * RATE
        ]
        if not bounds:
            raise AssertionError(f"sample {index} has not arrived yet")
        return min(bounds)

    def index_at(self, moment: float) -> int:
        """The first sample played at or after `moment` (approximately)."""
        with self._lock:
            arrivals = list(self._arrivals)
        if not arrivals:
            return 0
        offsets = [arrived - count / RATE for arrived, count in arrivals]
        start = min(offsets)
        return max(0, int((moment - start) * RATE))

    def levels(self) -> list[float]:
        with self._lock:
            return list(self._levels)

    def close(self) -> None:
        # Killing only the timeout wrapper would orphan parec, which keeps the pipe open
        # (the reader thread then waits its whole timeout); the group holds both.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=5)
        self._thread.join(timeout=5)


@dataclass(frozen=True)
class Span:
    """When a sound began and ended, in monotonic seconds."""

    start: float
    end: float


def loud_spans(
    monitor: LiveMonitor, since: float, threshold: float, join_gap: float = 0.15
) -> list[Span]:
    """Stretches above `threshold` after `since`, gaps shorter than `join_gap` joined."""
    first = monitor.index_at(since) // int(RATE * WINDOW)
    levels = monitor.levels()
    window = int(RATE * WINDOW)
    spans: list[tuple[int, int]] = []
    for i in range(first, len(levels)):
        if levels[i] <= threshold:
            continue
        if spans and (i - spans[-1][1]) * WINDOW <= join_gap:
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return [Span(monitor.time_of(a * window), monitor.time_of(b * window)) for a, b in spans]


def wait_for_sound(monitor: LiveMonitor, since: float, timeout: float) -> float:
    """When the first loud sound after `since` was played (waits for it, bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        spans = loud_spans(monitor, since, LOUD)
        if spans:
            return spans[0].start
        time.sleep(0.02)
    raise AssertionError(f"nothing was heard within {timeout} s")


def wait_for_onset(monitor: LiveMonitor, since: float, timeout: float) -> float:
    """When the first sound that began after `since` began (one already playing at
    `since` does not count); waits for it, bounded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        spans = [s for s in loud_spans(monitor, since, LOUD) if s.start > since + WINDOW * 2]
        if spans:
            return spans[0].start
        time.sleep(0.02)
    raise AssertionError(f"no sound began within {timeout} s")


def wait_for_quiet(monitor: LiveMonitor, since: float, quiet: float, timeout: float) -> float:
    """When the sound after `since` ended, once `quiet` seconds of quiet have followed it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        spans = loud_spans(monitor, since, LOUD)
        heard_until = monitor.time_of(max(0, monitor.samples_so_far() - 1))
        if spans and heard_until - spans[-1].end >= quiet:
            return spans[-1].end
        time.sleep(0.05)
    raise AssertionError(f"the sound did not end within {timeout} s")


def wait_until_silent(monitor: LiveMonitor, quiet: float, timeout: float) -> None:
    """Wait until nothing loud has been heard for the last `quiet` seconds (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        heard_until = monitor.time_of(max(0, monitor.samples_so_far() - 1))
        if not loud_spans(monitor, heard_until - quiet, LOUD):
            return
        time.sleep(0.05)
    raise AssertionError(f"the sound went on for {timeout} s")


NEXT_LINE_MIN_SECONDS = 0.2
"""Shorter than any line the coach says next ("Paused." lasts ~0.45 s), longer than the
player's last block after it is silenced (~50 ms)."""


def speech_cut_off(monitor: LiveMonitor, sentence_start: float, shown: float) -> float:
    """When the sentence playing before the coach printed its next line fell silent.

    The next line is printed before it is said, so the sentence ended at the last break
    in the sound before `shown` (plus a margin for the player's last block); the next
    line's own sound ends later than that margin.
    """
    spans = loud_spans(monitor, sentence_start, LOUD, join_gap=0.0)
    ends = [span.end for span in spans if span.end <= shown + NEXT_LINE_MIN_SECONDS]
    if not ends:
        raise AssertionError("the sentence was never heard")
    return max(ends)


class Hiss:
    """A low hiss played into a sink without a break until stopped (pacat, fed in a loop:
    it blocks while PulseAudio's buffer is full, so the feeding keeps pace by itself)."""

    def __init__(self, sink: str) -> None:
        self._block = noise(HISS_SECONDS, seed=7)
        self.process = subprocess.Popen(
            [
                "pacat",
                "--playback",
                f"--device={sink}",
                "--format=s16le",
                "--channels=1",
                f"--rate={RATE}",
                "--latency-msec=50",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._thread = threading.Thread(target=self._feed, daemon=True)
        self._thread.start()

    def _feed(self) -> None:
        assert self.process.stdin is not None
        with contextlib.suppress(OSError, ValueError):  # the pipe closes when stopped
            while self.process.poll() is None:
                self.process.stdin.write(self._block)
                self.process.stdin.flush()

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait(timeout=5)
        self._thread.join(timeout=5)


class VirtualRoom:
    """Two null sinks (the coach's speaker, the microphone) with a hiss in the microphone.

    With `echo_db`, the microphone also hears the coach's speaker, that much louder than
    the person (a laptop's own speaker); the person then speaks into a third sink
    (`voice`), looped into the microphone, so the word can still be timed on its own."""

    def __init__(self, folder: Path, echo_db: float | None = None) -> None:
        self.folder = folder
        self.echo_db = echo_db
        self._stack = contextlib.ExitStack()
        self.speaker = self._stack.enter_context(pulse.null_sink("e2e_out", rate=RATE))
        self.mic = self._stack.enter_context(pulse.null_sink("e2e_mic", rate=RATE))
        self.voice = self.mic
        """Where the person's words are played, and timed."""
        if echo_db is not None:
            self.voice = self._stack.enter_context(pulse.null_sink("e2e_person", rate=RATE))
            self._stack.enter_context(pulse.loopback(self.voice.monitor, self.mic.name))
            self._stack.enter_context(pulse.loopback(self.speaker.monitor, self.mic.name, echo_db))
        for sink in {self.mic.name, self.voice.name}:  # a monitor with nothing played is mute
            self._stack.callback(Hiss(sink).stop)
        self._words: dict[str, Path] = {}
        time.sleep(SINK_SETTLE_SECONDS)

    def close(self) -> None:
        self._stack.close()

    def word_file(self, word: str) -> Path:
        """`word` said by espeak-ng (16 kHz, its own faint noise floor, no digital zeros)."""
        if word not in self._words:
            pcm = noise(0.2, seed=3) + espeak.render(word) + noise(0.3, seed=4)
            self._words[word] = write_wav(self.folder / f"say-{word}.wav", pcm)
        return self._words[word]

    def clip(self, word: str | Path) -> Path:
        """The file played for `word`: espeak-ng saying it, or a recording; with the coach's
        echo in the microphone, the recording at espeak-ng's speech level, so the echo lies
        `echo_db` against the person as it does for espeak-ng's words (as recorded, the
        human "stop"s lie from 11 dB over to 11 dB under that level)."""
        if not isinstance(word, Path):
            return self.word_file(word)
        if self.echo_db is None:
            return word
        if str(word) not in self._words:
            pcm = at_level(read_wav(word), espeak_speech_level_db())
            self._words[str(word)] = write_wav(self.folder / f"level-{word.name}", pcm)
        return self._words[str(word)]

    def say(self, word: str | Path, heard_by: LiveMonitor) -> Span:
        """Play `word` (said by espeak-ng, or a recording) into the microphone; when it was
        heard there (start, end of speech)."""
        before = time.monotonic()
        pulse.play_into(self.voice.name, str(self.clip(word)), timeout=10)
        time.sleep(0.1)  # the last samples reach the pipe
        spans = loud_spans(heard_by, before, threshold=200, join_gap=0.3)
        if not spans:
            raise AssertionError(f"'{word}' was played but never reached the microphone")
        return Span(spans[0].start, spans[-1].end)


def speech_level_db(pcm: bytes) -> float:
    """A recording's speech level: the mean RMS of its loudest fifth of 30 ms frames, dBFS
    (the quiet around the word left out)."""
    levels = sorted(pulse.window_rms(array.array("h", pcm), RATE, 0.03))
    loudest = levels[len(levels) * 4 // 5 :] or [0.0]
    return 20 * math.log10(max(sum(loudest) / len(loudest), 1.0) / 32768)


@functools.cache
def espeak_speech_level_db() -> float:
    """The speech level of espeak-ng's words (the bench's "pain", the coach's voice)."""
    return speech_level_db(espeak.render("stop"))


def at_level(pcm: bytes, level_db: float, peak_db: float = -1.0) -> bytes:
    """`pcm` brought to the speech level `level_db`, its peak kept under `peak_db` dBFS."""
    samples = array.array("h", pcm)
    peak = max((abs(s) for s in samples), default=0) or 1
    gain = min(10 ** ((level_db - speech_level_db(pcm)) / 20), 32768 * 10 ** (peak_db / 20) / peak)
    return array.array("h", [int(s * gain) for s in samples]).tobytes()


def speech_onset(clip: Path, threshold: float = 200.0) -> float:
    """Seconds into a recording where its speech starts (the first loud 10 ms)."""
    levels = pulse.window_rms(array.array("h", read_wav(clip)), RATE, WINDOW)
    return next((i * WINDOW for i, level in enumerate(levels) if level > threshold), 0.0)


@contextlib.contextmanager
def room_for_tests(folder: Path, echo_db: float | None = None) -> Iterator[VirtualRoom]:
    """A VirtualRoom, closed afterwards; the test is skipped, with the reason, where
    PulseAudio or espeak-ng is missing."""
    import pytest

    reason = pulse.ensure_running()
    if reason is not None:
        pytest.skip(reason)
    if not espeak.available():
        pytest.skip("espeak-ng is not installed (apt install espeak-ng)")
    room = VirtualRoom(folder, echo_db)
    try:
        yield room
    finally:
        room.close()


class Coach:
    """`python -m voicecoach ...` as a child process, its printed lines timestamped.

    A watchdog kills it after `max_seconds`, whatever the test is doing.
    """

    def __init__(self, args: list[str], env: dict[str, str], max_seconds: float = 90.0) -> None:
        self.listen_log: Path | None = None
        """The coach's listening log (VOICECOACH_LISTEN_LOG), shown with its transcript."""
        if env.get(LISTEN_LOG_ENV):
            self.listen_log = Path(env[LISTEN_LOG_ENV])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "voicecoach", *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: list[tuple[float, str]] = []
        self.errors: list[str] = []
        self._changed = threading.Condition()
        self._threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        self._watchdog = threading.Timer(max_seconds, self.kill)
        self._watchdog.start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.errors.append(line.rstrip("\n"))

    def transcript(self) -> str:
        out = "\n".join(f"{t:.3f} {line}" for t, line in self.lines)
        listened = "\n".join(
            f"{r.speech_start:.3f}-{r.speech_end:.3f} {r.outcome} {r.text!r} {r.score}"
            for r in self.listened()
        )
        return f"{out}\n-- listening log --\n{listened}\n-- stderr --\n" + "\n".join(
            self.errors[-20:]
        )

    def listened(self) -> list[Report]:
        """What the coach's listener made of each sound so far (its listening log)."""
        return [] if self.listen_log is None else read_listen_log(self.listen_log)

    def wait_for(self, pattern: str, timeout: float, after: float = 0.0) -> tuple[float, str]:
        """The first printed line matching `pattern` (regex) at or after `after`."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        with self._changed:
            while True:
                for moment, line in self.lines:
                    if moment >= after and regex.search(line):
                        return moment, line
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise AssertionError(
                        f"no line matching {pattern!r} within {timeout} s; "
                        f"coach printed:\n{self.transcript()}"
                    )
                self._changed.wait(min(left, 0.2))

    def press(self, keys: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(keys)
        self.process.stdin.flush()

    def finish(self, timeout: float = 30.0) -> int:
        """Wait for the coach to end by itself; killed (and failed) if it does not."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"the coach did not end within {timeout} s:\n{self.transcript()}"
            ) from None
        finally:
            self._watchdog.cancel()
        for thread in self._threads:
            thread.join(timeout=5)
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)

    def close(self) -> None:
        self._watchdog.cancel()
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        self.kill()


def write_routine(config_dir: Path, name: str, text: str) -> None:
    folder = config_dir / "routines"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def coach_env(room: VirtualRoom, config_dir: Path) -> dict[str, str]:
    """The test's environment (its private data folder too), routed into the room."""
    from voicecoach.commands.care_commands import notice_marker

    marker = notice_marker()  # the long first-run notice is not what is tested here
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    return dict(
        os.environ,
        PULSE_SINK=room.speaker.name,
        PULSE_SOURCE=room.mic.monitor,
        # Stream restore remembers devices per application id: keep ours to ourselves.
        PULSE_PROP=f"application.id={pulse.unique_name('stream')}",
        VOICECOACH_CONFIG_DIR=str(config_dir),
        PYTHONUNBUFFERED="1",
        **{LISTEN_LOG_ENV: str(config_dir / "listen.jsonl")},
    )


def history(env: dict[str, str]) -> list[dict[str, Any]]:
    """The sessions in the coach's log, as `voicecoach history --json` prints them."""
    result = subprocess.run(
        [sys.executable, "-m", "voicecoach", "history", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    sessions: list[dict[str, Any]] = json.loads(result.stdout)
    return sessions


@contextlib.contextmanager
def temp_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="voicecoach-e2e-") as folder:
        yield Path(folder)
