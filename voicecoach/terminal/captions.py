"""What a person glances at from the floor: the instruction in large text, a countdown
bar, and the keys. Also the caption-only "speaker" for when there is no audio."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from typing import Protocol, TextIO

from rich.align import Align
from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

from voicecoach.core.controls import keys_line
from voicecoach.core.ports import Speaker

KEYS_LINE = keys_line()


def open_display(stream: TextIO | None = None) -> PlainDisplay | LiveDisplay:
    """A live full-width panel on a terminal; plain lines anywhere else (pipes, logs)."""
    stream = stream or sys.stdout
    if stream.isatty():
        return LiveDisplay(Console(file=stream))
    return PlainDisplay(stream)


class PlainDisplay:
    """One printed line per change: readable in a pipe, a log, or a test."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._title = ""
        self._text = ""
        self._last_hold_second: int | None = None

    def _print(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def show_step(self, title: str, text: str) -> None:
        if title != self._title:
            self._title = title
            self._print(f"== {title} ==")
        if text:
            self._print(f"   {text}")
        self._text = text

    def show_hold(self, remaining: float, total: float) -> None:
        second = int(remaining + 0.999)
        if second != self._last_hold_second and second % 5 == 0:
            self._print(f"   [{_bar_text(remaining, total)}] {second} s left")
        self._last_hold_second = second

    def show_status(self, text: str) -> None:
        if text and text != self._text:  # captions repeat the instruction just printed
            self._print(f"   ({text})")

    def show_keys(self, line: str | None) -> None:
        if line:
            self._print(f"   (keys: {line})")

    def show_notice(self, title: str, lines: Sequence[str]) -> None:
        self.show_step(title, "")
        for line in lines:
            self._print(f"   {line}")

    def close(self) -> None:
        return None


def _bar_text(remaining: float, total: float, width: int = 20) -> str:
    done = 0 if total <= 0 else round(width * (1 - remaining / total))
    return "#" * done + "-" * (width - done)


class LiveDisplay:
    """A panel redrawn in place: title, instruction in bold, hold bar, keys."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._lock = threading.Lock()
        self._title = ""
        self._text = ""
        self._status = ""
        self._hold: tuple[float, float] | None = None
        self._keys = KEYS_LINE
        self._live = Live(self._render(), console=console, auto_refresh=False, transient=False)
        self._live.start()

    def show_step(self, title: str, text: str) -> None:
        with self._lock:
            if title != self._title or text:
                self._hold = None  # a new step or instruction: the last hold's bar is done
                self._text = text
            self._title = title
        self._refresh()

    def show_hold(self, remaining: float, total: float) -> None:
        with self._lock:
            self._hold = (remaining, total)
        self._refresh()

    def show_status(self, text: str) -> None:
        with self._lock:
            self._status = "" if text == self._text else text  # captions repeat the line
        self._refresh()

    def show_notice(self, title: str, lines: Sequence[str]) -> None:
        """Printed above the panel, so it stays there while the panel changes below."""
        body = Text("\n".join(lines))
        self.console.print(Panel(body, title=Text(title, style="bold magenta"), padding=(0, 2)))
        self.show_step(title, "")

    def show_keys(self, line: str | None) -> None:
        """A question's answers replace the keys line (and the "Say next" status with it)."""
        with self._lock:
            self._keys = line or KEYS_LINE
            if line:
                self._status = ""
        self._refresh()

    def close(self) -> None:
        self._live.stop()

    def _refresh(self) -> None:
        with self._lock:
            self._live.update(self._render(), refresh=True)

    def _render(self) -> Panel:
        parts: list[Text | Align] = [
            Text(self._text, style="bold", justify="center"),
        ]
        if self._hold is not None:
            remaining, total = self._hold
            bar = _bar_text(remaining, total, width=40).replace("#", "█").replace("-", "░")
            label = f"{bar}  {remaining:3.0f} s left"
            parts.append(Align.center(Text(label, style="bold cyan")))
        if self._status:
            parts.append(Align.center(Text(self._status, style="yellow")))
        parts.append(Align.center(Text(self._keys, style="dim")))
        return Panel(Group(*parts), title=Text(self._title, style="bold magenta"), padding=(1, 2))


class CaptionSpeaker:
    """Stands in for speech when there is no audio: shows each line for a reading time."""

    def __init__(
        self,
        display: PlainDisplay | LiveDisplay,
        time_scale: float = 1.0,
        words_per_second: float = 3.0,
    ) -> None:
        self.display = display
        self.time_scale = time_scale
        self.words_per_second = words_per_second
        self._silenced = threading.Event()

    def duration(self, text: str) -> float:
        return len(text.split()) / self.words_per_second * self.time_scale

    def say(self, text: str) -> bool:
        self._silenced.clear()
        self.display.show_status(text)
        return not self._silenced.wait(self.duration(text))

    def cue(self, name: str) -> bool:
        return True

    def silence(self) -> None:
        self._silenced.set()

    def close(self) -> None:
        return None


class ClosableSpeaker(Speaker, Protocol):
    """A Speaker that holds a device until closed (the real one)."""

    def close(self) -> None: ...


class FallbackSpeaker:
    """Real speech until the output fails mid-session, then captions: said once, no crash."""

    def __init__(self, fallback: CaptionSpeaker, notice: Callable[[str], None]) -> None:
        self.primary: ClosableSpeaker | None = None
        """The real speaker; set once it is open."""
        self.fallback = fallback
        self._notice = notice
        self._lost = threading.Event()

    def lost(self, reason: str) -> None:
        """The audio output failed (called from the playback thread)."""
        if not self._lost.is_set():
            self._lost.set()
            self._notice(f"Speech stopped: {reason}. Showing captions only.")

    def _current(self) -> ClosableSpeaker | CaptionSpeaker:
        return self.fallback if self._lost.is_set() or self.primary is None else self.primary

    def say(self, text: str) -> bool:
        speaker = self._current()
        finished = speaker.say(text)
        if not finished and speaker is not self.fallback and self._lost.is_set():
            return self.fallback.say(text)  # the line the failure cut off, as a caption
        return finished

    def cue(self, name: str) -> bool:
        finished = self._current().cue(name)
        return finished or self._lost.is_set()

    def duration(self, text: str) -> float:
        return self._current().duration(text)

    def silence(self) -> None:
        self.fallback.silence()
        if self.primary is not None:
            self.primary.silence()

    def close(self) -> None:
        if self.primary is not None:
            self.primary.close()
