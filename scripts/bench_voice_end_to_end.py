"""Spoken "stop" and "pain" end to end, through a PulseAudio virtual microphone, N times.

Each run starts the real coach (`python -m voicecoach routine ...`) speaking into one null
sink and listening to another, plays an espeak-ng word into the microphone, and hears both
sinks live (the scenarios of tests/test_voice_end_to_end.py, tests/voice_scenarios.py):
  - stop:  "stop" said 1.5 s into a long sentence; word end -> the sentence falls silent
           at the coach's speaker (goal: within 500 ms);
  - pain:  "pain" said mid-hold; word end -> the first red-flag question printed, and
           -> first heard at the coach's speaker (goal: within 1 s).
  - next (with --with-next): "next" said mid-hold; word end -> the hold-end cue heard,
           and -> the release line printed (it follows the 0.62 s cue; goal: within 2 s).
  - with --over: "stop" (human recordings from ../shared/audio/human/stop, in turn) and
           "pain" (espeak-ng) said over the coach at each of voice_scenarios.MOMENTS (as a
           count begins, counting every second and every five; over an instruction;
           over the caution, "...never push into sharp pain"): how many of --runs tries
           were acted on at the first try (goal: 19 of 20), in a room without echo and
           with the coach's speaker in the microphone at --echo-db (default -6 dB).
A run whose word is not acted on counts as a miss (printed, and left out of the times).
With --echo-db, the microphone also hears the coach's speaker, that many dB against the
person's voice (a laptop's own speaker; the coach cancels the echo unless
--no-echo-cancel); the word is then timed where it is played, ~20 ms before it reaches
the microphone, so the times run ~20 ms long.

Usage: .venv/bin/python -m scripts.bench_voice_end_to_end [--runs 5] [--with-next]
           [--echo-db -6] [--no-echo-cancel] [--over [--moments count1,...] [--rooms none,-6]]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scripts.timing_summary import summary
from tests import pulse, voice_rig  # the tests' PulseAudio helpers and live sink reader
from tests import voice_scenarios as scenarios
from tests.support import espeak
from tests.voice_rig import LiveMonitor, VirtualRoom

Measure = Callable[[VirtualRoom, Path, LiveMonitor, LiveMonitor], dict[str, float]]


next_attempts: list[int] = []
"""How many times "next" had to be said in each run (the scenario says it again if missed)."""


def played(
    room: VirtualRoom,
    folder: Path,
    mic: LiveMonitor,
    speaker: LiveMonitor,
    routine: str,
    scenario: Callable[..., Any],
    *options: str,
) -> Any:
    """What `scenario` measured, played on a coach running `routine` (then stopped)."""
    coach = scenarios.start_coach(room, folder, routine, *options)
    try:
        return scenario(room, coach, mic, speaker)
    finally:
        coach.close()


def measure_next(
    room: VirtualRoom, folder: Path, mic: LiveMonitor, speaker: LiveMonitor
) -> dict[str, float]:
    step = played(
        room, folder, mic, speaker, scenarios.HOLD_ROUTINE, scenarios.next_during_hold,
        *scenarios.HOLD_OPTIONS,
    )  # fmt: skip
    next_attempts.append(step.attempts)
    print(f"  'next' said {step.attempts} time(s); the listener: {'; '.join(step.listened)}")
    return {
        "next: word end -> hold-end cue heard": step.to_heard,
        "next: word end -> release line shown": step.to_release,
    }


def measure_stop(
    room: VirtualRoom, folder: Path, mic: LiveMonitor, speaker: LiveMonitor
) -> dict[str, float]:
    routine = scenarios.LONG_LINE_ROUTINE
    stop = played(room, folder, mic, speaker, routine, scenarios.stop_mid_sentence)
    return {"stop: word end -> coach silent": stop.to_silence}


def measure_pain(
    room: VirtualRoom, folder: Path, mic: LiveMonitor, speaker: LiveMonitor
) -> dict[str, float]:
    pain = played(
        room, folder, mic, speaker, scenarios.HOLD_ROUTINE, scenarios.pain_mid_hold,
        *scenarios.HOLD_OPTIONS,
    )  # fmt: skip
    return {
        "pain: word end -> question shown": pain.to_shown,
        "pain: word end -> question heard": pain.to_heard,
    }


def one_run(room: VirtualRoom, measure: Measure) -> dict[str, float] | None:
    """One scenario in a fresh data folder; None (with the reason printed) on a miss."""
    with tempfile.TemporaryDirectory(prefix="voicecoach-bench-") as folder:
        os.environ["VOICECOACH_DATA_DIR"] = str(Path(folder) / "data")
        mic, speaker = LiveMonitor(room.voice.monitor), LiveMonitor(room.speaker.monitor)
        try:
            mic.wait_streaming()
            speaker.wait_streaming()
            return measure(room, Path(folder), mic, speaker)
        except AssertionError as error:
            print(f"  miss: {str(error).splitlines()[0]}", flush=True)
            print(f"  commands the coach logged: {logged_commands(Path(folder), room)}")
            return None
        finally:
            mic.close()
            speaker.close()


def logged_commands(folder: Path, room: VirtualRoom) -> list[str]:
    """What the coach acted on, from its log: tells a word not heard from one ignored."""
    try:
        sessions = voice_rig.history(voice_rig.coach_env(room, folder))
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        return [f"(log unreadable: {error})"]
    return [
        f"{e['data'].get('command')} ({e['data'].get('source')})"
        for session in sessions
        for e in session["events"]
        if e["kind"] == "command"
    ]


HUMAN_STOP = (
    Path(
        os.environ.get(
            "VOICECOACH_HUMAN_AUDIO", Path(__file__).resolve().parents[2] / "shared/audio/human"
        )
    )
    / "stop"
)
"""Human "stop" recordings (evaluated on, never tuned on); VOICECOACH_HUMAN_AUDIO points
elsewhere (the folder holding stop/)."""


def over_the_coach(runs: int, moments: list[str], rooms: list[float | None]) -> None:
    """Issue 12's table: stop and pain said over the coach, acted on at the first try."""
    clips = sorted(HUMAN_STOP.glob("*.wav")) if HUMAN_STOP.is_dir() else []
    if not clips:
        print(f"no human recordings in {HUMAN_STOP}: 'stop' is said by espeak-ng")
    table: list[str] = []
    for echo_db in rooms:
        room_name = "no echo" if echo_db is None else f"echo {echo_db:g} dB"
        with tempfile.TemporaryDirectory(prefix="voicecoach-room-") as folder:
            room = VirtualRoom(Path(folder), echo_db=echo_db)
            try:
                for name in moments:
                    for word in ("stop", "pain"):
                        first = 7 * moments.index(name)  # other clips at each moment
                        said: list[str | Path] = [
                            clips[(first + run) % len(clips)] if word == "stop" and clips
                            else word
                            for run in range(runs)
                        ]  # fmt: skip
                        taken, times = try_over(room, name, said)
                        row = f"{room_name:>12} | {name:<11} | {word:<4} | {taken:>2} of {runs}"
                        if times:
                            row += f" | median {sorted(times)[len(times) // 2] * 1000:.0f} ms"
                        print(f"=> {row}", flush=True)
                        table.append(row)
            finally:
                room.close()
    print("\nacted on at the first try (goal: 19 of 20):")
    print("\n".join(table))


