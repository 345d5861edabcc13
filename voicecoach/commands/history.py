"""Past sessions for people and their clinicians: a table, a pain trend, exports.

Everything here reads SessionRecords (voicecoach.logbook.reading); the CLI command
`voicecoach history` only chooses which of these to call.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from voicecoach.logbook import (
    SessionRecord,
    check_store,
    default_log_path,
    open_store,
    read_sessions,
)

BAR_WIDTH = 10  # one block per point on the 0-10 pain scale
TREND_SESSIONS = 30
"""How many of the latest sessions the terminal trend shows."""


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed; the message says how to install it."""


def load_sessions(path: Path | None = None) -> list[SessionRecord]:
    """Every session in the log, oldest first (killed sessions closed as interrupted first)."""
    path = path or default_log_path()
    if not path.exists():
        return []  # reading creates nothing
    conn = open_store(path)
    try:
        return read_sessions(conn)
    finally:
        conn.close()


# --- for people -----------------------------------------------------------------------


def local_time(iso: str | None) -> str:
    """A stored UTC timestamp as local "YYYY-MM-DD HH:MM"; "" when absent."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def minutes(session: SessionRecord) -> float | None:
    """How long the session ran, in minutes; None while it is still running."""
    if not session.ended:
        return None
    span = datetime.fromisoformat(session.ended) - datetime.fromisoformat(session.started)
    return round(span.total_seconds() / 60, 1)


def red_flags_yes(session: SessionRecord) -> list[str]:
    """The red flags answered "yes" in the session."""
    return [
        str(e.data.get("flag", "?"))
        for e in session.kinds("red_flag")
        if str(e.data.get("answer", "")).lower() in ("yes", "true")
    ]


def red_flag_summary(session: SessionRecord) -> str:
    """The flags answered yes; else "unclear" or "none" once the checks were read; else ""."""
    answers = {str(e.data.get("answer", "")).lower() for e in session.kinds("red_flag")}
    if not answers:
        return ""
    return ", ".join(red_flags_yes(session)) or ("unclear" if "unclear" in answers else "none")


def pain_change(session: SessionRecord) -> str:
    """Pain before and after, e.g. "6 → 3"; "" when no score was given."""
    before, after = session.pain("start"), session.pain("end")
    if before is None and after is None:
        return ""
    return f"{_score(before)} → {_score(after)}"


def _score(score: int | None) -> str:
    return "–" if score is None else str(score)


def session_table(sessions: Sequence[SessionRecord]) -> object:
    """A rich Table with one row per session."""
    from rich.table import Table

    table = Table(title="voicecoach sessions", title_justify="left")
    for column in ("#", "started", "routine", "min", "steps", "pain", "red flags", "outcome"):
        table.add_column(
            column,
            justify="right" if column in ("#", "min", "steps") else "left",
            no_wrap=column in ("started", "pain"),
            overflow="fold",  # a red flag's name or an outcome is never cut off
        )
    for session in sessions:
        length = minutes(session)
        table.add_row(
            str(session.id),
            local_time(session.started),
            session.routine + (" (demo)" if session.is_demo else ""),
            "" if length is None else f"{length:g}",
            str(len(session.kinds("step_finished"))),
            pain_change(session),
            red_flag_summary(session),
            session.outcome or "running",
        )
    return table


def scored_sessions(
    sessions: Sequence[SessionRecord], with_demos: bool = False
) -> list[SessionRecord]:
    """The sessions with a pain score; demo runs (--time-scale) only when asked for."""
    return [
        s
        for s in sessions
        if (with_demos or not s.is_demo)
        and (s.pain("start") is not None or s.pain("end") is not None)
    ]


def pain_trend(sessions: Sequence[SessionRecord], with_demos: bool = False) -> str:
    """The pain scores of the latest sessions as text bars, one line per session.

    Demo runs (--time-scale) are left out unless `with_demos`: a sped-up run is a try-out,
    and its scores would bend the person's trend."""
    scored = scored_sessions(sessions, with_demos)
    if not scored:
        return "No pain scores yet: the coach asks for one (0-10) at the start and the end."
    lines = ["Pain trend, before → after each session (0 none, 10 worst):"]
    for session in scored[-TREND_SESSIONS:]:
        before, after = session.pain("start"), session.pain("end")
        lines.append(f"  {local_time(session.started)}  {_bar(before)}  →  {_bar(after)}")
    return "\n".join(lines)


