"""The command line: a thin layer that wires the library together.

Keep imports of heavy modules (audio, recogniser) inside the commands, so that
`voicecoach --help` starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from voicecoach.core.settings import CountStyle, SessionSettings, Side

if TYPE_CHECKING:
    from voicecoach.core.episode import EpisodeStore

app = typer.Typer(
    help="Hands-free, offline voice coach for back-spasm relief at home.\n\n"
    "Start with: voicecoach routine gentle",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


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
RateOption = Annotated[int | None, typer.Option(help="Speech rate, words per minute.")]
VolumeOption = Annotated[float, typer.Option(help="Volume, 0.0-1.0.", min=0.0, max=1.0)]
MicOption = Annotated[str | None, typer.Option(help="Microphone index or part of its name.")]
EngineOption = Annotated[
    str, typer.Option(help="Recogniser: pocketsphinx (built in), vosk or whisper (need --model).")
]
ModelOption = Annotated[str | None, typer.Option(help="Local model path for vosk or whisper.")]
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


@app.command()
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
    engine: EngineOption = "pocketsphinx",
    model: ModelOption = None,
    online: OnlineOption = False,
    echo_cancel: EchoCancelOption = True,
    listen: ListenOption = True,
    speak: SpeakOption = True,
    pain_scores: PainScoresOption = True,
    time_scale: TimeScaleOption = 1.0,
) -> None:
    """Run a routine out loud, counting holds and listening for commands.

    Example: voicecoach routine gentle --hold 45 --count 10
    """
    from voicecoach.commands.session import AudioOptions, UnknownRoutine, run_routine

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
        listen=listen,
        mic=mic,
        engine=engine,
        model=model,
        online=online,
        speak=speak,
        echo_cancel=echo_cancel,
    )
    try:
        code = run_routine(name, settings, options)
    except UnknownRoutine as error:
        raise fail(str(error)) from None
    raise typer.Exit(code)


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
            f"{item.name:<12} {len(item.steps):>2} steps, {length} of holds and rests  "
            f"{item.title}: {item.about} ({where})"
        )
    for error in catalogue.errors:
        typer.echo(f"skipped: {error}", err=True)
    typer.echo(f"Your own routines go in {user_routines_dir()}")


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
    from voicecoach.commands.session import UnknownRoutine, find_routine
    from voicecoach.core.plan import build_plan, script_lines

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
            shown = hist.plot_trend(sessions, plot)
        except (hist.PlotUnavailable, OSError) as error:
            raise fail(str(error), 1) from None
        typer.echo(f"Drew the pain scores of {shown} sessions to {plot}")
    elif not sessions:
        typer.echo("No sessions yet. Start one with: voicecoach routine gentle")
    else:
        from rich.console import Console

        console = Console()
        console.print(hist.session_table(sessions))
        typer.echo(hist.pain_trend(sessions))
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

    if not path.exists():
        typer.echo(f"Nothing to forget: there is no log at {path}")
        return
    running = hist.running_sessions(path)
    if running:
        raise fail(f"a coach is running a session now (process {running[0]}); finish it first", 1)
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
    engine: Annotated[
        str, typer.Option(help="pocketsphinx (default), vosk, whisper or google.")
    ] = "pocketsphinx",
    model: Annotated[
        str | None, typer.Option(help="Local model folder for vosk or whisper.")
    ] = None,
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


def main() -> None:
    app()


# --- care and safety commands (issue 4) -----------------------------------------------
# The command logic lives in voicecoach/commands/care_commands.py; the ports come from
# care_io.open_care_io (speech or captions, keys), the log from care_commands.open_care_log.


def _notice(message: str) -> None:
    typer.echo(message, err=True)


def _episode_store_or_none() -> EpisodeStore | None:
    """The episode storage (the session log's); None when this build has no session log."""
    from voicecoach.commands.care_commands import LogbookEpisodes

    try:
        return LogbookEpisodes()
    except ImportError:
        return None


def _episode_store() -> EpisodeStore:
    store = _episode_store_or_none()
    if store is None:
        raise fail("episode storage is not available (the session log is missing)")
    return store


@app.command()
def redflags(
    listen: ListenOption = True,
    speak: SpeakOption = True,
    time_scale: TimeScaleOption = 1.0,
) -> None:
    """The spoken red-flag check on its own, answered yes or no (keys: y and n).

    Any yes: says plainly to seek medical help immediately (exit code 3).

    Example: voicecoach redflags --no-listen
    """
    from voicecoach.commands import care_commands
    from voicecoach.commands.care_io import open_care_io
    from voicecoach.core.ports import AfterCheck

    with open_care_io(listen, speak, time_scale) as io, care_commands.open_care_log(_notice) as log:
        found = care_commands.redflags(io, log)
    if found is AfterCheck.URGENT:
        raise typer.Exit(3)


@app.command()
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

    Pause, resume, how long, quit, stop or pain at any time (keys: w c h q s p).

    Example: voicecoach therapy cold --minutes 15
    """
    from voicecoach.commands import care_commands
    from voicecoach.commands.care_io import open_care_io
    from voicecoach.core.therapy import TherapyError, plan_therapy

    try:
        plan_therapy(kind, minutes, time_scale)
    except TherapyError as error:
        raise fail(str(error)) from None
    store = _episode_store_or_none()
    with open_care_io(listen, speak, time_scale) as io, care_commands.open_care_log(_notice) as log:
        care_commands.therapy(io, log, kind, minutes, time_scale, store)


@app.command()
def care(
    speak: Annotated[bool, typer.Option("--speak", help="Also say it out loud.")] = False,
    disclaimer: Annotated[bool, typer.Option(help="Show the first-run notice instead.")] = False,
) -> None:
    """The home-care summary: rest positions, cold and heat, movement, water, medicine.

    Example: voicecoach care
    """
    from voicecoach.commands import care_commands
    from voicecoach.commands.care_io import open_care_io

    show = care_commands.disclaimer if disclaimer else care_commands.care
    if not speak:
        show(typer.echo, None)
        return
    with open_care_io(listen=False, speak=True) as io:
        show(typer.echo, io.speaker)


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
    from voicecoach.commands.care_io import open_care_io
    from voicecoach.core.remind import RemindError, plan_reminders

    try:
        plan_reminders(every, run_for, time_scale)
    except RemindError as error:
        raise fail(str(error)) from None
    try:
        with open_care_io(listen, speak, time_scale) as io:
            count = care_commands.remind(io, every, run_for, time_scale)
    except KeyboardInterrupt:
        typer.echo("Reminders stopped.")
        return
    typer.echo(f"Reminders ended ({count} given).")


episode_app = typer.Typer(help="When this spasm began: drives the cold/heat and 72-hour advice.")
app.add_typer(episode_app, name="episode")


@episode_app.command("start")
def episode_start(
    at: Annotated[
        str, typer.Option(help="When it began: now, '2h ago', 'yesterday 18:00', ISO time.")
    ] = "now",
) -> None:
    """Record when the spasm began.

    Example: voicecoach episode start --at "yesterday 18:00"
    """
    from voicecoach.commands import care_commands
    from voicecoach.core.episode import EpisodeError, local_now

    store = _episode_store()
    try:
        lines = care_commands.episode_start(store, at, local_now())
    except EpisodeError as error:
        raise fail(str(error)) from None
    for line in lines:
        typer.echo(line)


@episode_app.command("status")
def episode_status() -> None:
    """Hours since the spasm began, cold or heat advice, and the 72-hour rule.

    Example: voicecoach episode status
    """
    from voicecoach.commands import care_commands
    from voicecoach.core.episode import local_now

    store = _episode_store()
    for line in care_commands.episode_status_lines(store, local_now()):
        typer.echo(line)