def try_over(room: VirtualRoom, name: str, said: list[str | Path]) -> tuple[int, list[float]]:
    """Say each of `said` at moment `name`, each to a fresh coach; (taken, times)."""
    moment = scenarios.MOMENTS[name]
    taken, times = 0, []
    for word in said:
        with tempfile.TemporaryDirectory(prefix="voicecoach-bench-") as folder:
            os.environ["VOICECOACH_DATA_DIR"] = str(Path(folder) / "data")
            mic, speaker = LiveMonitor(room.voice.monitor), LiveMonitor(room.speaker.monitor)
            coach = scenarios.start_coach(room, Path(folder), moment.routine, *moment.options)
            try:
                mic.wait_streaming()
                speaker.wait_streaming()
                result = scenarios.said_over(room, coach, mic, speaker, moment, word)
            except (AssertionError, subprocess.SubprocessError) as error:
                said_by_coach = "\n      ".join(str(error).splitlines()[1:])
                print(f"  {name}: not played: {str(error).splitlines()[0]}", flush=True)
                print(f"      {said_by_coach}", flush=True)  # why the coach did not get there
                continue
            finally:
                coach.close()
                mic.close()
                speaker.close()
        label = word.name if isinstance(word, Path) else word
        heard = f"word began {result.overlap()}; listener: {'; '.join(result.listened)}"
        if result.to_acted is None:
            print(f"  {name} {label}: MISSED; {heard}", flush=True)
            continue
        taken += 1
        times.append(result.to_acted)
        print(f"  {name} {label}: taken {result.to_acted * 1000:.0f} ms after the word; {heard}")
    return taken, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--with-next", action="store_true", help='also "next" during a hold -> release line'
    )
    parser.add_argument("--echo-db", type=float, help="the coach's speaker heard by the mic")
    parser.add_argument("--no-echo-cancel", action="store_true", help="the coach's option")
    parser.add_argument("--over", action="store_true", help="stop/pain said over the coach")
    parser.add_argument("--moments", default=",".join(scenarios.MOMENTS), help="for --over")
    parser.add_argument("--rooms", default="none,-6", help="for --over: echo dB, or none")
    args = parser.parse_args()
    if args.no_echo_cancel:
        scenarios.EXTRA_OPTIONS.append("--no-echo-cancel")
    reason = pulse.ensure_running()
    if reason:
        sys.exit(f"cannot run: {reason}")
    if not espeak.available():
        sys.exit("cannot run: espeak-ng is not installed")
    if args.over:
        rooms = [None if r == "none" else float(r) for r in args.rooms.split(",")]
        over_the_coach(args.runs, args.moments.split(","), rooms)
        return
    times: dict[str, list[float]] = {}
    scenarios_run = {"stop": measure_stop, "pain": measure_pain}
    if args.with_next:
        scenarios_run["next"] = measure_next
    misses = dict.fromkeys(scenarios_run, 0)
    with tempfile.TemporaryDirectory(prefix="voicecoach-room-") as folder:
        room = VirtualRoom(Path(folder), echo_db=args.echo_db)
        try:
            for run in range(1, args.runs + 1):
                for name, measure in scenarios_run.items():
                    result = one_run(room, measure)
                    if result is None:
                        misses[name] += 1
                        continue
                    shown = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in result.items())
                    print(f"run {run}: {shown}", flush=True)
                    for key, value in result.items():
                        times.setdefault(key, []).append(value)
        finally:
            room.close()
    missed = ", ".join(f"{name} {count}" for name, count in misses.items())
    print(f"\n{args.runs} runs each; misses: {missed}")
    if next_attempts:
        print(
            f"'next' said {sum(next_attempts)} times for {len(next_attempts)} holds ended "
            f"(missed {sum(next_attempts) - len(next_attempts)} times, then said again)"
        )
    for key, values in times.items():
        goal = {"stop": 500, "pain": 1000, "next": 2000}[key.split(":")[0]]
        print(summary(key, values, extra=f", goal: {goal} ms"))


if __name__ == "__main__":
    main()
