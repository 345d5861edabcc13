""" "stop" and "pain" said over the coach: Whisper hears the first ear's sound of the word and
the coach's count together ("Seventeen. Stop."), and the word beyond the coach's own is
acted on, once; a transcript that only repeats the coach gives nothing. Fake engines (fast
unit tests); the real canceller and Whisper: tests/test_counting_over_echo.py."""

from __future__ import annotations

import numpy as np
import pytest

from tests.listening_support import needs_espeak
from tests.test_second_opinion import Hears, Inbox, said
from voicecoach.core.lines import CAUTION
from voicecoach.core.ports import DURING_ROUTINE, Command
from voicecoach.listening.engine import Decoded
from voicecoach.listening.frames import SAMPLE_RATE, noise, split_frames
from voicecoach.listening.listener import VoiceListener
from voicecoach.listening.over_coach import LetThrough, urgent_beyond
from voicecoach.listening.recogniser import CLEANED_EAR, Report, SelfHearingGate
from voicecoach.listening.second_opinion import Sound, decide
from voicecoach.listening.vad import level_dbfs


@pytest.mark.parametrize(
    ("transcript", "coach", "command"),
    [
        ("Seventeen. Stop.", ["17"], Command.STOP),
        ("17, pain", ["17"], Command.PAIN),
        ("Stop. Seventeen.", ["17", "18"], Command.STOP),
        ("Seventeen.", ["17"], None),  # the coach alone
        ("Stopped at seventeen", ["17"], None),  # not the word
        ("painting", ["17"], None),
        ("never push into sharp pain", ["Never push into sharp pain."], None),  # its own line
        ("sharp pain. stop.", ["Never push into sharp pain."], Command.STOP),
        ("it hurts", ["3"], Command.PAIN),
        ("pain, ouch, it hurts, stop", ["3"], Command.PAIN),  # the first said
    ],
)
def test_an_urgent_word_beyond_the_coachs_own_is_found(
    transcript: str, coach: list[str], command: Command | None
) -> None:
    phrase = urgent_beyond(transcript, coach)
    assert (phrase.command if phrase else None) == command


def heard_over(line: str, fast: str, second: str) -> list[Command]:
    """What the listener acts on for a word the fast engine hears as `fast` and Whisper as
    `second`, said 0.4 s after the coach began `line` (still playing)."""
    from tests.support import espeak

    return heard_in(line, espeak.render("hello"), Hears(second), fast)


@needs_espeak
@pytest.mark.parametrize(
    ("line", "fast", "second", "commands"),
    [
        ("17", "welcome", "Seventeen. Stop.", [Command.STOP]),  # merged with the count
        ("17", "stop", "Seventeen, stop", [Command.STOP]),  # maybe the count: Whisper says
        ("17", "welcome", "Seventeen.", []),  # the coach alone
        ("17", "welcome", "Seventeen, 17, 17", []),
        ("Never push into sharp pain.", "welcome", "sharp pain", []),  # its own line
        ("A reminder: avoid long periods", "welcome", "have remained ouch", []),  # not a count
        ("Lie on your back.", "stop", "top", [Command.STOP]),  # over the coach: it stands
        ("Lie on your back.", "stop", "Lie on your back, stop.", [Command.STOP]),  # once
    ],
)
def test_stop_and_pain_over_the_coach_are_acted_on_once_and_its_own_words_never(
    line: str, fast: str, second: str, commands: list[Command]
) -> None:
    assert heard_over(line, fast, second) == commands


class HearsByLength(Hears):
    """Whisper, faked: a sound up to `seconds` long is heard as `short`, a longer one as
    `long` (the count alone, and the count with the word said as it began)."""

    def __init__(self, short: str, long: str, seconds: float = 1.5) -> None:
        super().__init__(short)
        self.long, self.seconds = long, seconds

    def decode(self, pcm: bytes) -> Decoded:
        self.decoded += 1
        return said(self.long if len(pcm) / 2 / SAMPLE_RATE > self.seconds else self.text)


