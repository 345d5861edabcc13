"""The session log: one SQLite file holding sessions, their events, and episodes.

from voicecoach.logbook import SqliteLog
with SqliteLog() as log:          # LogFileError if the file is damaged or newer
    log.session_started("gentle", {"hold_s": 30})
    log.event("hold", step=2, side="left", planned_s=30, actual_s=30.2)
    log.session_ended("completed")
"""

from voicecoach.logbook.episodes import (
    current_episode,
    end_episode,
    pain_scores,
    start_episode,
)
from voicecoach.logbook.reading import EventRecord, SessionRecord, read_sessions
from voicecoach.logbook.running import RunningSession, running_sessions
from voicecoach.logbook.session import SqliteLog, open_session_log
from voicecoach.logbook.store import (
    LogFileError,
    check_store,
    close_orphaned_sessions,
    default_log_path,
    open_store,
)

__all__ = [
    "EventRecord",
    "LogFileError",
    "RunningSession",
    "SessionRecord",
    "SqliteLog",
    "check_store",
    "close_orphaned_sessions",
    "current_episode",
    "end_episode",
    "default_log_path",
    "open_session_log",
    "open_store",
    "pain_scores",
    "read_sessions",
    "running_sessions",
    "start_episode",
]
