"""The command line: a thin layer that wires the library together.

Keep imports of heavy modules (audio, recogniser) inside the commands, so that
`voicecoach --help` starts fast.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from voicecoach.core.controls import keys_line
from voicecoach.core.settings import CountStyle, SessionSettings, Side
from voicecoach.listening.engine import DEFAULT_ENGINE, engines_help

if TYPE_CHECKING:
    from voicecoach.commands.wiring import AudioOptions
    from voicecoach.core.episode import EpisodeStore

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    help="Hands-free, offline voice coach for back-spasm relief at home.\n\n"
    "Start with: voicecoach routine gentle",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings=HELP_OPTIONS,
)
WORDS_AND_KEYS = f"Words and keys (say the word, or press the key): {keys_line()}"
"""Under the help of every command that listens; from the one table (core/controls.py)."""


def _print_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"voicecoach {version('voicecoach')}")
        except PackageNotFoundError:  # run from a checkout that was never installed
            typer.echo("voicecoach (not installed)")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Hands-free, offline voice coach for back-spasm relief at home.

    Start with: voicecoach routine gentle
    """


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error and give the exit to raise."""
    typer.echo(f"voicecoach: {message}", err=True)
    return typer.Exit(code)


RoutineName = Annotated[str, typer.Argument(help="Which routine (see 'voicecoach routines').")]
HoldOption = Annotated[int, typer.Option(help="Seconds per hold, 30-60.", min=30, max=60)]
RepsOption = Annotated[int, typer.Option(help="Repetitions of each hold.", min=1, max=10)]
SideOption = Annotated[Side, typer.Option(help="Side for one-sided exercises.")]
CountOption = Annotated[
    CountStyle,
    typer.Option(help="Count holds every 1, 5 or 10 seconds (10: the last five counted down)."),
]
ListenOption = Annotated[
    bool,
    typer.Option("--listen/--no-listen", help="Listen for spoken commands, or keys only."),
]
SpeakOption = Annotated[
    bool, typer.Option("--speak/--captions-only", help="Speak out loud, or show captions only.")
]
PainScoresOption = Annotated[
    bool,
    typer.Option(
        "--pain-scores/--no-pain-scores", help="Ask for a 0-10 pain score, start and end."
    ),
]
TimeScaleOption = Annotated[
    float, typer.Option(help="Speed up holds and rests for demos and tests (0.05 = 20x faster).")
]
VoiceOption = Annotated[str | None, typer.Option(help="Voice id or part of its name.")]
RateOption = Annotated[
    int | None, typer.Option(help="Speech rate, words per minute (40-500).", min=40, max=500)
]
VolumeOption = Annotated[float, typer.Option(help="Volume, 0.0-1.0.", min=0.0, max=1.0)]
MicOption = Annotated[str | None, typer.Option(help="Microphone index or part of its name.")]
EngineOption = Annotated[str, typer.Option(help=engines_help())]
ModelOption = Annotated[
    str | None, typer.Option(help="Local model path, for an engine that takes one.")
]
OnlineOption = Annotated[
    bool, typer.Option(help="Allow an online recogniser: audio leaves this computer.")
]
EchoCancelOption = Annotated[
    bool,
    typer.Option(
        "--echo-cancel/--no-echo-cancel",
        help="Take the coach's own voice out of the microphone (off: for headphones).",
    ),
]
LevellingOption = Annotated[
    bool,
    typer.Option(
        "--levelling/--no-levelling",
        help="Level the microphone for a soft voice across the room (rumble out, gain up).",
    ),
]


@app.command(epilog=WORDS_AND_KEYS)
def routine(
    name: RoutineName = "gentle",
    hold: HoldOption = 30,
    reps: RepsOption = 1,
    side: SideOption = Side.BOTH,
    count: CountOption = CountStyle.EVERY_5,
    voice: VoiceOption = None,
    rate: RateOption = None,
    volume: VolumeOption = 1.0,
    mic: MicOption = None,
    engine: EngineOption = DEFAULT_ENGINE,
    model: ModelOption = None,
    online: OnlineOption = False,
    echo_cancel: EchoCancelOption = True,
    levelling: LevellingOption = True,
    listen: ListenOption = True,
    speak: SpeakOption = True,
    pain_scores: PainScoresOption = True,
    time_scale: TimeScaleOption = 1.0,
) -> None:
    """Run a routine out loud, counting holds and listening for commands.

    Example: voicecoach routine gentle --hold 45 --count 10
    """
    from voicecoach.commands.session import run_routine
    from voicecoach.commands.wiring import AudioOptions
    from voicecoach.core.routines import UnknownRoutine

    _check_voice(voice)
    _check_microphone(mic, listen)
    _check_engine(engine, model, online, listen)

    settings = _session_settings(
        hold, reps, side, count, time_scale=time_scale, ask_pain_scores=pain_scores
    )
    if online:
        typer.echo(
            "warning: --online sends what the microphone hears to an online service", err=True
        )
    options = AudioOptions(
        voice=voice,
        rate=rate,
        volume=volume,
        listen=_alone_or_asked(listen),
        mic=mic,
        engine=engine,
        model=model,
        online=online,
        speak=speak,
        echo_cancel=echo_cancel,
        levelling=levelling,
    )
    try:
        code = run_routine(name, settings, options)
    except UnknownRoutine as error:
        raise fail(str(error)) from None
    raise typer.Exit(code)


def _check_voice(voice: str | None) -> None:
    """An unknown --voice is an error before the session starts, not a silent fallback."""
    if not voice:
        return
    from voicecoach.audio.audio_system import AudioUnavailable
    from voicecoach.audio.tts import resolve_voice

    try:
        resolve_voice(voice)
    except AudioUnavailable:
        return  # no speech at all: the session says so and shows captions
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--voice") from None


def _check_engine(engine: str, model: str | None, online: bool, listen: bool) -> None:
    """An --engine that cannot run as asked is an error before the session starts, not a
    quiet fall back to keys: unknown, needing a --model that was not given or is not
    there, or online without --online."""
    if not listen:
        return
    from pathlib import Path

    from voicecoach.listening.engine import EngineUnavailable, engine_class

    try:
        found = engine_class(engine)
    except EngineUnavailable as error:
        raise typer.BadParameter(str(error), param_hint="--engine") from None
    if found.needs_model and model is None:
        raise typer.BadParameter(f"the {engine} engine needs --model PATH", param_hint="--engine")
    if model is not None and not Path(model).exists():
        raise typer.BadParameter(f"no model at {model}", param_hint="--model")
    if not found.offline and not online:
        raise typer.BadParameter(
            f"the {engine} engine is online: add --online to allow it", param_hint="--engine"
        )


def _check_microphone(mic: str | None, listen: bool) -> None:
    """A --mic that names no microphone is an error; no audio system at all is not (keys)."""
    if not mic or not listen:
        return
    from voicecoach.audio.audio_system import AudioUnavailable, open_pyaudio
    from voicecoach.audio.devices import find_device

    try:
        pa = open_pyaudio()
    except AudioUnavailable:
        return  # the session says once that it runs on keys
    try:
        find_device(pa, mic, "input")
    except AudioUnavailable as error:
        raise typer.BadParameter(str(error), param_hint="--mic") from None
    finally:
        pa.terminate()


def _alone_or_asked(listen: bool) -> bool:
    """Whether a coach starting now may listen: asks first when another coach is running,
    and exits (one line) when it must not start."""
    import sys

    from voicecoach.commands.another_coach import NotStarted, listen_beside_other_coaches

    def ask(question: str) -> bool:
        return typer.confirm(question, default=False)

    try:
        return listen_beside_other_coaches(listen, sys.stdin.isatty(), ask, typer.echo)
    except NotStarted as error:
        raise fail(str(error), 1) from None


def _session_settings(
    hold: int, reps: int, side: Side, count: CountStyle, **more: Any
) -> SessionSettings:
    """The settings `routine` and `show` share; a bad combination is a one-line error."""
    try:
        return SessionSettings(
            hold_seconds=hold, repetitions=reps, side=side, count_style=count, **more
        )
    except ValueError as error:
        raise fail(str(error)) from None


@app.command()
def routines() -> None:
    """List built-in and your own routines with their length.

    Example: voicecoach routines
    """
    from voicecoach.core.plan import build_plan, plan_seconds
    from voicecoach.core.routines import load_catalogue, user_routines_dir

    catalogue = load_catalogue()
    for item in catalogue.routines.values():
        seconds = plan_seconds(build_plan(item, SessionSettings()))
        where = "built-in" if item.builtin else item.source
        length = f"{seconds // 60}:{seconds % 60:02d}"
        typer.echo(
            f"{item.name:<12} {_steps(len(item.steps))}, {length} of holds and rests  "
            f"{item.title}: {item.about} ({where})"
        )
    for error in catalogue.errors:
        typer.echo(f"skipped: {error}", err=True)
    typer.echo(f"Your own routines go in {user_routines_dir()}")


def _steps(count: int) -> str:
    return f"{count:>2} step" + ("" if count == 1 else "s")


@app.command()
def show(
    name: RoutineName = "gentle",
    hold: HoldOption = 30,
    reps: RepsOption = 1,
    side: SideOption = Side.BOTH,
    count: CountOption = CountStyle.EVERY_5,
    listen: ListenOption = True,
) -> None:
    """Print the script of a routine: every line it will say, every hold.

    Example: voicecoach show gentle --hold 45
    """
    from voicecoach.commands.session import find_routine
    from voicecoach.core.plan import build_plan, script_lines
    from voicecoach.core.routines import UnknownRoutine

    try:
        found = find_routine(name)
    except UnknownRoutine as error:
        raise fail(str(error)) from None
    settings = _session_settings(hold, reps, side, count)
    for line in script_lines(build_plan(found, settings, listening=listen)):
        typer.echo(line)


@app.command()
def say(
    text: Annotated[str, typer.Argument(help="The line to speak.")] = "",
    voice: Annotated[
        str, typer.Option(help="Voice id or part of its name, e.g. 'en-us' or 'english'.")
    ] = "",
    rate: Annotated[
        int, typer.Option(min=40, max=500, help="Speaking rate in words per minute.")
    ] = 160,
    volume: Annotated[float, typer.Option(min=0.0, max=1.0, help="Loudness from 0 to 1.")] = 1.0,
    list_voices: Annotated[
        bool, typer.Option("--list-voices", help="List the installed voices and exit.")
    ] = False,
) -> None:
    """Speak a line, to try voices and rates.

    Example: voicecoach say "Lie on your back with your knees bent." --voice en-us --rate 150
    """
    from voicecoach.audio.audio_system import AudioUnavailable

    if list_voices:
        _print_voices()
        return
    if not text.strip():
        raise typer.BadParameter("give a line to speak", param_hint="TEXT")
    from voicecoach.audio.speaker import SpeakerSettings, open_speaker
    from voicecoach.audio.tts import VoiceSettings

    settings = SpeakerSettings(voice=VoiceSettings(voice=voice, rate=rate, volume=volume))
    typer.echo(text)
    try:
        speaker = open_speaker(settings)
    except AudioUnavailable as error:
        typer.echo(f"(not spoken: {error})", err=True)
        return
    except ValueError as error:  # a voice that is not installed
        raise typer.BadParameter(str(error), param_hint="--voice") from None
    try:
        speaker.say(text)
    finally:
        speaker.close()


def _print_voices() -> None:
    from voicecoach.audio.audio_system import AudioUnavailable
    from voicecoach.audio.tts import voice_ids

    try:
        voices = voice_ids()
    except AudioUnavailable as error:
        typer.echo(f"No voices: {error}")
        return
    for voice_id, name in voices:
        typer.echo(f"{voice_id:24} {name}")


@app.command()
def devices() -> None:
    """List the microphones and audio outputs this computer offers.

    Use the number or part of the name with --mic.

    Example: voicecoach devices
    """
    from voicecoach.audio.audio_system import AudioUnavailable
    from voicecoach.audio.devices import list_devices

    try:
        found = list_devices()
    except AudioUnavailable as error:
        typer.echo(f"No audio devices: {error}")
        return
    for title, group in (("Microphones", found.inputs), ("Outputs", found.outputs)):
        typer.echo(f"{title}:")
        if not group:
            typer.echo("  none found")
        for device in group:
            mark = " (default)" if device.is_default else ""
            typer.echo(
                f"  {device.index}: {device.name}{mark}, {device.channels} ch, "
                f"{device.default_rate:.0f} Hz"
            )


@app.command()
def history(
    as_json: Annotated[
        bool, typer.Option("--json", help="Every session with its events, as JSON.")
    ] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="One row per session, as CSV.")] = False,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", metavar="FILE.png", help="Draw the pain trend to an image."),
    ] = None,
    forget: Annotated[
        bool, typer.Option("--forget", help="Delete all sessions and episodes, after asking.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="With --forget: do not ask.")] = False,
    demos: Annotated[
        bool, typer.Option("--demos", help="Count --time-scale demo runs in the pain trend.")
    ] = False,
) -> None:
    """Past sessions: what was done, how the pain moved, red flags answered.

    The log is one file in your data folder (on Linux ~/.local/share/voicecoach;
    VOICECOACH_DATA_DIR moves it). Nothing is sent anywhere.

    Example: voicecoach history --csv > sessions.csv
    """
    from voicecoach.commands import history as hist
    from voicecoach.logbook import LogFileError, default_log_path

    if sum([as_json, as_csv, plot is not None, forget]) > 1:
        raise fail("choose one of --json, --csv, --plot, --forget")
    path = default_log_path()
    if forget:
        _forget_history(path, ask=not yes)
        return
    try:
        sessions = hist.load_sessions(path)
    except LogFileError as error:
        raise fail(str(error), 1) from None
    if as_json:
        typer.echo(hist.to_json(sessions))
    elif as_csv:
        typer.echo(hist.to_csv(sessions), nl=False)
    elif plot is not None:
        try:
            shown = hist.plot_trend(sessions, plot, with_demos=demos)
        except (hist.PlotUnavailable, OSError) as error:
            raise fail(str(error), 1) from None
        typer.echo(f"Drew the pain scores of {shown} sessions to {plot}")
    elif not sessions:
        typer.echo("No sessions yet. Start one with: voicecoach routine gentle")
    else:
        from rich.console import Console

        # Piped into a file, nothing is folded: one line per session.
        console = Console() if sys.stdout.isatty() else Console(width=200)
        console.print(hist.session_table(sessions))
        typer.echo(hist.pain_trend(sessions, with_demos=demos))
        typer.echo(f"The log is kept at {path}; delete it with: voicecoach history --forget")


@app.command()
def doctor() -> None:
    """Check speech, speaker, microphone, recogniser and the log; say how to fix problems.

    Exits non-zero when something essential (speech or the log) is missing.

    Example: voicecoach doctor
    """
    from voicecoach.commands.doctor import run_doctor

    raise typer.Exit(code=run_doctor(echo=typer.echo))


def _forget_history(path: Path, ask: bool) -> None:
    from voicecoach.commands import history as hist
    from voicecoach.logbook import running_sessions

    if not path.exists():
        typer.echo(f"Nothing to forget: there is no log at {path}")
        return
    running = running_sessions(path)
    if running:
        raise fail(
            f"a coach is running a session now ({running[0].describe()}); finish it first", 1
        )
    question = f"Delete {hist.describe_log(path)}? This cannot be undone."
    if ask and not typer.confirm(question, default=False):
        typer.echo("Nothing was deleted.")
        return
    try:
        hist.forget(path)
    except OSError as error:
        raise fail(f"could not delete {path}: {error}", 1) from None
    typer.echo(f"Deleted {path}")


@app.command()
def hear(
    files: Annotated[list[str], typer.Argument(help="WAV files to listen to.")],
    json_lines: Annotated[
        bool, typer.Option("--json", help="One JSON object per command heard (or per file).")
    ] = False,
    engine: EngineOption = DEFAULT_ENGINE,
    model: ModelOption = None,
    online: Annotated[
        bool, typer.Option(help="Allow an online engine (your audio leaves the machine).")
    ] = False,
) -> None:
    """Run the live command recogniser on WAV files instead of a microphone.

    Example: voicecoach hear stop.wav next.wav --json
    """
    from voicecoach.commands.hear_cli import run_hear

    raise typer.Exit(run_hear(files, json_lines, engine, model, online))


EnrolWordOption = Annotated[
    list[str] | None,
    typer.Option("--word", metavar="WORD", help="Record only this word (repeatable)."),
]


@app.command()
def enrol(
    word: EnrolWordOption = None,
    forget: Annotated[
        bool, typer.Option("--forget", help="Delete your recorded words; stop using them.")
    ] = False,
    mic: MicOption = None,
    speak: SpeakOption = True,
) -> None:
    """Teach the coach your voice: say each command word three times, lying down.

    The takes are checked (too quiet, too loud, too long) and kept as WAV files in the
    data folder ($VOICECOACH_DATA_DIR moves it). Nothing is sent anywhere.
    Keys: k skips a word, q finishes.

    Example: voicecoach enrol --word stop --word pain
    """
    from voicecoach.commands import enrol as enrolling

    if forget:
        typer.echo(enrolling.forget())
        return
    try:
        words = enrolling.parse_words(word)
    except ValueError as error:
        raise fail(str(error)) from None
    raise typer.Exit(enrolling.run_enrol(words, mic, speak))


def _ctrl_c_always_ends() -> None:
    """Ctrl-C, SIGTERM and SIGHUP reach the coach however it was started: a process
    started with SIGINT ignored (a background job of a script) or with signals blocked
    (inherited from a parent's thread) would otherwise count on through Ctrl-C (seen in
    the test suite, now and then, under load)."""
    ending = {signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)}
    if hasattr(signal, "pthread_sigmask"):  # not on Windows
        signal.pthread_sigmask(signal.SIG_UNBLOCK, ending)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def main() -> None:
    """The `voicecoach` command. A mistake on the command line is one line that names the
    command and where its help is, as every other error here; not Click's usage block."""
    _ctrl_c_always_ends()
    command = typer.main.get_command(app)
    try:
        code = command.main(prog_name="voicecoach", standalone_mode=False)
    except typer.Abort:  # Ctrl-C or end of input at a prompt
        print("voicecoach: stopped.", file=sys.stderr)
        raise SystemExit(130) from None
    except typer.TyperException as error:  # Click's errors: unknown option, bad value...
        print(command_line_error(error), file=sys.stderr)
        raise SystemExit(getattr(error, "exit_code", 2)) from None
    raise SystemExit(code if isinstance(code, int) else 0)


