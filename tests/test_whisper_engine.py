"""The Whisper engine: its model joined from the PyPI data packages and checked by hash,
one-line errors when it is missing or damaged, and real decoding of espeak-ng words."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.listening_support import heard_in, needs_espeak
from voicecoach.commands.cli import app
from voicecoach.listening import whisper_model
from voicecoach.listening.engine import EngineUnavailable, make_engine
from voicecoach.listening.frames import noise, write_wav
from voicecoach.listening.whisper import WhisperEngine, phrase_of_transcript

installed = all(
    importlib.util.find_spec(name) is not None for name in ("faster_whisper", *whisper_model.PARTS)
)
needs_whisper = pytest.mark.skipif(
    not installed, reason="faster-whisper or the Whisper model packages are not installed"
)


@pytest.mark.parametrize(
    ("transcript", "phrase"),
    [("Stop.", "stop"), ("Stop, stop.", "stop"), ("4", "four"), ("It hurts!", "it hurts"),
     ("No, no, no.", "no"), ("Yes, please.", None), ("", None), ("stop it", None)],
)  # fmt: skip
def test_the_whole_transcript_must_be_one_command(transcript: str, phrase: str | None) -> None:
    decoded = phrase_of_transcript(transcript)
    assert (decoded.phrase.text if decoded.phrase else None) == phrase


@needs_whisper
def test_the_model_is_joined_once_into_the_cache_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(whisper_model.CACHE_ENV, str(tmp_path))
    folder = whisper_model.ready_model()
    assert folder == tmp_path / "whisper-base"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["model.bin", *whisper_model.SMALL_FILES]
    )  # no temporary file left behind
    written = (folder / "model.bin").stat().st_mtime_ns
    assert "SHA-256 ok" in WhisperEngine.check().detail
    assert (folder / "model.bin").stat().st_mtime_ns == written  # not joined again


@needs_whisper
def test_a_damaged_model_is_one_clear_line_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(whisper_model.CACHE_ENV, str(tmp_path))
    folder = tmp_path / "whisper-base"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"not a model")
    verdict = WhisperEngine.check()
    assert not verdict.ok and "damaged" in verdict.detail and verdict.fix
    with pytest.raises(EngineUnavailable, match="damaged"):
        make_engine("whisper")
    wav = write_wav(tmp_path / "quiet.wav", noise(0.5))
    result = CliRunner().invoke(app, ["hear", str(wav), "--engine", "whisper"])
    assert result.exit_code == 2
    assert "damaged" in result.output and len(result.output.strip().splitlines()) == 1


def test_missing_model_packages_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(whisper_model.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(whisper_model, "PARTS", ("voicecoach_no_such_part1", "no_such_part2"))
    with pytest.raises(whisper_model.ModelUnavailable, match="voicecoach_no_such_part1"):
        whisper_model.ready_model()
    assert not os.listdir(tmp_path)  # nothing half-written


@pytest.fixture(scope="module")
def whisper() -> WhisperEngine:
    return WhisperEngine.open(None)


@needs_whisper
@needs_espeak
@pytest.mark.parametrize("word", ["stop", "yes", "no", "next", "four"])
def test_whisper_hears_command_words(whisper: WhisperEngine, word: str) -> None:
    from tests.support import espeak

    assert heard_in(whisper, espeak.render(word)) == [word]  # type: ignore[arg-type]


@needs_whisper
@needs_espeak
def test_whisper_takes_no_command_from_an_ordinary_word(whisper: WhisperEngine) -> None:
    from tests.support import espeak

    assert heard_in(whisper, espeak.render("window")) == []  # type: ignore[arg-type]


@needs_whisper
@needs_espeak
def test_whisper_tells_how_likely_each_command_was_as_its_first_word(
    whisper: WhisperEngine,
) -> None:
    """Its second choice, for the word head to agree with: a clear "stop" is "stop" as
    the first word, however spelt, and an ordinary word makes no command likely."""
    from tests.support import espeak

    whisper.decode(espeak.render("stop"))
    assert whisper.last_doubt.first_words.get("stop", 0.0) >= 0.5
    whisper.decode(espeak.render("house"))
    assert max(whisper.last_doubt.first_words.values(), default=0.0) < 0.5
