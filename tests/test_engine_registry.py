"""The recogniser behind one interface: engines come from one registry, and everything
around an engine (CLI choices, doctor, the VAD, expected words, the self-hearing gate)
works for any engine, including one added as a new file plus one registry line."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.listening_support import needs_espeak
from tests.parrot_engine import PARROT_WORD
from voicecoach.commands import doctor
from voicecoach.commands.cli import app
from voicecoach.core.ports import DURING_ROUTINE, Command
from voicecoach.listening import engine as registry
from voicecoach.listening.frames import noise, split_frames, write_wav
from voicecoach.listening.recogniser import Recogniser, SelfHearingGate

INTERFACE = ("name", "about", "offline", "needs_model", "gives_scores", "open", "check", "decode")


@pytest.fixture
def parrot(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parrot registered with one line, as a new engine would be."""
    monkeypatch.setitem(registry.ENGINES, "parrot", "tests.parrot_engine:ParrotEngine")


def test_every_registered_engine_offers_the_whole_interface_under_its_own_name() -> None:
    for name in registry.ENGINES:
        cls = registry.engine_class(name)
        missing = [a for a in INTERFACE if not hasattr(cls, a)]
        assert not missing, f"{name} lacks {missing}"
        assert cls.name == name
        assert inspect.ismethod(cls.open) and inspect.ismethod(cls.check)
    assert registry.DEFAULT_ENGINE in registry.ENGINES
    assert registry.engine_class(registry.DEFAULT_ENGINE).offline


def test_both_engine_options_list_every_registered_engine_the_same_way() -> None:
    help_texts = [CliRunner().invoke(app, [c, "--help"]).output for c in ("routine", "hear")]
    for text in help_texts:
        flat = " ".join(text.replace("│", " ").split())
        for name in registry.ENGINES:
            assert name in flat
        assert f"Default {registry.DEFAULT_ENGINE}" in flat


def test_doctor_reports_the_default_engines_own_check(
    parrot: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "DEFAULT_ENGINE", "parrot")
    result = doctor.check_recogniser()
    assert not result.ok
    assert "only repeats one word" in result.detail and result.fix == "train a better parrot"


def test_the_default_engine_passes_doctor_here() -> None:
    assert doctor.check_recogniser().ok


@needs_espeak
def test_a_new_engine_hears_files_through_the_same_pipeline(
    parrot: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support import espeak

    monkeypatch.setenv(PARROT_WORD, "stop")
    wav = write_wav(tmp_path / "word.wav", espeak.render("hello"))
    quiet = write_wav(tmp_path / "quiet.wav", noise(1.0))
    result = CliRunner().invoke(app, ["hear", str(wav), str(quiet), "--engine", "parrot"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"{wav}: stop at ")  # the VAD found the word for it
    assert lines[1] == f"{quiet}: nothing recognised"  # nothing was handed to the engine


@needs_espeak
def test_expected_words_and_the_self_hearing_gate_apply_to_any_engine(parrot: None) -> None:
    from tests.support import espeak

    pcm = noise(0.5, seed=1) + espeak.render("hello") + noise(1.0, seed=2)
    engine = registry.make_engine("parrot")  # hears "yes"
    during_routine = Recogniser(engine, expected=lambda: DURING_ROUTINE)
    assert not list(during_routine.run(split_frames(pcm)))
    assert during_routine.recent[-1].outcome == "not expected now"
    question = Recogniser(engine, expected=lambda: frozenset({Command.YES}))
    assert [d.heard.command for d in question.run(split_frames(pcm))] == [Command.YES]
    coach_talking = SelfHearingGate(lambda: ("Lie on your back.", float("-inf")))
    gated = Recogniser(engine, gate=coach_talking, expected=lambda: frozenset({Command.YES}))
    assert not list(gated.run(split_frames(pcm)))
    assert gated.recent[-1].outcome == "coach speaking"