def command_line_error(error: typer.TyperException) -> str:
    """One line: 'voicecoach routine: no such option: --bogus (voicecoach routine -h)'."""
    context = getattr(error, "ctx", None)
    where = context.command_path if context is not None else "voicecoach"
    format_message = getattr(error, "format_message", None)
    message = format_message() if format_message is not None else str(error)
    message = " ".join(message.replace("Value error, ", "").split()).rstrip(".")
    return f"{where}: {message[:1].lower()}{message[1:]} (help: {where} -h)"


# --- care and safety commands (issue 4) -----------------------------------------------
# The command logic lives in voicecoach/commands/care_commands.py; speech or captions,
# keys, voice and the log come from wiring.open_coach, as for a routine.


def _care_options(listen: bool, speak: bool) -> AudioOptions:
    from voicecoach.commands.wiring import AudioOptions

    return AudioOptions(listen=listen, speak=speak)


def _episode_store() -> EpisodeStore:
    """The episode storage: the session log's."""
    from voicecoach.commands.care_commands import LogbookEpisodes

    return LogbookEpisodes()


@app.command(epilog=WORDS_AND_KEYS)
def redflags(
    listen: ListenOption = True,
    speak: SpeakOption = True,
    time_scale: TimeScaleOption = 1.0,
) -> None:
    """The spoken red-flag check on its own, answered yes or no, by voice or key.

    Any yes: says plainly to seek medical help immediately (exit code 3).

    Example: voicecoach redflags --no-listen
    """
    from voicecoach.commands import care_commands
    from voicecoach.commands.wiring import open_coach
    from voicecoach.core.ports import AfterCheck

    with open_coach(_care_options(listen, speak), time_scale) as coach:
        found = care_commands.redflags(coach)
    if found is AfterCheck.URGENT:
        raise typer.Exit(3)