def _bar(score: int | None) -> str:
    if score is None:
        return " " * BAR_WIDTH + "  –"
    filled = max(0, min(BAR_WIDTH, score))
    return "█" * filled + "·" * (BAR_WIDTH - filled) + f" {score:2d}"


# --- exports --------------------------------------------------------------------------


def to_json(sessions: Sequence[SessionRecord]) -> str:
    """A JSON array, one object per session with its events (read back by from_json)."""
    return json.dumps([s.to_dict() for s in sessions], indent=2, ensure_ascii=False)


def from_json(text: str) -> list[SessionRecord]:
    """The sessions written by to_json."""
    return [SessionRecord.from_dict(item) for item in json.loads(text)]


CSV_COLUMNS = (
    "id",
    "routine",
    "started",
    "ended",
    "outcome",
    "minutes",
    "steps_finished",
    "holds",
    "pain_start",
    "pain_end",
    "red_flags_yes",
)


def to_csv(sessions: Sequence[SessionRecord]) -> str:
    """One row per session, for a spreadsheet (the events themselves are in --json)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in sessions:
        writer.writerow(
            [
                s.id,
                s.routine,
                s.started,
                s.ended or "",
                s.outcome or "",
                _blank_if_none(minutes(s)),
                len(s.kinds("step_finished")),
                len(s.kinds("hold")),
                _blank_if_none(s.pain("start")),
                _blank_if_none(s.pain("end")),
                "; ".join(red_flags_yes(s)),
            ]
        )
    return out.getvalue()


def _blank_if_none(value: object) -> object:
    return "" if value is None else value


def plot_trend(sessions: Sequence[SessionRecord], image: Path, with_demos: bool = False) -> int:
    """Draw pain before/after each session to an image; returns how many sessions it shows."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # draw to a file; no window, no display needed
        import matplotlib.pyplot as plt
        from matplotlib import dates
    except ImportError as error:
        raise PlotUnavailable(
            "drawing a plot needs matplotlib: pip install 'voicecoach[plot]'"
        ) from error
    scored = scored_sessions(sessions, with_demos)
    figure, axes = plt.subplots(figsize=(8, 4))
    for moment, label, marker in (("start", "before", "o"), ("end", "after", "s")):
        points = [(s.started, s.pain(moment)) for s in scored]
        shown = [(datetime.fromisoformat(at).astimezone(), p) for at, p in points if p is not None]
        axes.plot(
            dates.date2num([at for at, _ in shown]),
            [float(score) for _, score in shown],
            marker=marker,
            label=label,
        )
    axes.xaxis_date()
    # Readable dates however long the history: the day and month, and the time when close.
    locator = dates.AutoDateLocator(maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
    axes.set_ylim(0, 10)
    axes.set_ylabel("pain (0 none, 10 worst)")
    axes.set_title("voicecoach: pain before and after each session")
    axes.legend()
    figure.tight_layout()
    figure.savefig(image)
    plt.close(figure)
    return len(scored)


# --- forgetting -----------------------------------------------------------------------


def describe_log(path: Path) -> str:
    """What --forget is about to delete, for the confirmation question."""
    from voicecoach.logbook import LogFileError

    try:
        return check_store(path)
    except LogFileError as error:
        return f"{path} (damaged: {error})"


def forget(path: Path) -> list[Path]:
    """Delete the log file and SQLite's files beside it; returns the files deleted."""
    deleted = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        file = Path(f"{path}{suffix}")
        try:
            os.remove(file)
        except FileNotFoundError:
            continue
        deleted.append(file)
    return deleted
