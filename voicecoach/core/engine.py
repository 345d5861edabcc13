"""The session engine: a plain state machine that runs a plan.

It imports no audio library. It speaks through a Speaker, waits and hears through a
Listener, tells time by a Clock, shows through a Display and records to a Log, all
passed in, so a whole session runs in milliseconds on a fake clock in tests.

Holds are timed from the clock, never by adding up sleeps: speaking a count takes
time, and a 30 s hold must still end 30 s after it starts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from voicecoach.core import lines
from voicecoach.core.asking import UrgentHeard, Voice, confirmed
from voicecoach.core.controls import key_for
from voicecoach.core.plan import Action, Cue, Hold, Plan, PlannedStep, Rest, Say, WaitForNext
from voicecoach.core.ports import (
    AfterCheck,
    Clock,
    Command,
    Display,
    Heard,
    Listener,
    Log,
    Outcome,
    Safety,
    Speaker,
    means_next,
)
from voicecoach.core.routines import MOVEMENT_KINDS
from voicecoach.core.settings import SessionSettings
from voicecoach.core.urgent import respond
from voicecoach.core.wording import Wording

DISPLAY_TICK = 0.25
"""How often the countdown bar is redrawn while waiting (seconds)."""
LATE_COUNT = 0.4
"""A count that comes this late (the previous line overran) is left out, not said late."""
COUNT_MARGIN = 0.05
"""A count must end this long before the hold does, or it is left out."""
IDLE_LIMIT = 30 * 60.0
"""With no answer for this long, the person has gone: the session ends (saved)."""
REPROMPT_EVERY = 120.0
"""While waiting for "next", say the prompt again this often."""


class State(str, Enum):
    STARTING = "starting"
    SPEAKING = "speaking"
    WAITING = "waiting for next"
    HOLDING = "holding"
    RESTING = "resting"
    PAUSED = "paused"
    SAFETY = "safety check"
    FINISHED = "finished"


class _StepSkipped(Exception):
    """Leave the current step and go on to the next."""


class _StepAgain(Exception):
    """Give the current step again from its start (after a rest in the middle of it)."""


class _SessionEnded(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.value)
        self.outcome = outcome


class Timer:
    """Session time for one hold or rest, on the clock, with pauses left out."""

    def __init__(self, clock: Clock, total: float) -> None:
        self.clock = clock
        self.total = total
        self.started = clock.now()
        self._paused_at: float | None = None
        self._paused_for = 0.0

    def elapsed(self) -> float:
        now = self._paused_at if self._paused_at is not None else self.clock.now()
        return now - self.started - self._paused_for

    def remaining(self) -> float:
        return max(0.0, self.total - self.elapsed())

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = self.clock.now()

    def resume(self) -> None:
        if self._paused_at is not None:
            self._paused_for += self.clock.now() - self._paused_at
            self._paused_at = None


@dataclass
class Ports:
    """Everything the engine talks to."""

    speaker: Speaker
    listener: Listener
    clock: Clock
    display: Display
    log: Log
    safety: Safety | None = None
    ask_pain_score: Callable[[str, Listener], int | None] | None = None
    """Asks "from zero to ten..." (when: "start" or "end"), hearing answers from the
    listener it is given; logs the answer itself; raises asking.UrgentHeard on "stop"
    or "pain"."""


class Engine:
    def __init__(
        self, plan: Plan, settings: SessionSettings, ports: Ports, listening: bool = True
    ) -> None:
        self.plan = plan
        self.settings = settings
        self.p = ports
        self.listening = listening
        self.state = State.STARTING
        self.last_instruction = ""
        self.step_lines: list[str] = []
        """The current step's instructions so far: "repeat" while waiting says them all."""
        self._timer: Timer | None = None
        self.step: PlannedStep | None = None
        """The step being run (None before the first)."""

    # --- the session -------------------------------------------------------------

    def run(self) -> Outcome:
        """Run the whole session; returns how it ended (also recorded in the log)."""
        self.p.log.session_started(self.plan.routine.name, self.settings.for_log())
        try:
            outcome = self._run_all()
        except BaseException:
            # Ctrl-C, SIGTERM, a failed device: whatever happened, the session is saved.
            self._finish(Outcome.INTERRUPTED)
            raise
        self._finish(outcome)
        return outcome

    def _finish(self, outcome: Outcome) -> None:
        self.state = State.FINISHED
        self.p.display.show_status(f"Session {outcome.value}.")
        self.p.log.session_ended(outcome.value)

    def _run_all(self) -> Outcome:
        try:
            self._handle_pending()  # what came during the opening (a quit key, "pain")
            if self._severe(self._ask_pain("start"), before_moving=True):
                return self._rest_instead_of_moving()
            for line in self.plan.intro:
                self._say(line.text)
            for step in self.plan.steps:
                self._run_step(step)
            self._severe(self._ask_pain("end"), before_moving=False)
        except _SessionEnded as ended:
            return ended.outcome
        return Outcome.COMPLETED

    def _ask_pain(self, when: str) -> int | None:
        if not self.settings.ask_pain_scores or self.p.ask_pain_score is None:
            return None
        try:
            return self.p.ask_pain_score(when, self.p.listener)
        except UrgentHeard as urgent:
            self._handle(urgent.heard)  # "pain" while being asked is never swallowed
            return None

    def _severe(self, score: int | None, before_moving: bool) -> bool:
        """A severe score: said back, the red-flag check, and rest unless the person asks
        to move. True when the session should rest instead of moving."""
        if score is None or score < lines.SEVERE_PAIN_FROM or self.p.safety is None:
            return False
        self.p.log.event("severe_pain", score=score)
        self._say(lines.severe_pain(score), instruction=False)
        decision = self.p.safety.on_severe_pain(before_moving)
        if decision is AfterCheck.URGENT:
            raise _SessionEnded(Outcome.URGENT)
        if decision is AfterCheck.END:
            raise _SessionEnded(Outcome.STOPPED_FOR_PAIN)
        if decision is AfterCheck.RESUME:
            return False
        if not before_moving:
            self._say(lines.REST_INTERLUDE)
            self._say(lines.GETTING_UP_AFTER_REST)
        return True

    def _rest_instead_of_moving(self) -> Outcome:
        """Severe pain before moving: the rest position, a quiet rest, and how to get up."""
        self._say(lines.RESTING_INSTEAD, instruction=False)
        self._say(lines.REST_INTERLUDE)
        self._rest(self.settings.hold_seconds)
        self._say(lines.GETTING_UP_AFTER_REST)
        return Outcome.STOPPED_FOR_PAIN

    def _run_step(self, step: PlannedStep) -> None:
        self.step = step
        self.p.display.show_step(step.title, "")
        self.step_lines = []
        self.p.log.event("step_started", step=step.number, title=step.title)
        while True:
            try:
                for action in step.actions:
                    self._do(action, step)
            except _StepSkipped:
                self.p.log.event("step_finished", step=step.number, how="skipped")
                return
            except _StepAgain:
                self.p.log.event("step_again", step=step.number)
                continue
            break
        self.p.log.event("step_finished", step=step.number, how="done")

    def _do(self, action: Action, step: PlannedStep) -> None:
        if isinstance(action, Say):
            prompt = action.text == self._ready_prompt()
            if not prompt:
                self.step_lines.append(action.text)
            self._say(action.text, instruction=not prompt)
        elif isinstance(action, Cue):
            self._speak(lambda: self.p.speaker.cue(action.name))
        elif isinstance(action, WaitForNext):
            self._wait_for_next()
        elif isinstance(action, Hold):
            self._hold(action, step)
        elif isinstance(action, Rest):
            self._rest(action.seconds)

    # --- speaking ----------------------------------------------------------------

    def _say(self, text: str, instruction: bool = True, shown: bool = True) -> None:
        """Say a line, and show it: an instruction in large text, any other line of the
        coach's own (Carrying on, Rest is over) on the status line. Counts are not shown:
        the hold's bar is."""
        if instruction:
            self.last_instruction = text
            self.p.display.show_step(self._title(), text)
        elif shown:
            self.p.display.show_status(text)
        self._speak(lambda: self.p.speaker.say(text))

    def _title(self) -> str:
        return self.step.title if self.step is not None else self.plan.routine.title

    def _show_instruction_again(self) -> None:
        """After a check or a pause, the panel shows the exercise again, not the questions."""
        self.p.display.show_step(self._title(), self.last_instruction)

    def _speak(self, play: Callable[[], bool]) -> None:
        """Play a line; if "stop" or "pain" cut it off, deal with that, then say it again."""
        previous, self.state = self.state, State.SPEAKING
        try:
            while not play():
                if not self._handle_pending():
                    return  # cut off by something other than a command: carry on
        finally:
            self.state = previous

    def _handle_pending(self) -> bool:
        """Handle commands that arrived while speaking; True if one of them needs a re-say."""
        handled = False
        while (heard := self.p.listener.next_command(0.0)) is not None:
            self._handle(heard)
            handled = handled or heard.command in (Command.STOP, Command.PAIN, Command.PAUSE)
        return handled

    # --- waiting -----------------------------------------------------------------

    def _wait_for_next(self) -> None:
        self.state = State.WAITING
        self.p.display.show_status(self._keys_or_words("next"))
        waited = 0.0
        since_prompt = 0.0
        while waited < IDLE_LIMIT:
            started = self.p.clock.now()
            heard = self.p.listener.next_command(REPROMPT_EVERY - since_prompt)
            spent = self.p.clock.now() - started
            waited, since_prompt = waited + spent, since_prompt + spent
            if heard is None:
                self._say(self._ready_prompt(), instruction=False)
                since_prompt = 0.0
                continue
            waited = 0.0
            if self._handle(heard) is Command.NEXT:
                return
        self._say(lines.GONE_QUIET)
        raise _SessionEnded(Outcome.QUIT)

    def _ready_prompt(self) -> str:
        return lines.ready_prompt(self.listening)

    def _keys_or_words(self, word: str) -> str:
        key = key_for(Command.NEXT)
        return f'Say "{word}" or press {key}.' if self.listening else f"Press {key} to go on."

    def _wait_until(self, timer: Timer, elapsed_target: float) -> bool:
        """Wait until the timer reaches `elapsed_target`; True if "next" ended it early."""
        while (left := elapsed_target - timer.elapsed()) > 1e-4:
            heard = self.p.listener.next_command(min(left, DISPLAY_TICK))
            self.p.display.show_hold(timer.remaining(), timer.total)
            if heard is not None and self._handle(heard) is Command.NEXT:
                return True
        return False

    # --- holds and rests ---------------------------------------------------------

    def _drop_stale_next(self) -> None:
        """A "next" said before a hold began must not end it: act on all but those."""
        waiting: list[Heard] = []
        while (heard := self.p.listener.next_command(0.0)) is not None:
            waiting.append(heard)
        for heard in waiting:
            if not means_next(heard):
                self._handle(heard)

    def _hold(self, hold: Hold, step: PlannedStep) -> None:
        self._drop_stale_next()
        scale = self.settings.time_scale
        timer = Timer(self.p.clock, hold.seconds * scale)
        self._timer, self.state = timer, State.HOLDING
        # Logged as it begins, so a session killed mid-hold still shows the hold.
        self.p.log.event("hold_started", step=step.number, side=hold.side, planned_s=timer.total)
        ended_early = False
        try:
            for offset, text in hold.marks:
                if self._wait_until(timer, offset * scale):
                    ended_early = True
                    break
                if self._count_fits(timer, offset * scale, text):
                    self._say(text, instruction=False, shown=False)
            if not ended_early:
                ended_early = self._wait_until(timer, timer.total)
        finally:
            self._timer = None
        self.p.log.event(
            "hold",
            step=step.number,
            side=hold.side,
            planned_s=timer.total,
            actual_s=round(timer.elapsed(), 3),
            ended_early=ended_early,
        )
        self.state = State.SPEAKING

    def _count_fits(self, timer: Timer, due: float, text: str) -> bool:
        """Say a count only on time, and only if it ends before the hold does."""
        late = timer.elapsed() - due
        return late <= LATE_COUNT and (
            self.p.speaker.duration(text) + COUNT_MARGIN <= timer.remaining()
        )

    def _rest(self, seconds: int) -> None:
        timer = Timer(self.p.clock, seconds * self.settings.time_scale)
        self._timer, self.state = timer, State.RESTING
        try:
            self._wait_until(timer, timer.total)
        finally:
            self._timer = None
        self.state = State.SPEAKING

    # --- commands ----------------------------------------------------------------

    def _handle(self, heard: Heard) -> Command | None:
        """Act on one command. Returns NEXT when it should end the current wait."""
        self.p.log.event(
            "command", command=heard.command.value, source=heard.source, text=heard.text
        )
        command = heard.command
        if means_next(heard):
            return Command.NEXT
        if command in (Command.SKIP, Command.QUIT) and not self._confirmed(heard):
            return None
        if command is Command.SKIP:
            self._say(lines.SKIPPING, instruction=False)
            raise _StepSkipped()
        if command is Command.QUIT:
            self._say(lines.ENDING, instruction=False)
            raise _SessionEnded(Outcome.QUIT)
        if command in (Command.STOP, Command.PAIN):
            self._safety(heard)
        elif command is Command.PAUSE:
            self._paused()
        elif command is Command.REPEAT:
            self._repeat()
        elif command is Command.HOW_LONG:
            self._say(self._time_left(), instruction=False)
        elif command is Command.HELP:
            self._say(lines.help_line(self.listening), instruction=False)
        return None

    def _confirmed(self, heard: Heard) -> bool:
        """Keys act at once; a spoken "quit" or "skip" is asked about first (the hold's
        clock stops meanwhile). "stop" or "pain" said instead is acted on."""
        timer = self._timer
        if timer is not None:
            timer.pause()
        words = Wording(self.listening)
        voice = Voice(self.p.speaker, self.p.listener, self.p.display, "Check", words)
        try:
            return confirmed(voice, heard)
        except UrgentHeard as urgent:
            self._handle(urgent.heard)
            return False
        finally:
            if timer is not None:
                timer.resume()

    def _repeat(self) -> None:
        if self.state is State.WAITING and self.step_lines:
            for line in list(self.step_lines):
                self._say(line)
        elif self.last_instruction:
            self._say(self.last_instruction)

    def _time_left(self) -> str:
        if self._timer is None:
            return lines.no_timer(self.listening)
        seconds = round(self._timer.remaining() / self.settings.time_scale)
        return lines.time_left(seconds)

    def _paused(self) -> None:
        """Pause until "resume" (or "next"); the hold's clock stops meanwhile."""
        timer = self._timer
        if timer is not None:
            timer.pause()
        previous, self.state = self.state, State.PAUSED
        self.p.display.show_status("Paused.")
        self._say(lines.paused(self.listening), instruction=False)
        try:
            self._wait_for_resume()
        finally:
            self.state = previous
            if timer is not None:
                timer.resume()
        self.p.display.show_status("")

    def _wait_for_resume(self) -> None:
        waited = 0.0
        while waited < IDLE_LIMIT:
            started = self.p.clock.now()
            heard = self.p.listener.next_command(REPROMPT_EVERY)
            waited += self.p.clock.now() - started
            if heard is None:
                continue
            waited = 0.0
            if heard.command is Command.RESUME or means_next(heard):
                self.p.log.event(
                    "command", command=heard.command.value, source=heard.source, text=heard.text
                )
                self._say(lines.CARRYING_ON, instruction=False)
                return
            if heard.command is Command.PAUSE:
                continue
            self._handle(heard)
        self._say(lines.GONE_QUIET)
        raise _SessionEnded(Outcome.QUIT)

    def _safety(self, heard: Heard) -> None:
        """ "stop" or "pain": the coach is already silent; hand over to the one handler."""
        timer = self._timer
        if timer is not None:
            timer.pause()
        previous, self.state = self.state, State.SAFETY
        try:
            if self.p.safety is None:
                self._paused()
                return
            self._after_check(respond(self.p.safety, heard), heard.command)
        finally:
            self.state = previous
            if timer is not None:
                timer.resume()

    def _after_check(self, decision: AfterCheck, command: Command) -> None:
        self.p.log.event("after_check", decision=decision.value, after=command.value)
        if decision is AfterCheck.URGENT:
            raise _SessionEnded(Outcome.URGENT)
        if decision is AfterCheck.END:
            pain = command is Command.PAIN
            raise _SessionEnded(Outcome.STOPPED_FOR_PAIN if pain else Outcome.QUIT)
        if decision is AfterCheck.SKIP:
            raise _StepSkipped()
        if decision is AfterCheck.REST:
            self._rest_interlude()
            # Rest takes the place of an exercise, never of an instruction: how to lie
            # or how to get up safely (the log roll) is given again after the rest.
            step = self.step
            if step is not None and step.kind not in MOVEMENT_KINDS:
                raise _StepAgain()
            raise _StepSkipped()
        self._show_instruction_again()
        self._say(lines.CARRYING_ON, instruction=False)

    def _rest_interlude(self) -> None:
        self._say(lines.REST_INTERLUDE)
        self._rest(self.settings.hold_seconds)
        self._say(lines.REST_OVER, instruction=False)