@app.command(epilog=WORDS_AND_KEYS)
def therapy(
    kind: Annotated[str, typer.Argument(help="cold or heat")],
    minutes: Annotated[
        float | None,
        typer.Option(help="Length; cold: 20 at most (15 if not given); heat: required."),
    ] = None,
    listen: ListenOption = True,
    speak: SpeakOption = True,
    time_scale: TimeScaleOption = 1.0,
) -> None:
    """A spoken timer for one cold or heat application: halfway and end words.

    Pause, resume, how long, quit, stop or pain at any time, by voice or key.

    Example: voicecoach therapy cold --minutes 15
    """
    from voicecoach.commands import care_commands
    from voicecoach.commands.wiring import open_coach
    from voicecoach.core.therapy import TherapyError, plan_therapy

    kind = kind.strip().lower()
    try:
        plan_therapy(kind, minutes, time_scale)
    except TherapyError as error:
        raise fail(str(error)) from None
    listen = _alone_or_asked(listen)
    store = _episode_store()
    with open_coach(_care_options(listen, speak), time_scale) as coach:
        care_commands.therapy(coach, kind, minutes, time_scale, store)


@app.command()
def care(
    speak: Annotated[bool, typer.Option("--speak", help="Also say it out loud.")] = False,
    disclaimer: Annotated[bool, typer.Option(help="Show the first-run notice instead.")] = False,
) -> None:
    """The home-care summary: rest positions, cold and heat, movement, water, medicine.

    Example: voicecoach care
    """
    from voicecoach.commands import care_commands
    from voicecoach.commands.wiring import open_coach

    show = care_commands.disclaimer if disclaimer else care_commands.care
    if not speak:
        show(typer.echo, None)
        return
    with open_coach(_care_options(listen=False, speak=True)) as coach:
        show(typer.echo, coach)


