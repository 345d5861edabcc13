"""Printing for `voicecoach hear` (kept out of cli.py so the CLI stays thin)."""

from __future__ import annotations

import json

import typer

from voicecoach.listening.engine import EngineUnavailable, make_engine
from voicecoach.listening.hear import AudioFileError, HeardInFile, hear_file


def run_hear(
    files: list[str], json_lines: bool, engine: str, model: str | None, online: bool
) -> int:
    """Print what was heard in each file; returns the exit code (1 if any file failed)."""
    try:
        recogniser_engine = make_engine(engine, model, online)
    except EngineUnavailable as error:
        typer.echo(f"error: {error}", err=True)
        return 2
    failed = False
    for path in files:
        try:
            for result in hear_file(path, recogniser_engine):
                typer.echo(_line(result, json_lines))
        except AudioFileError as error:
            failed = True
            typer.echo(f"error: {error}", err=True)
    return 1 if failed else 0


def _line(result: HeardInFile, json_lines: bool) -> str:
    if json_lines:
        return json.dumps(result.as_dict())
    if result.command is None:
        return f"{result.file}: nothing recognised"
    what = result.command if result.score is None else f"{result.command} {result.score}"
    return f"{result.file}: {what} at {result.at:.2f} s"
