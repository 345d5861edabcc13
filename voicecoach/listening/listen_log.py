"""The listening log: one JSON line per stretch of sound the live listener heard, and
what became of it (decoded as what, with what score, acted on or why not).

Switched on by setting VOICECOACH_LISTEN_LOG to a file path, e.g.
    VOICECOACH_LISTEN_LOG=/tmp/listen.jsonl voicecoach routine gentle
Times are monotonic seconds, the clock the coach's other timings use, so a word that
was not acted on can be lined up with what the coach was saying then.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
from pathlib import Path
from typing import TextIO

from voicecoach.listening.recogniser import Report

LISTEN_LOG_ENV = "VOICECOACH_LISTEN_LOG"
"""The environment variable holding the log's path."""


class ListenLog:
    """Appends reports to a file as JSON lines; safe from any thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: TextIO = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls) -> ListenLog | None:
        """The log named by VOICECOACH_LISTEN_LOG, or None (said once if it cannot open)."""
        path = os.environ.get(LISTEN_LOG_ENV)
        if not path:
            return None
        try:
            return cls(path)
        except OSError as error:
            print(f"Not writing the listening log: {error}", file=sys.stderr)
            return None

    def write(self, report: Report) -> None:
        line = json.dumps(dataclasses.asdict(report))
        with self._lock:
            if not self._file.closed:  # a report racing the listener's stop
                self._file.write(line + "\n")
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


def read_listen_log(path: str | Path) -> list[Report]:
    """The reports in a listening log (for benchmarks and tests)."""
    text = Path(path).read_text(encoding="utf-8") if Path(path).exists() else ""
    return [Report(**json.loads(line)) for line in text.splitlines() if line.strip()]