@app.command()
def remind(
    every: Annotated[str, typer.Option(help="How often: 30m, 1h, or minutes (45).")],
    run_for: Annotated[str, typer.Option("--for", help="Stop reminding after this long.")] = "8h",
    listen: ListenOption = True,
    speak: SpeakOption = True,
    time_scale: TimeScaleOption = 1.0,
) -> None:
    """Say now and then to avoid long sitting or standing. Ctrl-C or quit (q) ends it.

    Example: voicecoach remind --every 30m
    """
    from voicecoach.commands import care_commands
    from voicecoach.commands.wiring import open_coach
    from voicecoach.core.remind import RemindError, plan_reminders

    try:
        plan_reminders(every, run_for, time_scale)
    except RemindError as error:
        raise fail(str(error)) from None
    try:
        with open_coach(_care_options(listen, speak), time_scale) as coach:
            store = care_commands.LogbookEpisodes() if coach.stored else None
            count = care_commands.remind(coach, every, run_for, time_scale, store)
    except KeyboardInterrupt:
        typer.echo("Reminders stopped.")
        return
    typer.echo(f"Reminders ended ({count} given).")


episode_app = typer.Typer(
    help="When this spasm began: drives the cold/heat and 72-hour advice.",
    context_settings=HELP_OPTIONS,
)
app.add_typer(episode_app, name="episode")


