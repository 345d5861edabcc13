"""The command line: a thin layer that wires the library together.

Keep imports of heavy modules (audio, recogniser) inside the commands, so that
`voicecoach --help` starts fast.
"""

from __future__ import annotations

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
    from voicecoach.listening.hear_cli import run_hear

    raise typer.Exit(run_hear(files, json_lines, engine, model, online))


def main() -> None:
    app()