def heard_in(line: str, audio: bytes, second: Hears, fast: str = "welcome") -> list[Command]:
    """What the listener acts on for `audio` while the coach says `line`: the fast engine
    hears every sound as `fast` (by default a filler), Whisper as `second` does."""
    inbox = Inbox()
    listener = VoiceListener(inbox, Hears(fast), now_playing=lambda: (line, 0.1), second=second)  # type: ignore[arg-type]
    for frame in split_frames(noise(0.5, seed=1) + audio + noise(1.0, seed=2)):
        listener.feed(frame)
    return [h.command for h in inbox.heard]


@needs_espeak
def test_a_stop_run_into_the_next_count_as_one_long_sound_goes_to_whisper() -> None:
    """As a count begins, a word and the room's tail can run into the next count: one
    sound longer than any command (1.4 s here), which the first ear drops whole. Over
    counts alone, Whisper hears it."""
    from tests.support import espeak

    whisper = Hears("Seventeen. Stop. Eighteen.")
    assert heard_in("17", espeak.render("seventeen stop eighteen"), whisper) == [Command.STOP]
    assert whisper.decoded == 1


@needs_espeak
def test_a_stop_cut_in_two_by_the_first_ear_is_heard_whole_by_whisper() -> None:
    """The count and the start of the word as one sound, the rest of it 0.3 s later, too
    soon after it to be a command of its own: Whisper hears the two together."""
    from tests.support import espeak

    audio = espeak.render("seventeen") + espeak.render("stop")  # 0.3 s apart
    whisper = HearsByLength("Seventeen.", "Seventeen. Stop.")
    assert heard_in("17", audio, whisper) == [Command.STOP]
    assert heard_in("Lie on your back.", audio, whisper) == []  # not over a count


@needs_espeak
@pytest.mark.parametrize(
    ("line", "words", "why"),
    [
        ("17", "seventeen stop eighteen", "the transcript is only the coach's counts"),
        ("Lie on your back.", "seventeen stop eighteen", "over a sentence Whisper may add one"),
        ("17", "one two three four five six seven eight nine ten eleven", "longer than a word"),
    ],
)
def test_a_long_sound_is_not_acted_on_beyond_the_counts(line: str, words: str, why: str) -> None:
    from tests.support import espeak

    transcript = "Seventeen. Eighteen." if "only" in why else "Seventeen. Stop. Eighteen."
    whisper = Hears(transcript)
    assert heard_in(line, espeak.render(words), whisper) == [], why
    assert whisper.decoded == (1 if "only" in why else 0), why


@needs_espeak
@pytest.mark.parametrize(("louder_db", "commands"), [(0.0, []), (6.0, [Command.PAIN])])
def test_a_pain_whisper_writes_over_a_count_no_louder_than_the_coachs_echo_is_not_taken(
    louder_db: float, commands: list[Command]
) -> None:
    """Live, counting every five seconds, Whisper wrote "it hurts", a phrase of its prompt,
    for the first ear's sound of a count heard back alone, and the coach went to the red
    flags. A word said over a count makes the microphone louder than the coach's echo
    (here the count 6 dB louder than the sentence before it): that one is taken."""
    from tests.support import espeak

    sentence, count = (
        np.frombuffer(espeak.render(text), dtype="<i2").astype(float)
        for text in (LONG_LINE, "sixteen")
    )
    gap = np.random.default_rng(4).normal(0, 30, SAMPLE_RATE)
    audio = np.concatenate([gap, sentence, gap, count * 10 ** (louder_db / 20), gap])
    ended = 1.0 + len(sentence) / SAMPLE_RATE
    lines = [(LONG_LINE, 1.0, ended), ("16", ended + 1.0, ended + 1.0 + len(count) / SAMPLE_RATE)]
    now = [0.0]

    def now_playing() -> tuple[str, float] | None:
        return next(((text, s) for text, s, e in lines if s <= now[0] < e), None)

    inbox = Inbox()
    whisper = Hears("Sixteen. It hurts.")
    listener = VoiceListener(inbox, Hears("welcome"), now_playing=now_playing, second=whisper)  # type: ignore[arg-type]
    assert listener.gate is not None
    object.__setattr__(listener.gate, "clock", lambda: now[0])  # the room's own time
    for frame in split_frames(pcm16(audio)):
        now[0] = frame.time
        listener.feed(frame)
    assert [h.command for h in inbox.heard] == commands


