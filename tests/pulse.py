"""PulseAudio helpers for real-audio tests: null sinks, recording their monitors, and
playing WAV files into a "virtual microphone".

How PyAudio reaches a given sink or source (measured on Debian 12): PortAudio's ALSA
"default"/"pulse" devices go through ALSA's pulse plugin, which opens a fresh libpulse
context per stream; libpulse reads PULSE_SINK / PULSE_SOURCE from the environment at
that moment. So setting those variables (see `routed_to`) before opening a stream sends
it to the named sink/source; streams already open are unaffected.

Measured behaviour worth knowing (PulseAudio 16, Debian 12):
  - sound first written into a fresh null sink comes out ~2 s late: play something
    and wait ~2.5 s before a test that measures timing (see tests/test_audio_real.py);
  - a null sink's monitor delivers no audio at all while nothing plays into the sink
    (a PyAudio read just waits), unlike a real microphone, which sends silence;
  - when a source vanishes, PulseAudio moves its recording streams to the fallback
    source instead of failing them.

PulseAudio is shared by every test run on the machine: every sink made here has a
unique name (pid + counter) and exactly the modules loaded here are unloaded.

Usage:
    from tests import pulse
    pulse.require()                              # skips the test when PulseAudio is absent
    with pulse.null_sink("speaker") as sink, pulse.Recording(sink.monitor) as rec:
        with pulse.routed_to(sink=sink.name):
            ...play something with PyAudio...
    samples, rate = rec.samples()
"""

from __future__ import annotations

import array
import contextlib
import glob
import itertools
import os
import secrets
import shutil
import signal
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

_counter = itertools.count()
_TOOLS = ("pulseaudio", "pactl", "parecord", "paplay")


