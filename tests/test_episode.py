"""The episode clock: cold/heat by hours, the 72-hour rule at its boundaries, parsing times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.care_support import FakeEpisodeStore
from voicecoach.core.care import Thermal, consult_line, thermal_advice, thermal_for_hours
from voicecoach.core.episode import (
    EpisodeError,
    episode_status,
    opening_lines,
    parse_when,
    spoken_hours,
    start_episode,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def store_with(hours_ago: float, scores: list[int]) -> FakeEpisodeStore:
    started = NOW - timedelta(hours=hours_ago)
    rows = [(started + timedelta(hours=i + 1), s, "start") for i, s in enumerate(scores)]
    return FakeEpisodeStore(started, rows)


@pytest.mark.parametrize(
    ("hours", "thermal"),
    [
        (0.0, Thermal.COLD),
        (47.9, Thermal.COLD),
        (48.0, Thermal.COLD_OR_HEAT),
        (71.9, Thermal.COLD_OR_HEAT),
        (72.0, Thermal.HEAT),
        (200.0, Thermal.HEAT),
    ],
)
def test_cold_then_cold_or_heat_then_heat_at_the_boundaries(hours: float, thermal: Thermal) -> None:
    assert thermal_for_hours(hours) is thermal


def test_the_advice_says_what_the_rule_decided() -> None:
    assert "use cold, not heat" in thermal_advice(47.9)
    assert "swelling" in thermal_advice(48.0) and "heat" in thermal_advice(48.0)
    assert "heat is the better choice" in thermal_advice(72.0)
    assert "48 to 72 hours" in thermal_advice(None)


@pytest.mark.parametrize(
    ("hours", "scores", "consult"),
    [
        (71.9, [5, 7], False),  # worse, but not yet 72 hours
        (72.0, [5, 7], True),  # worse
        (72.0, [5, 5], True),  # not improved
        (72.0, [6, 3], False),  # improved
        (100.0, [8, 6, 8], True),  # back where it started
    ],
)
def test_the_72_hour_rule(hours: float, scores: list[int], consult: bool) -> None:
    line = consult_line(hours, scores)
    assert (line is not None) is consult
    if line:
        assert "consult a healthcare provider" in line


def test_72_hours_without_scores_still_says_it_as_a_condition() -> None:
    line = consult_line(72.0, [])
    assert line is not None and "If the pain has not improved" in line
    assert consult_line(71.9, []) is None


def test_every_session_opens_with_the_rule_once_it_applies() -> None:
    assert opening_lines(store_with(71.9, [5, 6]), NOW) == []
    (line,) = opening_lines(store_with(72.0, [5, 6]), NOW)
    assert "consult a healthcare provider" in line
    assert opening_lines(store_with(80.0, [7, 2]), NOW) == []
    assert opening_lines(FakeEpisodeStore(), NOW) == []


def test_status_reports_hours_advice_and_the_rule() -> None:
    status = episode_status(store_with(73.5, [4, 6]), NOW)
    assert status is not None
    text = "\n".join(status.lines())
    assert "3 days and 1 hour ago" in text
    assert "heat is the better choice" in text
    assert "consult a healthcare provider" in text
    assert episode_status(FakeEpisodeStore(), NOW) is None


def test_scores_are_compared_oldest_first_whatever_order_the_store_gives() -> None:
    store = store_with(80.0, [])
    t0 = store.started
    assert t0 is not None
    store.scores = [(t0 + timedelta(hours=5), 3, "end"), (t0 + timedelta(hours=1), 7, "start")]
    assert opening_lines(store, NOW) == []  # 7 then 3: improved


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("2h ago", NOW - timedelta(hours=2)),
        ("90 minutes ago", NOW - timedelta(minutes=90)),
        ("3 days ago", NOW - timedelta(days=3)),
        ("1 day ago", NOW - timedelta(days=1)),
        ("yesterday 18:00", datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)),
        ("today 07:30", datetime(2026, 11, 26, 7, 30, tzinfo=timezone.utc)),
        ("9:15", datetime(2026, 11, 26, 9, 15, tzinfo=timezone.utc)),
        ("2026-11-25T18:00+00:00", datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)),
        ("2026-11-25 08:00+01:00", datetime(2026, 11, 25, 7, 0, tzinfo=timezone.utc)),
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW) == expected


def test_iso_without_a_zone_is_local_time() -> None:
    moment = parse_when("2026-11-25 18:00", NOW)
    assert moment.tzinfo is not None
    assert moment.replace(tzinfo=None) == datetime(2026, 11, 25, 18, 0)


@pytest.mark.parametrize("text", ["tomorrow", "in 2h", "2 weeks ago", "25:00", "", "13:00"])
def test_bad_or_future_times_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(EpisodeError) as error:
        parse_when(text, NOW)
    assert "\n" not in str(error.value)


def test_start_episode_records_the_parsed_moment() -> None:
    store = FakeEpisodeStore()
    moment = start_episode(store, "5h ago", NOW)
    assert store.started == moment == NOW - timedelta(hours=5)


@pytest.mark.parametrize(
    ("hours", "words"),
    [(0.4, "0 hours"), (1.0, "1 hour"), (48.0, "2 days"), (49.9, "2 days and 1 hour")],
)
def test_spoken_hours(hours: float, words: str) -> None:
    assert spoken_hours(hours) == words


def test_start_of_session_scores_are_compared_when_there_are_enough() -> None:
    store = store_with(80.0, [])
    t0 = store.started
    assert t0 is not None
    store.scores = [
        (t0 + timedelta(hours=1), 7, "start"),
        (t0 + timedelta(hours=2), 9, "after_pain"),  # a spike during an exercise
        (t0 + timedelta(hours=30), 4, "start"),
        (t0 + timedelta(hours=31), 8, "after_pain"),
    ]
    assert opening_lines(store, NOW) == []  # 7 then 4 at the start of sessions: improved
    store.scores = [(t0 + timedelta(hours=1), 7, "start"), (t0 + timedelta(hours=5), 8, "end")]
    assert opening_lines(store, NOW) != []  # one start score only: all scores, 7 then 8