def test_whisper_hearing_stop_in_the_echo_cancelled_audio_of_a_count_takes_it() -> None:
    """That audio holds no coach's voice: its "stop" cannot be the count (before, it was
    judged as the microphone's own audio, and a "stop" Whisper confirmed was withdrawn)."""
    gate = SelfHearingGate(lambda: ("17", 9.9), clock=lambda: 10.5)
    cleaned = Report(10.0, 10.4, "not expected now", "one", ear=CLEANED_EAR)
    raw = Report(10.0, 10.4, "not a command", "welcome")
    assert decide(Sound(b"", cleaned, None), said("stop"), DURING_ROUTINE, gate).deliver
    assert decide(Sound(b"", raw, None), said("stop"), DURING_ROUTINE, gate).deliver is None


CHEST = ("Slowly pull your left knee toward your chest.", "Hold for 30 seconds.")
LONG_LINE = "Slowly pull your left knee toward your chest and hold it there while you breathe"


@pytest.mark.parametrize(
    ("transcript", "coach", "command"),
    [
        ("chest. Hold for", CHEST, None),  # the coach's own voice, let through
        ("Just hold", CHEST, None),  # half its words the coach's: still its voice
        ("never push into sharp pain", ["Never push into sharp pain."], None),
        ("", CHEST, Command.STOP),  # no words, and the whole sound not known: act
        ("Stop.", CHEST, Command.STOP),
        ("Hold. Pain.", CHEST, Command.PAIN),  # a word beyond the coach's
        ("Pain.", ["Never push into sharp pain."], Command.PAIN),  # only the word: act
        ("Well, okay then", CHEST, Command.STOP),  # other words: unsure, act
    ],
)
def test_a_word_made_out_where_the_canceller_let_the_coach_through_is_dropped_only_for_its_words(
    transcript: str, coach: tuple[str, ...], command: Command | None
) -> None:
    heard = LetThrough(Command.STOP, tuple(coach))(Decoded(None, transcript))
    assert (heard.command if heard else None) == command


@pytest.mark.parametrize(
    ("whole", "command"),
    [
        ("toward your chest. Hold for", None),  # the coach's voice, whole: its own
        ("your chest. Stop.", Command.STOP),  # a word beyond it: act
        ("", None),  # no words where the coach's voice is whole: not the person's
        ("Thank you.", None),  # other words: Whisper mishearing the coach whole (live, often)
        ("Pause.", None),  # live: a word of Whisper's prompt for "Hold for 30 seconds"
    ],
)
@pytest.mark.parametrize("left", ["go go go go go", ""])
def test_other_words_or_none_where_the_canceller_let_the_coach_through_are_checked_whole(
    whole: str, command: Command | None, left: str
) -> None:
    """Live on CI Whisper wrote "go go go go go" for what the canceller left of "...place
    pillows under your knees", and the coach obeyed the "stop" its ear made out there;
    live again, it heard no words in what the canceller left of "Then relax", and the
    coach obeyed that ear's "stop" too."""
    heard = LetThrough(Command.STOP, CHEST, whole=lambda: Decoded(None, whole))(Decoded(None, left))
    assert (heard.command if heard else None) == command


def test_a_let_through_word_already_acted_on_is_not_acted_on_again() -> None:
    assert LetThrough(Command.STOP, CHEST, lambda command: True)(Decoded(None, "Stop.")) is None


