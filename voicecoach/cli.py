"""The command line: a thin layer that wires the library together.

Keep imports of heavy modules (audio, recogniser) inside the commands, so that
`voicecoach --help` starts fast.
"""

from __future__ import annotations

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


def main() -> None:
    app()
