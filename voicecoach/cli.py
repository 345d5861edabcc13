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
def say(
    text: str,
    voice: Annotated[
        str, typer.Option(help="Voice id or part of its name, e.g. 'en-us' or 'english'.")
    ] = "",
    rate: Annotated[
        int, typer.Option(min=40, max=500, help="Speaking rate in words per minute.")
    ] = 160,
    volume: Annotated[float, typer.Option(min=0.0, max=1.0, help="Loudness from 0 to 1.")] = 1.0,
) -> None:
    """Speak a line, to try voices and rates.

    Example: voicecoach say "Lie on your back with your knees bent." --voice en-us --rate 150
    """
    from voicecoach.audio_system import AudioUnavailable
    from voicecoach.speaker import SpeakerSettings, open_speaker
    from voicecoach.tts import VoiceSettings

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


@app.command()
def devices() -> None:
    """List the microphones and audio outputs this computer offers.

    Use the number or part of the name with --mic.

    Example: voicecoach devices
    """
    from voicecoach.audio_system import AudioUnavailable
    from voicecoach.devices import list_devices

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


def main() -> None:
    app()
