"""Rendering speech to PCM: the pieces on their own, then real pyttsx3 + espeak-ng."""

from __future__ import annotations

import array
import io
import os
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import pytest

from voicecoach.audio import tts
from voicecoach.audio.audio_system import AudioUnavailable
from voicecoach.audio.tts import Renderer, VoiceSettings


def samples(pcm: bytes) -> array.array[int]:
    return array.array("h", pcm)


def rms(pcm: bytes) -> float:
    values = samples(pcm)
    return (sum(v * v for v in values) / max(1, len(values))) ** 0.5


# --- pieces, no speech engine needed -----------------------------------------------


def test_the_saved_notice_is_dropped_but_other_output_passes() -> None:
    target = io.StringIO()
    out = tts._DropSavedNotice(target)  # noqa: SLF001
    print("Audio saved to /tmp/x.wav", file=out)
    print("Hold for 30 seconds", file=out)
    assert target.getvalue() == "Hold for 30 seconds\n"


def test_a_half_written_wav_is_not_taken_for_a_whole_one(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        out.writeframes(bytes(22050))
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    assert tts._file_is_complete(str(path), -1)[0] is False  # noqa: SLF001
    path.write_bytes(whole)
    assert tts._file_is_complete(str(path), -1)[0] is True  # noqa: SLF001


def test_waiting_for_a_file_that_never_comes_times_out_plainly(tmp_path: Path) -> None:
    with pytest.raises(AudioUnavailable, match="did not finish"):
        tts._wait_for_file(str(tmp_path / "never.wav"), timeout=0.1)  # noqa: SLF001


def test_stereo_becomes_mono_and_volume_scales() -> None:
    stereo = array.array("h", [100, -5, 200, -5, 300, -5]).tobytes()
    assert samples(tts.to_mono16(stereo, 2, 2)).tolist() == [100, 200, 300]
    assert samples(tts.scale_volume(stereo, 0.5)).tolist() == [50, -2, 100, -2, 150, -2]
    assert tts.scale_volume(stereo, 1.0) == stereo


def test_leading_and_trailing_quiet_is_trimmed_to_a_short_pad() -> None:
    rate = 1000
    pcm = array.array("h", [0] * 500 + [5000] * 100 + [3] * 400).tobytes()
    trimmed = samples(tts.trim_silence(pcm, rate, keep=0.03))
    assert len(trimmed) == 30 + 100 + 30
    assert trimmed.count(5000) == 100


@pytest.mark.parametrize("bad", [{"volume": 1.5}, {"volume": -0.1}, {"rate": 5}, {"rate": 9000}])
def test_settings_outside_their_range_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        VoiceSettings(**bad)  # type: ignore[arg-type]


# --- real pyttsx3 + espeak-ng ------------------------------------------------------


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    try:
        return Renderer(VoiceSettings(rate=160))
    except AudioUnavailable as error:
        pytest.skip(f"no speech engine: {error}")


@pytest.mark.audio
def test_a_phrase_renders_to_audible_speech_of_plausible_length(renderer: Renderer) -> None:
    phrase = renderer.render("Lie on your back with your knees bent.")
    assert phrase.rate == 22050
    assert 1.0 < phrase.seconds < 4.0, "eight words at 160 words per minute"
    assert rms(phrase.pcm) > 1000, "speech, not silence"
    assert max(samples(phrase.pcm)) > 5000


@pytest.mark.audio
def test_espeak_is_told_each_phrases_own_size(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """espeak-ng copies as many bytes of a phrase as it is told the phrase has; told ten
    times its length (pyttsx3 2.99), it read past the phrase and now and then crashed the
    coach (a segfault in Synth). The phrase still renders whole."""
    from pyttsx3.drivers import _espeak

    sizes: list[tuple[bytes, int]] = []
    synth = _espeak.cSynth

    def spy(text: bytes, size: int, *rest: object) -> int:
        sizes.append((text, size))
        return int(synth(text, size, *rest))

    monkeypatch.setattr(_espeak, "cSynth", spy)
    phrase = renderer.render("Breathe out slowly, and let your back sink into the floor.")
    assert sizes and all(size == len(text) + 1 for text, size in sizes), sizes
    assert 1.5 < phrase.seconds < 6.0


@pytest.mark.audio
def test_a_phrase_is_rendered_once_then_served_from_memory(renderer: Renderer) -> None:
    before = len(renderer.render_seconds)
    first = renderer.render("Breathe out slowly.")
    again = renderer.render("Breathe out slowly.")
    assert again is first
    assert len(renderer.render_seconds) == before + 1
    assert renderer.is_cached("Breathe out slowly.")


@pytest.mark.audio
def test_prerender_warms_the_counting_words(renderer: Renderer) -> None:
    renderer.prerender(["1", "2", "release"])
    assert all(renderer.is_cached(t) for t in ["1", "2", "release"])


@pytest.mark.audio
def test_rate_and_volume_change_the_sound(renderer: Renderer) -> None:
    text = "Slowly bring one knee towards your chest."
    slow = Renderer(VoiceSettings(rate=100)).render(text)
    fast = Renderer(VoiceSettings(rate=300)).render(text)
    quiet = Renderer(VoiceSettings(rate=160, volume=0.25)).render(text)
    assert slow.seconds > 1.8 * fast.seconds
    assert rms(quiet.pcm) == pytest.approx(rms(renderer.render(text).pcm) * 0.25, rel=0.05)


@pytest.mark.audio
def test_voices_are_found_by_id_or_by_part_of_the_name(renderer: Renderer) -> None:
    assert tts.resolve_voice("en-us") == "gmw/en-us"
    assert tts.resolve_voice("english") == "gmw/en"
    with pytest.raises(ValueError, match="no voice matches 'no-such-voice'"):
        tts.resolve_voice("no-such-voice")


@pytest.mark.audio
def test_rendering_prints_nothing_on_stdout(
    renderer: Renderer, capfd: pytest.CaptureFixture[str]
) -> None:
    renderer.render("Nothing printed, please.")
    assert "Audio saved" not in capfd.readouterr().out


HIDE_ESPEAK = textwrap.dedent(
    """
    import ctypes
    _real = ctypes.cdll.LoadLibrary
    def _load(name, *args, **kwargs):
        if "espeak" in str(name):
            raise OSError(f"{name}: cannot open shared object file")
        return _real(name, *args, **kwargs)
    ctypes.cdll.LoadLibrary = _load
    """
)


def run_without_espeak(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run Python with the espeak-ng library made unloadable, as on a machine without it."""
    (tmp_path / "sitecustomize.py").write_text(HIDE_ESPEAK)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_without_espeak_the_error_says_how_to_install_it(tmp_path: Path) -> None:
    result = run_without_espeak(
        tmp_path,
        "-c",
        "from voicecoach.audio.speaker import open_speaker\n"
        "from voicecoach.audio.audio_system import AudioUnavailable\n"
        "try:\n    open_speaker()\nexcept AudioUnavailable as e:\n    print('ERR', e)\n",
    )
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    assert line.startswith("ERR ") and "sudo apt install espeak-ng" in line
    assert "\n" not in line


def test_say_without_espeak_prints_the_line_and_one_reason(tmp_path: Path) -> None:
    result = run_without_espeak(tmp_path, "-m", "voicecoach", "say", "Knees bent.")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Knees bent."
    reason = result.stderr.strip()
    assert reason.startswith("(not spoken:") and "espeak-ng" in reason
    assert "Traceback" not in reason and "\n" not in reason


@pytest.mark.audio
def test_a_blank_phrase_is_silence_not_an_error(renderer: Renderer) -> None:
    assert renderer.render("").seconds == 0.0
    assert renderer.render("   ").pcm == b""