class HearsByLevel(Hears):
    """Whisper, faked: a sound quieter than `db` dBFS is heard as `quiet` (what the canceller
    let through of the coach), a louder one as `loud` (the microphone's own audio)."""

    def __init__(self, quiet: str, loud: str, db: float = -21.0) -> None:
        super().__init__(quiet)
        self.loud, self.db = loud, db

    def decode(self, pcm: bytes) -> Decoded:
        self.decoded += 1
        return said(self.loud if level_dbfs(pcm) > self.db else self.text)


def heard_through_a_leak(second: str | Hears | None, fast: str = "stop") -> list[Command]:
    """What the listener acts on when, while the coach talks (one long sound to the first
    ear), the canceller lets 0.5 s of its voice through (its ear hears that 7 dB down, the
    rest 40 dB down) and that ear's engine reads `fast` there; Whisper (None: not
    installed) hears `second` in it."""
    coach = coach_saying(LONG_LINE)
    hiss = np.random.default_rng(3).normal(0, 30, len(coach))
    let_through = np.full(len(coach), 0.01)
    let_through[int(1.5 * SAMPLE_RATE) : 2 * SAMPLE_RATE] = 0.45
    mic, cleaned = hiss + coach, hiss + coach * let_through
    whisper = Hears(second) if isinstance(second, str) else second
    return heard_by_both_ears(mic, cleaned, LONG_LINE, Hears(fast), whisper)


