"""Opening PortAudio quietly, and saying plainly when there is no audio to be had.

PortAudio prints dozens of ALSA and JACK lines when it starts; a person on the floor
should see none of them. This is the only module that creates a PyAudio instance.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import threading
from collections.abc import Iterator
from typing import Any

_lock = threading.Lock()
_alsa_handler: Any = None  # kept alive: ALSA holds a pointer to it


class AudioUnavailable(RuntimeError):
    """No usable audio device or library; the message says what is missing and how to fix it."""


_PORTAUDIO_CODE = re.compile(r"Errno (-99\d\d)\b")
SOUND_SYSTEM_GONE = (
    "the sound system stopped answering (on Linux: is PulseAudio or PipeWire still running? "
    "try 'pactl info')"
)


def in_words(error: BaseException) -> str:
    """What went wrong with a device, as a sentence rather than "[Errno -9999] ...".

    PortAudio reports a lost sound server or an unplugged device with bare error codes
    (-9999 unanticipated host error, -9996 invalid device, -9988 stream closed, ...)."""
    if isinstance(error, AudioUnavailable):
        return str(error)
    text = str(error).strip()
    code = _PORTAUDIO_CODE.search(text)
    if code is not None and int(code.group(1)) <= -9980:
        return SOUND_SYSTEM_GONE
    return text or type(error).__name__


def _silence_alsa() -> None:
    """Install a no-op ALSA error handler so ALSA's start-up complaints are not printed."""
    global _alsa_handler
    if _alsa_handler is not None:
        return
    name = ctypes.util.find_library("asound")
    if not name:
        return
    try:
        asound = ctypes.cdll.LoadLibrary(name)
    except OSError:
        return
    handler_type = ctypes.CFUNCTYPE(
        None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
    )
    _alsa_handler = handler_type(lambda *args: None)
    asound.snd_lib_error_set_handler(_alsa_handler)


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Hide what C libraries (JACK, PortAudio's ALSA layer) write straight to file
    descriptor 2 while a device is opened; our own one-line message says what failed."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def open_pyaudio() -> Any:
    """A PyAudio instance created without start-up noise, or AudioUnavailable."""
    try:
        import pyaudio
    except ImportError as error:
        raise AudioUnavailable(
            "PyAudio is not installed: on Debian/Ubuntu run "
            "'sudo apt install portaudio19-dev python3-dev' then 'pip install pyaudio'"
        ) from error
    with _lock:
        _silence_alsa()
        with quiet_stderr():
            return pyaudio.PyAudio()
