"""Which process owns an unfinished session, and whether that process is still alive.

A session with no end is either running right now (another coach in another terminal)
or was killed outright. Only the second kind may be closed as "interrupted", so each
session records who opened it: pid, host, boot id, and the process's start time (a pid
can be reused after a reboot or a long uptime; the start time tells the two apart).
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Owner:
    """The process that opened a session."""

    pid: int
    """Operating-system process id."""
    host: str
    """Host name; a session from another host (a synced folder) is never judged by pid."""
    boot: str | None
    """Boot id (Linux); a different boot means every process of the old one is gone."""
    started: str | None
    """The process's start time as the OS reports it (Linux), to catch a reused pid."""


def this_process() -> Owner:
    """The Owner record for the running process."""
    pid = os.getpid()
    return Owner(pid=pid, host=socket.gethostname(), boot=_boot_id(), started=_start_time(pid))


def is_gone(owner: Owner) -> bool:
    """True when the owner process certainly no longer runs on this machine."""
    me = this_process()
    if owner.host != me.host:
        return False  # cannot see processes on another host
    if owner.boot and me.boot and owner.boot != me.boot:
        return True
    if not _pid_alive(owner.pid):
        return True
    # The pid is alive: it is the same process only if it started at the same moment.
    return bool(owner.started and owner.started != _start_time(owner.pid))


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def _start_time(pid: int) -> str | None:
    """Start time in clock ticks since boot, from /proc (Linux only)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return _not_a_zombie(pid)


def _not_a_zombie(pid: int) -> bool:
    """A killed child that its parent has not reaped yet still answers signal 0."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): trust signal 0
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _windows_pid_alive(pid: int) -> bool:
    # os.kill(pid, 0) on Windows sends CTRL_C_EVENT, so ask the kernel instead.
    import ctypes

    process_query_limited_information = 0x1000
    still_active = 259
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return False
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)
