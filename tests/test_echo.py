"""The coach's own voice, heard back through the microphone, is taken out (WebRTC's echo
canceller, real, on espeak-ng speech), so a word said over the coach stands on its own."""

from __future__ import annotations

import pytest

from tests.echo_support import LEAD, SENTENCE, cancelled, for_both_ears, room
from tests.listening_support import needs_espeak
from tests.support import espeak
from voicecoach.core.inbox import Inbox
from voicecoach.listening.frames import SAMPLE_RATE, Frame, noise, split_frames
from voicecoach.listening.listener import VoiceListener
from voicecoach.listening.recogniser import Recogniser, Report
from voicecoach.listening.sphinx import SphinxEngine
from voicecoach.listening.vad import level_dbfs

ENGINE = SphinxEngine()


def listen(coach: bytes, mic: bytes, cancel: bool) -> list[Report]:
    """What the listener makes of the microphone (each sound it found)."""
    reports: list[Report] = []
    recogniser = Recogniser(ENGINE, on_report=reports.append)
    for frame in cancelled(coach, mic) if cancel else split_frames(mic):
        recogniser.feed(frame)
    return reports


@pytest.fixture(scope="module")
def coach() -> bytes:
    if not espeak.available():
        pytest.skip("espeak-ng is not installed")
    return espeak.render(SENTENCE, espeak.Voice("en-us", 175, 50))


@needs_espeak
def test_the_coachs_echo_alone_is_taken_out(coach: bytes) -> None:
    mic = room(coach, b"", 0.0, echo_db=0.0)
    without = listen(coach, mic, cancel=False)
    assert [r.outcome for r in without] == ["longer than any command"]  # the rig is real
    assert listen(coach, mic, cancel=True) == []
    cleaned = b"".join(frame.pcm for frame in cancelled(coach, mic))
    settled = int((LEAD + 1.0) * SAMPLE_RATE) * 2  # a second to find the echo
    ended = len(noise(LEAD) + coach)
    assert level_dbfs(cleaned[settled:ended]) < level_dbfs(mic[settled:ended]) - 30.0


@needs_espeak
@pytest.mark.parametrize("word", ["stop", "pain", "next"])
def test_a_word_said_over_the_coach_stands_on_its_own(coach: bytes, word: str) -> None:
    """Over the coach's voice 6 dB under it, the word is found as a sound of its own,
    where it was said; without the canceller, word and sentence are one long sound."""
    word_at = 3.0
    said = espeak.render(word, espeak.Voice("en-gb", 150, 40))
    mic = room(coach, said, word_at, echo_db=-6.0)
    without = listen(coach, mic, cancel=False)
    assert [r.outcome for r in without] == ["longer than any command"]
    sounds = listen(coach, mic, cancel=True)
    assert len(sounds) == 1, sounds
    assert abs(sounds[0].speech_start - word_at) < 0.25
    assert sounds[0].speech_end - sounds[0].speech_start < 1.0


def both_ears(coach: bytes, mic: bytes) -> list[str]:
    """The commands the live listener takes, given the microphone's frames and the same
    with the echo cancelled, as the session gives them."""
    listener = VoiceListener(Inbox(), ENGINE)
    for frame, cleaned in for_both_ears(coach, mic):
        listener.feed(frame, cleaned)
    return [detection.heard.text for detection in listener.detections]


@needs_espeak
def test_with_no_echo_at_all_a_word_said_over_the_coach_is_still_heard(coach: bytes) -> None:
    """Headphones: the canceller never finds an echo and mutes a word said while the
    coach talks, so the listener also hears the microphone as it is."""
    mic = room(coach, espeak.render("stop"), LEAD + 1.5, echo_db=-100.0)
    cancelled_only = [r.text for r in listen(coach, mic, cancel=True) if r.outcome == "heard"]
    assert "stop" not in cancelled_only  # why the second ear is there
    assert both_ears(coach, mic) == ["stop"]


@needs_espeak
@pytest.mark.parametrize("echo_db", [-40.0, -30.0, -6.0])
def test_a_word_said_over_the_coach_is_taken_once(coach: bytes, echo_db: float) -> None:
    mic = room(coach, espeak.render("pain"), LEAD + 7.0, echo_db)
    assert both_ears(coach, mic) == ["pain"]