def coach_saying(line: str, gain: float = 1.0) -> np.ndarray:
    """The coach's voice saying `line`, 0.1 s in, with a second of quiet after it."""
    from tests.support import espeak

    said = np.frombuffer(espeak.render(line), dtype="<i2").astype(float) * gain
    return np.concatenate([np.zeros(SAMPLE_RATE // 10), said, np.zeros(SAMPLE_RATE)])


def heard_by_both_ears(
    mic: np.ndarray, cleaned: np.ndarray, line: str, fast: Hears, second: Hears | None
) -> list[Command]:
    """What the listener acts on given the microphone and the echo-cancelled audio, while
    the coach says `line`: the fast engine and Whisper (None: not installed) faked."""
    inbox = Inbox()
    listener = VoiceListener(inbox, fast, now_playing=lambda: (line, 0.1), second=second)  # type: ignore[arg-type]
    ears = zip(split_frames(pcm16(mic)), split_frames(pcm16(cleaned)), strict=True)
    for frame, cleaned_frame in ears:
        listener.feed(frame, cleaned_frame.pcm)
    return [h.command for h in inbox.heard]


def pcm16(samples: np.ndarray) -> bytes:
    return np.clip(samples, -32768, 32767).astype("<i2").tobytes()


@needs_espeak
@pytest.mark.parametrize(
    ("second", "commands"),
    [
        ("your chest and hold", []),  # Whisper wrote the coach's words: its own voice
        ("", []),  # no words, in what was left nor whole: the coach's voice alone
        ("stop", [Command.STOP]),
        (None, [Command.STOP]),  # no Whisper to tell: act at once, as before
    ],
)
def test_a_stop_made_out_where_the_canceller_let_the_coach_through_is_whispers_to_decide(
    second: str | None, commands: list[Command]
) -> None:
    assert heard_through_a_leak(second) == commands


@needs_espeak
@pytest.mark.parametrize(
    ("cleaned", "whole", "commands"),
    [
        ("go go go go go", "toward your chest and hold it", []),  # the coach's voice, whole
        ("go go go go go", "chest. Stop.", [Command.STOP]),
        ("go go go go go", "go go go", []),  # other words whole: the coach misheard
        # Live on CI: a word of Whisper's prompt for what the canceller left of the coach.
        ("it hurts", "toward your chest and hold it", []),
        ("it hurts", "chest. It hurts.", [Command.PAIN]),
        ("stop", "slowly pull your left knee", [Command.STOP]),  # both engines: "stop"
        ("it hurts", "", []),  # no words heard whole: not the person's
        # Live: no words in what the canceller left of "Then relax"; its ear read "stop".
        ("", "toward your chest and hold it", []),
        ("", "chest. Stop.", [Command.STOP]),
    ],
)
def test_words_where_the_canceller_let_the_coach_through_are_heard_again_whole(
    cleaned: str, whole: str, commands: list[Command]
) -> None:
    """Whisper hears the microphone's own audio of the moment unless what the canceller
    left gave it the ear's own command: the coach's voice there, no command."""
    assert heard_through_a_leak(HearsByLevel(cleaned, whole)) == commands


@needs_espeak
@pytest.mark.parametrize(
    ("cleaned", "whole", "commands"),
    [
        ("it hurts", "toward your chest and hold it", []),  # the coach's voice, whole
        ("it hurts", "chest. It hurts.", [Command.PAIN]),
        ("stop", "", []),  # live: no words heard whole
        ("stop", "chest. Well then", []),  # other words whole: the coach misheard
    ],
)
def test_a_command_whisper_hears_where_the_canceller_let_the_coach_through_is_checked_whole(
    cleaned: str, whole: str, commands: list[Command]
) -> None:
    """The echo-cancelled ear read a filler where the canceller let the coach's voice
    through, and Whisper, prompted with the commands, wrote one of them in it."""
    assert heard_through_a_leak(HearsByLevel(cleaned, whole), fast="okay") == commands


def heard_through_the_canceller(kept: float, second: str, line: str = LONG_LINE) -> list[Command]:
    """What the listener acts on for a word said 1.5 s into a long sentence, the coach's
    voice 6 dB under it in the microphone, when the canceller takes the coach's voice out
    and keeps `kept` of the word (a fraction): the fast engine hears a filler in every
    sound, Whisper hears `second` in the echo-cancelled ear's."""
    from tests.support import espeak

    coach = coach_saying(line, gain=0.5)
    word = np.zeros(len(coach))
    hello = np.frombuffer(espeak.render("hello"), dtype="<i2").astype(float)
    word[int(1.5 * SAMPLE_RATE) : int(1.5 * SAMPLE_RATE) + len(hello)] = hello
    hiss = np.random.default_rng(3).normal(0, 30, len(coach))
    mic, cleaned = hiss + coach + word, hiss + coach * 0.01 + word * kept
    return heard_by_both_ears(mic, cleaned, line, Hears("welcome"), Hears(second))


@needs_espeak
@pytest.mark.parametrize(
    ("second", "commands"),
    [
        ("Stop.", [Command.STOP]),
        ("Pain.", [Command.PAIN]),
        ("Slowly", []),  # other words: nothing
        ("Slowly pull your left knee", []),  # the coach's own words
    ],
)
def test_a_word_the_canceller_damped_over_a_sentence_is_heard_by_whisper(
    second: str, commands: list[Command]
) -> None:
    """Over a sentence the canceller may damp the person's word with the coach's voice
    (live, a human "stop" 1 s into an instruction came out 14 dB down, and its ear decoded
    it as "slowly"): too damped to be taken as a word said over the coach (barge-in),
    Whisper hears that ear's sound, and a "stop" or "pain" beyond the coach's words is
    acted on."""
    assert heard_through_the_canceller(0.2, second) == commands


@needs_espeak
@pytest.mark.parametrize(
    ("second", "commands"),
    [
        ("Pain.", [Command.PAIN]),  # the coach's voice taken out: the person's word
        ("sharp pain", []),  # the coach's own words
        ("into sharp pain", []),
    ],
)
def test_pain_over_the_caution_heard_alone_by_whisper_in_the_cancelled_sound_is_acted_on(
    second: str, commands: list[Command]
) -> None:
    """Live, "pain" said over the caution was heard by Whisper as "pain" in the
    echo-cancelled ear's sound and dropped, because the caution says "pain"."""
    assert heard_through_the_canceller(0.2, second, CAUTION) == commands