def _pactl(*args: str, timeout: float = 10.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pactl", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def _server_answers() -> bool:
    try:
        return _pactl("info", timeout=5.0).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _socket_candidates() -> list[str]:
    """Where a PulseAudio daemon's socket may be, whoever started it and however."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    found = [f"{runtime}/pulse/native"] if runtime else []
    for pattern in (
        "~/.config/pulse/*-runtime/native",
        "/tmp/pulse-*/native",
        "/run/user/*/pulse/native",
        "/tmp/*runtime*/pulse/native",
    ):
        found += glob.glob(os.path.expanduser(pattern))
    return found


def _use_a_running_server() -> None:
    """Point this process (and its children) at a daemon that is already running.

    A daemon started with a different XDG_RUNTIME_DIR is invisible to clients with
    another one; on a shared machine, reuse it rather than start a second daemon.
    """
    for socket in _socket_candidates():
        server = f"unix:{socket}"
        try:
            answered = _pactl(f"--server={server}", "info", timeout=5.0).returncode == 0
        except subprocess.TimeoutExpired:
            continue
        if answered:
            os.environ["PULSE_SERVER"] = server
            return


def _start_server() -> None:
    """Start a per-user daemon that never exits on idle (root needs --system=false)."""
    subprocess.run(
        ["pulseaudio", "-D", "--exit-idle-time=-1", "--system=false"],
        capture_output=True,
        timeout=20,
        check=False,
    )
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline and not _server_answers():
        time.sleep(0.2)


def _unload_suspend_on_idle() -> None:
    """The first write to an idle null sink otherwise blocks for up to ~1.8 s."""
    modules = _pactl("list", "short", "modules").stdout
    if "module-suspend-on-idle" in modules:
        _pactl("unload-module", "module-suspend-on-idle")


def ensure_running() -> str | None:
    """Make sure a PulseAudio server answers; None when it does, else why not."""
    missing = [tool for tool in _TOOLS if shutil.which(tool) is None]
    if missing:
        return f"PulseAudio tools missing ({', '.join(missing)}): apt install pulseaudio"
    if not _server_answers():
        _use_a_running_server()
    if not _server_answers():
        _start_server()
    if not _server_answers() and not os.environ.get("XDG_RUNTIME_DIR"):
        # Some setups refuse to start without a runtime directory.
        runtime = tempfile.mkdtemp(prefix="voicecoach-xdg-")
        os.environ["XDG_RUNTIME_DIR"] = runtime
        _start_server()
    if not _server_answers():
        return "PulseAudio is not running and could not be started (pulseaudio -D failed)"
    _unload_suspend_on_idle()
    return None


def require() -> None:
    """Skip the calling test with a clear reason unless PulseAudio is usable."""
    reason = ensure_running()
    if reason is not None:
        pytest.skip(reason)


@dataclass
class NullSink:
    """A sink that plays into nothing; its monitor source hears what was played into it."""

    name: str
    module_id: str
    unloaded: bool = False

    @property
    def monitor(self) -> str:
        return f"{self.name}.monitor"

    def unload(self) -> None:
        """Remove the sink (and so its monitor): what a device being unplugged looks like."""
        if not self.unloaded:
            _pactl("unload-module", self.module_id)
            self.unloaded = True


def unique_name(prefix: str) -> str:
    """A name no other process will use, even after process ids wrap around."""
    return f"vc_{prefix}_{os.getpid()}_{next(_counter)}_{secrets.token_hex(3)}"


def foreign_streams(sink: str) -> list[str]:
    """Streams playing into `sink` that this process did not open (nor its children).

    On a shared machine, another program's stream can land in a test's sink (PulseAudio
    restores streams to remembered devices); tests use this to tell that apart.
    """
    listing = _pactl("list", "sink-inputs").stdout
    sinks = {
        line.split()[0]: line.split()[1]
        for line in _pactl("list", "short", "sinks").stdout.splitlines()
        if line.strip()
    }
    ours = f'"vc_stream_{os.getpid()}_'
    found = []
    for block in listing.split("Sink Input #")[1:]:
        fields = dict(line.strip().split(": ", 1) for line in block.splitlines() if ": " in line)
        sink_id = fields.get("Sink", "")
        if sinks.get(sink_id) != sink:
            continue
        if ours in block or f'application.process.id = "{os.getpid()}"' in block:
            continue
        described = [
            line.split("= ", 1)[1].strip('"')
            for line in block.splitlines()
            if "application.name =" in line or "application.process.id =" in line
        ]
        found.append(" pid ".join(described) or "?")
    return found


@contextlib.contextmanager
def null_sink(prefix: str = "sink", rate: int = 22050) -> Iterator[NullSink]:
    """A fresh mono null sink, unloaded afterwards."""
    name = unique_name(prefix)
    result = _pactl(
        "load-module",
        "module-null-sink",
        f"sink_name={name}",
        f"rate={rate}",
        "channels=1",
        f"sink_properties=device.description={name}",
    )
    if result.returncode != 0:
        pytest.skip(f"cannot create a PulseAudio null sink: {result.stderr.strip()}")
    sink = NullSink(name, result.stdout.strip())
    try:
        yield sink
    finally:
        sink.unload()


@contextlib.contextmanager
def loopback(source: str, sink: str, gain_db: float = 0.0) -> Iterator[None]:
    """What `source` hears played into `sink`, `gain_db` louder, about 20 ms later: a
    room, where the microphone hears the loudspeaker."""
    result = _pactl(
        "load-module",
        "module-loopback",
        f"source={source}",
        f"sink={sink}",
        "latency_msec=20",
        "source_dont_move=true",
        "sink_dont_move=true",
    )
    if result.returncode != 0:
        pytest.skip(f"cannot load a PulseAudio loopback: {result.stderr.strip()}")
    module = result.stdout.strip()
    try:
        _set_loopback_gain(module, gain_db)  # always: PulseAudio may restore an old volume
        yield
    finally:
        _pactl("unload-module", module)


def _set_loopback_gain(module: str, gain_db: float, timeout: float = 10.0) -> None:
    """Set the volume of the loopback's stream (it may appear a moment after loading)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for block in _pactl("list", "sink-inputs").stdout.split("Sink Input #")[1:]:
            if f"Owner Module: {module}\n" in block:
                _pactl("set-sink-input-volume", block.split()[0], f"{gain_db}dB")
                return
        time.sleep(0.05)
    raise AssertionError(f"the loopback's stream did not appear within {timeout} s")


@contextlib.contextmanager
def routed_to(sink: str | None = None, source: str | None = None) -> Iterator[None]:
    """PyAudio streams opened inside this block play to `sink` / record from `source`."""
    saved = {key: os.environ.get(key) for key in ("PULSE_SINK", "PULSE_SOURCE", "PULSE_PROP")}
    if sink is not None:
        os.environ["PULSE_SINK"] = sink
    if source is not None:
        os.environ["PULSE_SOURCE"] = source
    # module-stream-restore remembers the device of every stream by application; our
    # streams all look like "ALSA plug-in [python3]", so without an id of their own the
    # NEXT python program on the machine would be sent into this test's sink.
    unique_id = f"application.id={unique_name('stream')}"
    os.environ["PULSE_PROP"] = f"{saved['PULSE_PROP'] or ''} {unique_id}".strip()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class Recording:
    """parecord of a source into a WAV file, with a hard time limit.

    `started_at` is the monotonic time parecord was ready; recordings begin a little
    after it, so align by markers in the sound rather than by this time alone.
    """

    def __init__(self, source: str, rate: int = 22050, max_seconds: float = 30.0) -> None:
        self.source = source
        self.rate = rate
        self.max_seconds = max_seconds
        self.path = tempfile.mktemp(prefix="voicecoach-rec-", suffix=".wav")
        self._process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def __enter__(self) -> Recording:
        self._process = subprocess.Popen(
            [
                "timeout",
                str(self.max_seconds),
                "parecord",
                f"--device={self.source}",
                "--file-format=wav",
                "--format=s16le",
                "--channels=1",
                f"--rate={self.rate}",
                "--latency-msec=10",
                self.path,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(0.3)  # parecord connects to the server
        # On a server that has just started, connecting takes longer: wait (bounded) until
        # parecord has written its WAV header, so the recording really is running.
        # (15 s: on a loaded 2-core machine it once had not started after 5 s, and the
        # test then failed on an empty file instead of on what it tests.)
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline and _size(self.path) < 44:
            time.sleep(0.05)
        if _size(self.path) < 44:
            raise RuntimeError(f"parecord did not start recording {self.source} within 15 s")
        self.started_at = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._process is None:
            return
        time.sleep(0.1)  # let the last buffers arrive
        # SIGTERM to the whole group: `timeout` and parecord, which then writes its header.
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=5)
        self._process = None

    def samples(self) -> tuple[array.array[int], int]:
        """The recorded 16-bit mono samples and their rate (call after stop())."""
        return read_wav(self.path)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def read_wav(path: str) -> tuple[array.array[int], int]:
    """16-bit samples (first channel) and sample rate of a WAV file parecord wrote.

    Read by bytes, not with `wave`: while parecord runs, and if it is stopped before it
    rewrites its header, the RIFF size says 8 and `wave` finds no chunks (CI once failed
    there). The fmt chunk sits at its fixed place; the samples follow the "data" tag.
    """
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:4] != b"RIFF" or data[8:16] != b"WAVEfmt ":
        raise ValueError(f"{path} is not a WAV file parecord wrote ({len(data)} bytes)")
    channels, rate = struct.unpack_from("<HI", data, 22)
    start = data.find(b"data", 36) + 8
    body = data[start : start + (len(data) - start) // 2 * 2]
    samples = array.array("h", body)
    return samples[::channels] if channels > 1 else samples, rate


def play_into(sink: str, wav_path: str, timeout: float = 20.0) -> None:
    """Play a WAV file into a sink (the virtual microphone) and wait until it has played."""
    subprocess.run(
        ["paplay", f"--device={sink}", wav_path],
        timeout=timeout,
        check=True,
        capture_output=True,
    )


def window_rms(samples: array.array[int], rate: int, window: float = 0.01) -> list[float]:
    """Root-mean-square level of each `window`-second slice."""
    size = max(1, int(rate * window))
    levels = []
    for start in range(0, len(samples) - size + 1, size):
        chunk = samples[start : start + size]
        levels.append((sum(s * s for s in chunk) / size) ** 0.5)
    return levels


def loud_span(levels: list[float], window: float, threshold: float) -> tuple[float, float] | None:
    """(first, last) time in seconds where the level is above threshold, or None."""
    loud = [i for i, level in enumerate(levels) if level > threshold]
    if not loud:
        return None
    return loud[0] * window, (loud[-1] + 1) * window