@needs_espeak
def test_the_echo_cancelled_audio_is_handed_on_only_once_the_echo_is_learnt(
    coach: bytes,
) -> None:
    """Only while the coach talks, and once the canceller takes its echo out: never with
    no echo (headphones), where it would only mangle words."""
    coach_ends = LEAD + len(coach) / 2 / SAMPLE_RATE
    for echo_db, learns in ((-100.0, False), (-6.0, True)):
        given = for_both_ears(coach, room(coach, b"", 0.0, echo_db, tail=3.0), tail=3.0)
        with_cleaned = cleaned_times(given)
        assert bool(with_cleaned) is learns, echo_db
        if learns:
            assert LEAD + 0.9 < with_cleaned[0] < LEAD + 3.0  # about a second to learn
            assert with_cleaned[-1] < coach_ends + 2.0  # and none once the coach is quiet


def cleaned_times(given: list[tuple[Frame, bytes | None]]) -> list[float]:
    """When the listener was given echo-cancelled audio."""
    return [frame.time for frame, cleaned in given if cleaned is not None]


@needs_espeak
def test_the_echo_cancelled_audio_goes_on_through_a_word_said_as_a_short_count_ends(
    coach: bytes,
) -> None:
    """Counting every five seconds, a count ("ten") lasts a fifth of a second: a word said
    as it begins runs on past its end, and the echo-cancelled ear needs the whole of it
    and the quiet after it (cut off mid-word, that ear starts over and loses the word:
    live, "pain" said as a count began was lost so 4 times of 8)."""
    count = espeak.render("ten", espeak.Voice("en-us", 175, 50))
    played = coach + noise(4.0) + count
    given = for_both_ears(played, room(played, b"", 0.0, -6.0, tail=3.0), tail=3.0)
    count_ends = LEAD + len(played) / 2 / SAMPLE_RATE
    after_the_count = [t for t in cleaned_times(given) if t > count_ends - 0.5]
    assert after_the_count and after_the_count[-1] > count_ends + 1.0
    assert after_the_count[-1] < count_ends + 2.0  # and not for ever


def test_a_canceller_that_fails_mid_session_leaves_the_voice_and_the_first_ear_going() -> None:
    """The player's writes and the microphone's frames go on; the failure is said once."""
    from voicecoach.audio.echo import EchoCanceller
    from voicecoach.listening.frames import Frame

    class Broken:
        def process_stream(self, frame: object) -> None:
            raise RuntimeError("apm handle is gone")

        process_reverse_stream = process_stream

        def set_stream_delay_ms(self, delay: int) -> None:
            pass

    told: list[str] = []
    canceller = EchoCanceller(on_failed=told.append)
    canceller._apm = Broken()
    given: list[bytes | None] = []
    on_frame = canceller.alongside(lambda frame, cleaned: given.append(cleaned))
    canceller.played(noise(0.1), SAMPLE_RATE)  # does not raise into the player
    frame = Frame(noise(0.03), 1.0)
    on_frame(frame)
    on_frame(frame)
    assert given == [None, None]
    assert len(told) == 1 and "apm handle is gone" in told[0]


class _CoachVoice:
    """A ports.SpeakerTrace: what start_listening is given of the coach's speaker."""

    def __init__(self) -> None:
        self.block_hook: object = None

    def now_playing(self) -> None:
        return None

    def last_played(self) -> None:
        return None

    def on_block(self, hook: object) -> None:
        self.block_hook = hook


@pytest.mark.parametrize("microphone_opens", [True, False])
def test_the_session_feeds_the_canceller_only_while_there_is_a_microphone(
    monkeypatch: pytest.MonkeyPatch, microphone_opens: bool
) -> None:
    import voicecoach.audio.microphone as microphone
    import voicecoach.listening.engine as engines
    from voicecoach.audio.audio_system import AudioUnavailable
    from voicecoach.commands.wiring import AudioOptions, start_listening

    handed: list[object] = []

    class FakeMicrophone:
        def __init__(self, settings: object, on_frame: object, on_lost: object) -> None:
            if not microphone_opens:
                raise AudioUnavailable("no input device")
            handed.append(on_frame)

        def start(self) -> None:
            pass

        def stop(self) -> None:
            pass

    monkeypatch.setattr(engines, "make_engine", lambda *args: ENGINE)
    monkeypatch.setattr(microphone, "Microphone", FakeMicrophone)
    coach_voice = _CoachVoice()
    voice = start_listening(AudioOptions(), Inbox(), coach_voice)
    if not microphone_opens:
        assert voice is None and coach_voice.block_hook is None
        return
    assert voice is not None
    try:
        assert callable(coach_voice.block_hook)  # what the coach plays reaches the canceller
        assert handed and handed[0] != voice.listener.on_frame  # the mic feeds both ears
    finally:
        voice.stop()
