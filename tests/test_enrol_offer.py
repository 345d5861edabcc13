"""The offer to learn the user's voice, at the end of the first real routine: asked once,
its answer remembered ('later' is not asked again), never after stop or pain, and "pain"
during it is answered with the check as anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.care_support import CareRig
from voicecoach.commands import enrol_offer
from voicecoach.commands.enrol_offer import OFFER_MARKER_NAME, offer_enrolment
from voicecoach.core import lines
from voicecoach.core.ports import Command, Outcome
from voicecoach.core.redflags import URGENT_FLAGS
from voicecoach.listening.enrolled import save_takes, voice_folder


@pytest.fixture(autouse=True)
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(enrol_offer, "matcher_installed", lambda: True)
    return tmp_path


def offered(rig: CareRig) -> int:
    return sum(lines.ENROL_OFFER in text for text in rig.speaker.texts())


def test_said_nothing_to_it_the_offer_is_remembered_and_not_made_again(data_folder: Path):
    rig = CareRig()
    assert offer_enrolment(rig.coach(), Outcome.COMPLETED) is False
    assert offered(rig) == 1
    assert rig.speaker.texts()[-1] == lines.ENROL_LATER  # says how to do it another time
    assert (data_folder / OFFER_MARKER_NAME).read_text().strip() == "later"
    assert offer_enrolment(rig.coach(), Outcome.COMPLETED) is False
    assert offered(rig) == 1  # the next session: not asked again


def test_no_is_later_and_yes_starts_the_enrolment_once(data_folder: Path):
    rig = CareRig()
    rig.answer("learn your voice", Command.NO)
    assert offer_enrolment(rig.coach(), Outcome.QUIT) is False
    assert lines.ENROL_LATER in rig.speaker.texts()
    (data_folder / OFFER_MARKER_NAME).unlink()
    rig = CareRig()
    rig.answer("learn your voice", Command.YES)
    assert offer_enrolment(rig.coach(), Outcome.COMPLETED) is True
    assert lines.ENROL_LATER not in rig.speaker.texts()
    assert offer_enrolment(rig.coach(), Outcome.COMPLETED) is False


@pytest.mark.parametrize("outcome", [Outcome.STOPPED_FOR_PAIN, Outcome.URGENT, Outcome.INTERRUPTED])
def test_never_offered_after_stop_pain_or_a_red_flag(outcome: Outcome):
    rig = CareRig()
    assert offer_enrolment(rig.coach(), outcome) is False
    assert offered(rig) == 0


def test_not_offered_on_keys_only_in_a_demo_or_to_a_voice_already_enrolled():
    rig = CareRig()
    assert offer_enrolment(rig.coach(listening=False), Outcome.COMPLETED) is False
    assert offer_enrolment(rig.coach(), Outcome.COMPLETED, time_scale=0.05) is False
    save_takes(voice_folder(), {"stop": [b"\x01\x00" * 8000] * 3})
    assert offer_enrolment(rig.coach(), Outcome.COMPLETED) is False
    assert offered(rig) == 0


def test_pain_during_the_offer_reads_the_red_flags_and_it_is_asked_another_time(
    data_folder: Path,
):
    rig = CareRig()
    rig.answer("learn your voice", Command.PAIN)
    rig.answer_all_flags_no()
    rig.answer("how bad is the pain", Command.SKIP)
    assert offer_enrolment(rig.coach(), Outcome.COMPLETED) is False
    said = rig.said()
    assert URGENT_FLAGS[0].question in said
    assert lines.ENROL_LATER not in said
    assert not (data_folder / OFFER_MARKER_NAME).exists()
