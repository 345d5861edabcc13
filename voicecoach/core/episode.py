"""The episode: when this spasm began, and what follows from the hours since.

The storage is the session log's (start_episode, current_episode, pain_scores); this
module only needs what EpisodeStore names, so tests use a fake and the CLI wires the
real log in.

Times the person can type for `episode start --at WHEN` (kept simple on purpose):
- an ISO date and time: "2026-11-25 18:00", "2026-11-25T18:00+01:00" (no zone: local time)
- "now"; "HH:MM" or "today HH:MM"; "yesterday HH:MM"
- an amount ago: "2h ago", "90m ago", "3 days ago", "1 day 4 hours ago" is NOT accepted
  (one amount only); units: m/min/minutes, h/hours, d/days.
A time in the future is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from voicecoach.core.care import Thermal, consult_line, thermal_advice, thermal_for_hours


class EpisodeStore(Protocol):
    """What the episode needs from the session log."""

    def start_episode(self, at: datetime) -> None:
        """Record that a spasm episode began at `at`."""
        ...

    def current_episode(self) -> datetime | None:
        """When the current episode began; None when none was started."""
        ...

    def end_episode(self) -> bool:
        """End the current episode; False when there was none."""
        ...

    def pain_scores(self, since: datetime) -> list[tuple[datetime, int, str]]:
        """Pain scores recorded since `since`: (when recorded, score 0-10, where asked)."""
        ...


class EpisodeError(ValueError):
    """A time that cannot be understood; the message is one line for the person."""


FUTURE_TOLERANCE = timedelta(minutes=1)
"""Clocks and typing differ a little: "now" plus a minute is still now."""

_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}
_AGO = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]+)\s+ago$")
_CLOCK = re.compile(r"^(?:(today|yesterday)\s+)?(\d{1,2}):(\d{2})$")


def local_now() -> datetime:
    """Now, as an aware datetime in the local time zone."""
    return datetime.now().astimezone()


def as_aware(moment: datetime) -> datetime:
    """Naive datetimes are local time."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def parse_when(text: str, now: datetime) -> datetime:
    """Turn what the person typed into an aware datetime; EpisodeError if it can't be."""
    said = " ".join(text.strip().lower().split())
    moment = _parse(said, as_aware(now))
    if moment is None:
        raise EpisodeError(
            f"Can't read the time {text!r}: try '2h ago', 'yesterday 18:00' or '2026-11-25 18:00'."
        )
    if moment > as_aware(now) + FUTURE_TOLERANCE:
        raise EpisodeError(f"The time {text!r} is in the future.")
    return moment


def _parse(said: str, now: datetime) -> datetime | None:
    if said == "now":
        return now
    ago = _AGO.match(said)
    if ago:
        unit = _unit(ago.group(2))
        return now - timedelta(**{unit: float(ago.group(1))}) if unit else None
    clock = _CLOCK.match(said)
    if clock:
        return _at_clock(now, clock.group(1) == "yesterday", int(clock[2]), int(clock[3]))
    try:
        return as_aware(datetime.fromisoformat(said.upper()))
    except ValueError:
        return None


def _unit(word: str) -> str | None:
    if word in _UNITS:
        return _UNITS[word]
    plural = word if word.endswith("s") else word + "s"
    return plural if plural in ("minutes", "hours", "days") else None


def _at_clock(now: datetime, yesterday: bool, hour: int, minute: int) -> datetime | None:
    if hour > 23 or minute > 59:
        return None
    day = now.date() - timedelta(days=1 if yesterday else 0)
    return datetime.combine(day, time(hour, minute), tzinfo=now.tzinfo)


def hours_since(start: datetime, now: datetime) -> float:
    return (as_aware(now) - as_aware(start)).total_seconds() / 3600.0


@dataclass(frozen=True)
class EpisodeStatus:
    """Where the person is in this episode."""

    started: datetime
    """When the spasm began."""
    hours: float
    """Hours since then."""
    thermal: Thermal
    """Cold, cold or heat, or heat."""
    consult: str | None
    """The 72-hour rule's line when it applies, else None."""

    def lines(self) -> list[str]:
        """What `episode status` prints: hours, cold/heat advice, and the 72-hour rule."""
        when = self.started.astimezone().strftime("%Y-%m-%d %H:%M")
        lines = [
            f"The spasm began {spoken_hours(self.hours)} ago ({when}).",
            thermal_advice(self.hours),
        ]
        if self.consult:
            lines.append(self.consult)
        return lines


def spoken_hours(hours: float) -> str:
    """ "5 hours", "1 hour", "3 days and 2 hours" (whole hours, rounded down)."""
    whole = int(hours)
    days, rest = divmod(whole, 24)
    hour_words = f"{rest} hour{'s' if rest != 1 else ''}"
    if days == 0:
        return hour_words
    day_words = f"{days} day{'s' if days != 1 else ''}"
    return day_words if rest == 0 else f"{day_words} and {hour_words}"


def episode_status(store: EpisodeStore, now: datetime) -> EpisodeStatus | None:
    """The current episode's status; None when no episode was started."""
    started = store.current_episode()
    if started is None:
        return None
    hours = max(0.0, hours_since(started, now))
    scores = episode_scores(store, started)
    return EpisodeStatus(
        started=as_aware(started),
        hours=hours,
        thermal=thermal_for_hours(hours),
        consult=consult_line(hours, scores),
    )


def episode_scores(store: EpisodeStore, started: datetime) -> Sequence[int]:
    """The episode's pain scores to compare for the 72-hour rule, oldest first.

    The scores asked at the start of sessions, when there are two or more: they are
    taken at like moments, where a score after "pain" is a spike and one at the end
    follows the exercises. Otherwise every score.
    """
    rows = sorted(store.pain_scores(started), key=lambda row: as_aware(row[0]))
    at_start = [score for _, score, when in rows if when == "start"]
    return at_start if len(at_start) >= 2 else [score for _, score, _ in rows]


def opening_lines(store: EpisodeStore, now: datetime) -> list[str]:
    """What every session begins with: the 72-hour rule's line when it applies."""
    status = episode_status(store, now)
    return [status.consult] if status and status.consult else []


def hours_now(store: EpisodeStore) -> float | None:
    """Hours since the current episode began; None without an episode.

    Fits SpokenSafetyCheck(..., episode_hours=lambda: hours_now(store)).
    """
    started = store.current_episode()
    return None if started is None else max(0.0, hours_since(started, local_now()))


def start_episode(store: EpisodeStore, when: str, now: datetime) -> datetime:
    """Parse `when` and record the start; returns the moment recorded."""
    moment = parse_when(when, now)
    store.start_episode(moment)
    return moment
