"""The command line: a thin layer that wires the library together.

Keep imports of heavy modules (audio, recogniser) inside the commands, so that
`voicecoach --help` starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Hands-free, offline voice coach for back-spasm relief at home.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def say(text: str) -> None:
    """Speak a line, to try voices and rates.

    Example: voicecoach say "Lie on your back with your knees bent."
    """
    typer.echo(text)


def _fail(message: str) -> typer.Exit:
    """Print a one-line error to stderr; raise the returned Exit to leave with code 1."""
    typer.echo(f"voicecoach: {message}", err=True)
    return typer.Exit(code=1)


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
    from voicecoach import history as hist
    from voicecoach.logbook import LogFileError, default_log_path

    if sum([as_json, as_csv, plot is not None, forget]) > 1:
        raise _fail("choose one of --json, --csv, --plot, --forget")
    path = default_log_path()
    if forget:
        _forget_history(path, ask=not yes)
        return
    try:
        sessions = hist.load_sessions(path)
    except LogFileError as error:
        raise _fail(str(error)) from None
    if as_json:
        typer.echo(hist.to_json(sessions))
    elif as_csv:
        typer.echo(hist.to_csv(sessions), nl=False)
    elif plot is not None:
        try:
            shown = hist.plot_trend(sessions, plot)
        except (hist.PlotUnavailable, OSError) as error:
            raise _fail(str(error)) from None
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
    from voicecoach.doctor import run_doctor

    raise typer.Exit(code=run_doctor(echo=typer.echo))


def _forget_history(path: Path, ask: bool) -> None:
    from voicecoach import history as hist

    if not path.exists():
        typer.echo(f"Nothing to forget: there is no log at {path}")
        return
    running = hist.running_sessions(path)
    if running:
        raise _fail(f"a coach is running a session now (process {running[0]}); finish it first")
    question = f"Delete {hist.describe_log(path)}? This cannot be undone."
    if ask and not typer.confirm(question, default=False):
        typer.echo("Nothing was deleted.")
        return
    try:
        hist.forget(path)
    except OSError as error:
        raise _fail(f"could not delete {path}: {error}") from None
    typer.echo(f"Deleted {path}")


def main() -> None:
    app()