@episode_app.command("start")
def episode_start(
    at: Annotated[
        str, typer.Option(help="When it began: now, '2h ago', 'yesterday 18:00', ISO time.")
    ] = "now",
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace the episode already recorded without asking.")
    ] = False,
) -> None:
    """Record when the spasm began (it replaces the current episode, after asking).

    Example: voicecoach episode start --at "yesterday 18:00"
    """
    from voicecoach.commands import care_commands
    from voicecoach.core.episode import EpisodeError, local_now, parse_when
    from voicecoach.logbook import LogFileError

    store = _episode_store()
    try:
        parse_when(at, local_now())  # a bad time is refused before anything is asked
        _replace_asked(store, yes)
        lines = care_commands.episode_start(store, at, local_now())
    except EpisodeError as error:
        raise fail(str(error)) from None
    except LogFileError as error:
        raise fail(str(error), 1) from None
    for line in lines:
        typer.echo(line)


def _replace_asked(store: EpisodeStore, yes: bool) -> None:
    """One episode at a time: a second `episode start` replaces the first, after asking."""
    started = store.current_episode()
    if started is None or yes:
        return
    since = started.astimezone().strftime("%Y-%m-%d %H:%M")
    if not sys.stdin.isatty():
        raise fail(
            f"an episode is already recorded (began {since}); replace it with "
            "'voicecoach episode start --yes', or end it with 'voicecoach episode end'",
            1,
        )
    if not typer.confirm(f"An episode began {since}. Replace it?", default=False):
        typer.echo("Kept the episode that began " + since + ".")
        raise typer.Exit(0)


@episode_app.command("end")
def episode_end() -> None:
    """The spasm is over: end the current episode (its cold/heat and 72-hour advice stop).

    Example: voicecoach episode end
    """
    from voicecoach.logbook import LogFileError

    store = _episode_store()
    try:
        started = store.current_episode()
        ended = store.end_episode()
    except LogFileError as error:
        raise fail(str(error), 1) from None
    if not ended or started is None:
        typer.echo("No episode is recorded; nothing to end.")
        return
    typer.echo(f"Ended the episode that began {started.astimezone().strftime('%Y-%m-%d %H:%M')}.")


@episode_app.command("status")
def episode_status() -> None:
    """Hours since the spasm began, cold or heat advice, and the 72-hour rule.

    Example: voicecoach episode status
    """
    from voicecoach.commands import care_commands
    from voicecoach.core.episode import local_now
    from voicecoach.logbook import LogFileError

    store = _episode_store()
    try:
        lines = care_commands.episode_status_lines(store, local_now())
    except LogFileError as error:
        raise fail(str(error), 1) from None
    for line in lines:
        typer.echo(line)
