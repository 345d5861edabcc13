#!/usr/bin/env python3
"""Evaluate the spoken-command recogniser; prints accuracy, confusions, false commands,
latency and CPU use.

    .venv/bin/python -m scripts.eval_recogniser            # espeak-ng set + human set
    .venv/bin/python -m scripts.eval_recogniser --quick    # fewer voices, for a fast look
    .venv/bin/python -m scripts.eval_recogniser --engine whisper --no-generated
    .venv/bin/python -m scripts.eval_recogniser --together # PocketSphinx + Whisper, as live
    .venv/bin/python -m scripts.eval_recogniser --together --no-generated --speakers-every 4 \
        --cache-second                                     # a quick look while developing

With --together, the word head (the third voter, word_head.py) is the one trained without
each recording's speaker (bench-out/word-head-folds.npz, from scripts/train_word_head.py),
so every human number is on speakers held out of its training; --word-head none leaves it
out.

The espeak-ng set is generated here (cached under bench-out/espeak-set/). The human
recordings (../shared/audio/human) are only measured, never tuned on. Every clip goes
through the same pipeline as live (frames -> VAD -> engine) with noise-floor padding; a
second pass runs the commands with the noise steady around them, as a fan would be.
Latency is in stream time: from the end of the word (last 10 ms window within 35 dB of
the peak) to the end of the frame on which the command was emitted.

Each word is heard as in a session, where it means something: "yes" and "no" while a
yes/no question waits, numbers while a pain score is asked for, every other command
during a routine. False commands are counted during a routine (where a session spends
nearly all its time) and, separately, while each kind of question waits. The goal's
figure (issue 12, 13: at most 1 per 10 min) is over _speech, _noise and _other_words
without the stand-ins for our commands (SYNONYMS; and without the digits while a pain
score is asked for, where they are answers). A fast "stop" that Whisper withdrew is not a
command acted on, but the person heard the coach fall silent and then say "I heard stop
by mistake": those interruptions are counted beside the false commands. So is a fast
"pain" Whisper heard as other words: the coach fell silent and asked "Are you in pain?"
(shown as "pain?"; a must-reject word so heard is not counted right).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import pickle
import statistics
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.support import espeak
from voicecoach.core.asking import SCORE_ANSWERS
from voicecoach.core.ports import ALWAYS_EXPECTED, DURING_ROUTINE, STOP_WITHDRAWN, Command, Heard
from voicecoach.listening import whisper
from voicecoach.listening.engine import (
    DEFAULT_ENGINE,
    ENGINES,
    Decoded,
    Engine,
    EngineUnavailable,
    make_engine,
)
from voicecoach.listening.frames import (
    SAMPLE_RATE,
    Frame,
    noise,
    read_wav,
    split_frames,
    write_wav,
)
from voicecoach.listening.listener import VoiceListener
from voicecoach.listening.recogniser import Recogniser
from voicecoach.listening.second_opinion import SECOND_ENGINE
from voicecoach.listening.vocabulary import BY_TEXT, PHRASES
from voicecoach.listening.whisper import Doubt
from voicecoach.listening.word_head import WordHead, load_head

REPO = Path(__file__).resolve().parent.parent

HUMAN = REPO.parent / "shared" / "audio" / "human"
HUMAN_TAKES = REPO.parent / "shared" / "audio" / "human-takes"
LEAD = 0.3
"""Seconds of lead-in before each clip."""
CACHE = REPO / "bench-out" / "espeak-set"
VOICES = [
    ("en-us", 160, 50), ("en-gb", 140, 40), ("en-gb-scotland", 180, 60), ("en-029", 150, 45),
    ("en-gb-x-rp+f2", 200, 70), ("en-us+f3", 130, 60), ("en-gb+m3", 170, 30),
    ("en+f4", 190, 55), ("en-us-nyc+m7", 120, 50), ("en-gb-x-gbclan+m1", 220, 45),
    ("en-us+m2", 210, 35), ("en-gb-x-gbcwmd+f1", 145, 65),
]  # fmt: skip
CONDITIONS = [("clean", None), ("snr20", 20.0), ("snr10", 10.0)]
REJECT_WORDS = [
    "know", "now", "low", "toe", "top", "step", "stock", "shop", "pen", "paint", "main", "nest",
    "text", "yellow", "less", "note", "couch", "pose", "rest", "assume", "retreat", "kick", "ship",
    "hell", "house", "along", "tree", "wait", "start", "hurt", "done", "down", "up", "off", "bed",
    "keep", "left", "right", "forward", "follow", "enough", "break", "fine", "good",
]  # fmt: skip
SYNONYMS = {"wait", "start", "play", "again", "hurt", "done", "enough", "break"}
"""Stand-ins for our commands in _other_words (SOURCES.md): left out of false commands."""
SENTENCES = [
    "say stop to pause", "say next when you are ready", "if it hurts, say pain",
    "slowly bring your knee to your chest", "breathe in and hold for thirty seconds",
    "the weather is nice today", "stop at the next corner please", "how long will this take",
]  # fmt: skip


YES_NO_QUESTION = frozenset({Command.YES, Command.NO}) | ALWAYS_EXPECTED
SCORE_QUESTION = SCORE_ANSWERS | ALWAYS_EXPECTED
CONTEXTS = {
    "during a routine": DURING_ROUTINE,
    "while a yes/no question waits": YES_NO_QUESTION,
    "while a pain score is asked for": SCORE_QUESTION,
}


def context_for(text: str | None) -> frozenset[Command]:
    """Where in a session `text` means something (a non-command: a routine)."""
    command = BY_TEXT[text].command if text else None
    if command in (Command.YES, Command.NO):
        return YES_NO_QUESTION
    return SCORE_QUESTION if command is Command.SCORE else DURING_ROUTINE


@dataclass
class Result:
    expected: str | None  # phrase text, or None for must-reject audio
    got: list[str]
    latency: float | None
    seconds: float
    name: str = ""
    """The recording's file name (human sets)."""
    withdrawn: int = 0
    """Fast "stop"s acted on and then withdrawn (with --together): the coach fell silent,
    then said it heard stop by mistake."""


def padded_frames(pcm: bytes, padded: bytes | None = None) -> Iterator[Frame]:
    """The clip as a microphone would give it: LEAD s of hiss before, 1 s after, with
    frame times in seconds from the clip's start (`padded`: a ready-made stream)."""
    stream = padded or noise(LEAD, seed=3) + pcm + noise(1.0, seed=4)
    return split_frames(stream, start=-LEAD)


Runner = Callable[[Iterator[Frame], frozenset[Command]], list[tuple[str, float]]]
"""Listens to a stream as a session would at one moment (what it expects); returns each
phrase acted on with the stream time it was decided."""
ASKED = "?"
"""Marks a fast "pain" Whisper heard as other words: the coach asked "Are you in pain?"
before the red flags (counted beside the false commands, not as one; a real "pain" so
marked is a question more, and is not counted right)."""


def asked_about(got: list[str]) -> int:
    """How many of the phrases acted on were fast "pain"s asked about (ASKED)."""
    return sum(text.endswith(ASKED) for text in got)


WITHDRAWN: list[int] = [0]
"""Fast "stop"s the second engine withdrew (with --together), counted over the run."""
SPEAKERS_EVERY = [1]
"""Keep the human recordings of one speaker group in this many (--speakers-every)."""


class HeldOutHeads:
    """The word head for the recording being heard: the fold head trained without its
    speaker, or the shipped one for recordings no head was trained on (speech, noise)."""

    def __init__(self, use: str) -> None:
        self.use = use
        self.path: Path | None = None
        """The recording being heard (set by run_file)."""
        self._folds: dict[str, WordHead] = {}
        self._shipped: WordHead | None = None
        if use == "cv":
            self._load_folds()

    def _load_folds(self) -> None:
        from scripts.train_word_head import FOLDS_FILE

        if not FOLDS_FILE.exists():  # never the shipped head: it was trained on these speakers
            print(f"word head left out: {FOLDS_FILE} not found "
                  "(run scripts.train_word_head --no-save)")  # fmt: skip
            self.use = "none"
            return
        with np.load(FOLDS_FILE) as data:
            heads = [
                WordHead(*(data[f"{name}{k}"] for name in ("mean", "scale", "weights", "bias")))
                for k in range(int(data["folds"].max()) + 1)
            ]
            self._folds = {
                str(s): heads[int(f)] for s, f in zip(data["speakers"], data["folds"], strict=True)
            }
        self._shipped = load_head()

    def current(self) -> WordHead | None:
        if self.use == "none":
            return None
        if self.use == "shipped" or self.path is None:
            return self._shipped or load_head()
        from scripts.train_word_head import speaker_of

        return self._folds.get(speaker_of(self.path), self._shipped)


HEADS = [HeldOutHeads("none")]


class CachedEngine:
    """The second engine, remembering its answer for each sound across runs (a quick
    look while developing: processor figures are then not the engine's)."""

    def __init__(self, inner: Engine) -> None:
        self._inner = inner
        self.name = inner.name
        settings = repr(getattr(inner, "settings", "")) + repr(getattr(whisper, "PROMPT", ""))
        key = hashlib.sha1(settings.encode()).hexdigest()[:10]
        self.path = REPO / "bench-out" / f"second-cache-{key}-v4.pkl"
        self._answers: dict[str, tuple[str | None, str, float | None, float, Doubt | None]] = {}
        if self.path.exists():
            self._answers = pickle.loads(self.path.read_bytes())
        self.replayed_seconds = 0.0
        """The original decode time of the answer last replayed (0: decoded now)."""
        self.last_doubt: Doubt | None = None
        """As the engine's own (whisper.Doubt)."""

    def decode(self, pcm: bytes) -> Decoded:
        key = hashlib.sha1(pcm).hexdigest()
        if key in self._answers:
            text, said, confidence, seconds, self.last_doubt = self._answers[key]
            self.replayed_seconds = seconds
            return Decoded(BY_TEXT[text] if text else None, said, confidence)
        started = time.perf_counter()
        decoded = self._inner.decode(pcm)
        self.replayed_seconds = 0.0
        self.last_doubt = getattr(self._inner, "last_doubt", None)
        phrase = decoded.phrase.text if decoded.phrase is not None else None
        seconds = time.perf_counter() - started
        self._answers[key] = (phrase, decoded.text, decoded.confidence, seconds, self.last_doubt)
        return decoded

    def save(self) -> None:
        """Kept with what other runs saved meanwhile (two scripts may share the file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self._answers = {**pickle.loads(self.path.read_bytes()), **self._answers}
        self.path.write_bytes(pickle.dumps(self._answers))


def alone(engine: Engine) -> Runner:
    """One engine, through the live pipeline (frames -> VAD -> engine -> rules). A
    command is decided when the VAD ended the word plus the wall time of its decoding."""

    def run(frames: Iterator[Frame], expected: frozenset[Command]) -> list[tuple[str, float]]:
        recogniser = Recogniser(engine, expected=lambda: expected)
        acted = []
        for frame in frames:
            started = time.perf_counter()
            detection = recogniser.feed(frame)
            if detection is not None:
                acted.append((detection.heard.text, detection.at + time.perf_counter() - started))
        return acted

    return run


def together(
    fast: Engine, second: Engine, enrolled: Callable[[bytes, Decoded], Decoded] | None = None
) -> Runner:
    """The live listener with both engines: the fast one's "stop"/"pain" at once, the
    second deciding the rest (its decode time is added to when it decided), with the
    user's takes fused into what it heard when `enrolled` (as wiring.py does). A "stop"
    withdrawn counts as not heard."""

    def run(frames: Iterator[Frame], expected: frozenset[Command]) -> list[tuple[str, float]]:
        sink = _TimedSink()
        listener = VoiceListener(sink, fast, expected=lambda: expected, second=second)
        assert listener.second is not None
        listener.second.load_word_head = HEADS[0].current
        listener.second.enrolled = enrolled
        sink.listener = listener
        for frame in frames:
            sink.now = frame.end
            listener.feed(frame)
        return sink.acted_on()

    return run


class _TimedSink:
    """Collects what the listener delivers, with when."""

    def __init__(self) -> None:
        self.now = 0.0
        """Stream time of the end of the frame being listened to."""
        self.listener: VoiceListener | None = None
        self.heard: list[tuple[Heard, float]] = []

    def put(self, heard: Heard) -> None:
        """The fast engine's words come at once; the second engine's after its decoding."""
        listener = self.listener
        assert listener is not None and listener.second is not None
        fast = any(d.heard is heard for d in listener.detections)
        replayed = getattr(listener.second.engine, "replayed_seconds", 0.0)
        second = 0.0 if fast else listener.second.last_decode_seconds + replayed
        self.heard.append((heard, self.now + second))

    def acted_on(self) -> list[tuple[str, float]]:
        WITHDRAWN[0] += sum(heard.text == STOP_WITHDRAWN for heard, _ in self.heard)
        return acted_on(self.heard)


def acted_on(heard: list[tuple[Heard, float]]) -> list[tuple[str, float]]:
    """What the coach acted on, in order, with when: a withdrawn "stop" counts as not
    heard, and a fast "pain" Whisper doubted is marked ASKED ("Are you in pain?" first),
    or is the number Whisper heard in its place so marked ("Did you say eight?", while a
    score is asked for)."""
    out: list[tuple[str, float]] = []
    for each, at in heard:
        number = each.check.number_instead(0.0) if each.check is not None else None
        if number is not None:
            out.append((number.text + ASKED, at))  # "Did you say eight?"
        elif each.check is not None and each.check.doubted(0.0):
            out.append((each.text + ASKED, at))
        elif each.text == STOP_WITHDRAWN:
            out = [o for o in out if o[0] != "stop"]
        else:
            out.append((each.text, at))
    return out


def pipeline_run(
    runner: Runner,
    pcm: bytes,
    word_end: float | None,
    padded: bytes | None = None,
    expected: frozenset[Command] = DURING_ROUTINE,
) -> tuple[list[str], float | None]:
    """Run padded audio through the live pipeline; return phrases heard and latency.
    `padded`: the stream to use instead of hiss + pcm + hiss (it must lead by LEAD s);
    `expected`: what the session takes by voice at that moment."""
    acted = runner(padded_frames(pcm, padded), expected)
    got = [text for text, _ in acted]
    latency = acted[0][1] - word_end if acted and word_end is not None else None
    return got, latency


def cached_espeak(
    text: str,
    voice: espeak.Voice,
    condition: str,
    snr: float | None,
    cache: Path = CACHE,
    seed_offset: int = 0,
    colours: tuple[str, str] = ("low", "white"),
) -> bytes:
    """`text` said by `voice`, with noise at `snr` dB (colour picked by the voice's name),
    cached as a WAV file (the tuning script gives its own cache, seeds and colours)."""
    path = cache / f"{text.replace(' ', '_')}--{voice.tag}--{condition}.wav"
    if path.exists():
        return read_wav(path)
    pcm = espeak.render(text, voice)
    if snr is not None:
        colour = colours[sum(map(ord, voice.tag)) % 2]
        pcm = espeak.add_noise(pcm, snr, colour, seed=seed_offset + len(text))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(path, pcm)
    return pcm


def espeak_plan(
    voices: list[tuple[str, int, int]],
    conditions: list[tuple[str, float | None]],
    non_commands: list[str],
) -> Iterator[tuple[espeak.Voice, str, str, float | None, bool]]:
    """What a generated set holds: each voice says every command in each condition, then
    each non-command clean. Yields (voice, text, condition, snr, is a command)."""
    for name, speed, pitch in voices:
        voice = espeak.Voice(name, speed, pitch)
        for condition, snr in conditions:
            for phrase in PHRASES:
                yield voice, phrase.text, condition, snr, True
        for text in non_commands:
            yield voice, text, "clean", None, False


def espeak_set(engine: Runner, voices: list[tuple[str, int, int]]) -> list[Result]:
    results = []
    plan = espeak_plan(voices, CONDITIONS, REJECT_WORDS + SENTENCES)
    for voice, text, condition, snr, command in plan:
        pcm = cached_espeak(text, voice, condition, snr)
        seconds = len(pcm) / 2 / SAMPLE_RATE
        if command:
            word_end = espeak.speech_end(cached_espeak(text, voice, "clean", None))
            got, latency = pipeline_run(engine, pcm, word_end, None, context_for(text))
            results.append(Result(text, got, latency, seconds))
        else:
            got, _ = pipeline_run(engine, pcm, None)
            results.append(Result(None, got, None, seconds))
    return results


def steady_noise_set(engine: Runner, voices: list[tuple[str, int, int]]) -> list[Result]:
    """The commands with the noise running before, during and after the word, as a fan
    or traffic would (the main set adds noise only within each rendered clip)."""
    results = []
    for name, speed, pitch in voices:
        voice = espeak.Voice(name, speed, pitch)
        colour = "white" if sum(map(ord, voice.tag)) % 2 else "low"
        for _, snr in CONDITIONS[1:]:
            assert snr is not None
            for phrase in PHRASES:
                clean = cached_espeak(phrase.text, voice, "clean", None)
                stream = noise(LEAD, seed=3) + clean + noise(1.0, seed=4)
                stream = espeak.add_noise(stream, snr, colour, seed=len(phrase.text))
                expected = context_for(phrase.text)
                got, latency = pipeline_run(
                    engine, clean, espeak.speech_end(clean), stream, expected
                )
                results.append(Result(phrase.text, got, latency, len(stream) / 2 / SAMPLE_RATE))
    return results


def human_set(engine: Runner) -> dict[str, list[Result]]:
    """Command words, confusable words, speech and noise. "go" is not our command: it is
    must-reject. Digits in _other_words are our pain-score words, so they are expected."""
    digits = {p.text for p in PHRASES if p.score is not None}
    groups: dict[str, list[Result]] = collections.defaultdict(list)
    for folder in ("stop", "yes", "no", "help", "go"):
        for path in kept(sorted((HUMAN / folder).glob("*.wav"))):
            expected = None if folder == "go" else folder
            groups["go (must reject)" if folder == "go" else "commands"].append(
                run_file(engine, path, expected)
            )
    for path in kept(sorted((HUMAN / "_other_words").glob("*/*.wav"))):
        word = path.parent.name
        group = "digits (score words)" if word in digits else "other words (must reject)"
        groups[group].append(run_file(engine, path, word if word in digits else None))
    for folder in ("_speech", "_noise"):
        for path in sorted((HUMAN / folder).glob("*.wav")):
            groups[folder].append(run_file(engine, path, None, latency=False))
    return groups


def human_takes_set(engine: Runner) -> dict[str, list[Result]]:
    """More takes by the same speakers: stop, yes, no and the digits are commands (each
    where it means something), go, down, off, up and on must be rejected."""
    groups: dict[str, list[Result]] = collections.defaultdict(list)
    for folder in sorted(p for p in HUMAN_TAKES.iterdir() if p.is_dir()):
        word = folder.name
        command = take_command(word)
        group = "commands" if word in ("stop", "yes", "no") else "digits" if command else "reject"
        for path in kept(sorted(folder.glob("*.wav"))):
            groups[group].append(run_file(engine, path, command))
    return groups


def take_command(word: str) -> str | None:
    """The command a human-takes folder's word is (stop, yes, no, a digit), or None: one
    of go, down, off, up and on, which must give nothing."""
    digits = {p.text for p in PHRASES if p.score is not None}
    return word if word in ("stop", "yes", "no") or word in digits else None


def kept(paths: list[Path]) -> list[Path]:
    """The recordings of one speaker group in SPEAKERS_EVERY (all, by default)."""
    if SPEAKERS_EVERY[0] <= 1:
        return paths
    from scripts.train_word_head import speaker_of

    every = SPEAKERS_EVERY[0]
    return [p for p in paths if zlib.crc32(speaker_of(p).encode()) // 7 % every == 0]


def run_file(
    engine: Runner,
    path: Path,
    expected: str | None,
    latency: bool = True,
    context: frozenset[Command] | None = None,
) -> Result:
    """One recording through the pipeline, heard where `expected` means something (or
    in `context`)."""
    HEADS[0].path = path
    pcm = read_wav(path)
    word_end = espeak.speech_end(pcm) if latency else None
    context = context if context is not None else context_for(expected)
    withdrawn = WITHDRAWN[0]
    got, lag = pipeline_run(engine, pcm, word_end, None, context)
    seconds = len(pcm) / 2 / SAMPLE_RATE
    name = f"{path.parent.name}/{path.name}"
    return Result(expected, got, lag, seconds, name, WITHDRAWN[0] - withdrawn)


def correct(result: Result) -> bool:
    if result.expected is None:
        return not result.got
    return result.got == [result.expected]


def report(title: str, results: list[Result]) -> None:
    print(f"\n== {title}: {sum(map(correct, results))}/{len(results)} correct")
    per_word: dict[str, list[bool]] = collections.defaultdict(list)
    confusion: collections.Counter[tuple[str, str]] = collections.Counter()
    for result in results:
        key = result.expected or "(reject)"
        per_word[key].append(correct(result))
        got = "+".join(result.got) or "(nothing)"
        if not correct(result):
            confusion[(key, got)] += 1
    for word, marks in sorted(per_word.items()):
        print(
            f"  {word:>14}: {sum(marks):4d}/{len(marks):<4d} {100 * sum(marks) / len(marks):5.1f}%"
        )
    if confusion:
        print("  confusions (said -> heard: count):")
        for (said, heard), count in confusion.most_common(25):
            print(f"    {said} -> {heard}: {count}")
    latencies = [r.latency for r in results if r.latency is not None and correct(r)]
    if latencies:
        p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
        median = 1000 * statistics.median(latencies)
        print(f"  latency end of word -> command: median {median:.0f} ms, "
              f"p95 {1000 * p95:.0f} ms (n={len(latencies)})")  # fmt: skip


def false_per_minute(title: str, results: list[Result]) -> None:
    minutes = sum(r.seconds for r in results) / 60
    asked = sum(asked_about(r.got) for r in results)
    false = sum(len(r.got) for r in results) - asked
    withdrawn = sum(r.withdrawn for r in results)
    print(f"\n== {title}: {false} false commands in {minutes:.1f} min = "
          f"{false / minutes * 10:.2f} per 10 min; {withdrawn} fast stops withdrawn = "
          f"{withdrawn / minutes * 10:.2f} per 10 min; {asked} fast pains asked about = "
          f"{asked / minutes * 10:.2f} per 10 min")  # fmt: skip
    for r in results:
        if r.got or r.withdrawn:
            print(f"    heard {r.got} {r.name}" + f" ({r.withdrawn} withdrawn)" * bool(r.withdrawn))


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """--engine and --model, as on the command line (shared with tune_recogniser.py)."""
    parser.add_argument("--engine", default=DEFAULT_ENGINE, choices=list(ENGINES))
    parser.add_argument("--model", default=None, help="a local model, for engines that take one")


def engine_from(args: argparse.Namespace) -> Engine:
    """The engine the options name, or exit with its one-line reason."""
    try:
        return make_engine(args.engine, args.model)
    except EngineUnavailable as error:
        sys.exit(f"error: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 voices instead of 12")
    parser.add_argument("--no-human", action="store_true", help="skip ../shared/audio/human*")
    parser.add_argument("--no-generated", action="store_true", help="skip the espeak-ng sets")
    parser.add_argument(
        "--together", action="store_true", help=f"--engine with {SECOND_ENGINE} deciding, as live"
    )
    parser.add_argument(
        "--word-head", default="cv", choices=["cv", "shipped", "none"],
        help="with --together: the third voter trained without each speaker (cv), the "
        "shipped one, or none",
    )  # fmt: skip
    parser.add_argument(
        "--speakers-every", type=int, default=1, metavar="N",
        help="only the human recordings of one speaker group in N (a quicker look)",
    )  # fmt: skip
    parser.add_argument(
        "--cache-second", action="store_true",
        help=f"remember {SECOND_ENGINE}'s answers across runs (bench-out/; not for CPU figures)",
    )  # fmt: skip
    add_engine_options(parser)
    args = parser.parse_args()
    engine = engine_from(args)
    SPEAKERS_EVERY[0] = args.speakers_every
    second: Engine | None = None
    if args.together:
        HEADS[0] = HeldOutHeads(args.word_head)
        second = make_engine(SECOND_ENGINE)
        second = CachedEngine(second) if args.cache_second else second
    runner = together(engine, second) if second is not None else alone(engine)
    name = f"{engine.name} + {SECOND_ENGINE}" if args.together else engine.name
    print(f"engine: {name}")
    started_cpu, audio_seconds = time.process_time(), 0.0
    if args.no_generated:
        pass
    elif espeak.available():
        audio_seconds += generated_sets(runner, VOICES[:4] if args.quick else VOICES)
    else:
        print("espeak-ng not installed: generated set skipped")
    if HUMAN.is_dir() and not args.no_human:
        audio_seconds += human_sets(runner)
    elif not args.no_human:
        print(f"human recordings not found at {HUMAN}: skipped")
    if args.together:
        print(f"\nfast stops withdrawn by {SECOND_ENGINE}: {WITHDRAWN[0]}")
        print(f"word head: {HEADS[0].use}")
    if isinstance(second, CachedEngine):
        second.save()
    cpu = time.process_time() - started_cpu
    print(f"\nCPU: {cpu:.1f} s process time for {audio_seconds:.0f} s of audio = "
          f"{100 * cpu / max(audio_seconds, 1):.1f}% of one core (includes espeak-ng rendering "
          "on a first run; run twice for the listening cost alone)")  # fmt: skip


def generated_sets(runner: Runner, voices: list[tuple[str, int, int]]) -> float:
    """The espeak-ng sets; returns the seconds of audio listened to."""
    results = espeak_set(runner, voices)
    commands = [r for r in results if r.expected is not None]
    report("espeak-ng commands (all voices, clean/20 dB/10 dB)", commands)
    report("espeak-ng non-commands (words and sentences, must reject)",
           [r for r in results if r.expected is None])  # fmt: skip
    steady = steady_noise_set(runner, voices)
    report("espeak-ng commands in steady noise (before, during, after; 20 and 10 dB)", steady)
    return sum(r.seconds + 1.3 for r in results) + sum(r.seconds for r in steady)


def human_sets(runner: Runner) -> float:
    """The human recordings (measured, never tuned on); returns the seconds listened to."""
    groups = human_set(runner)
    for title in (
        "commands",
        "digits (score words)",
        "other words (must reject)",
        "go (must reject)",
    ):
        report(f"human {title}", groups[title])
    stop_yes_no = [r for r in groups["commands"] if r.expected in ("stop", "yes", "no")]
    share_right("human stop/yes/no", stop_yes_no)
    false_per_minute("human _speech, during a routine", groups["_speech"])
    false_per_minute("human _noise (incl. music), during a routine", groups["_noise"])
    for name, context in list(CONTEXTS.items())[1:]:
        print(f"\n-- {name}:")
        for folder in ("_speech", "_noise"):
            paths = sorted((HUMAN / folder).glob("*.wav"))
            heard = [run_file(runner, p, None, False, context) for p in paths]
            false_per_minute(f"human {folder}, {name}", heard)
    goal_sets(runner)
    seconds = sum(r.seconds + 1.3 for rs in groups.values() for r in rs)
    if HUMAN_TAKES.is_dir():
        takes = human_takes_set(runner)
        report("human-takes stop/yes/no", takes["commands"])
        report("human-takes digits (score words)", takes["digits"])
        report("human-takes go/down/off/up/on (must reject, during a routine)", takes["reject"])
        share_right("human-takes stop/yes/no", takes["commands"])
        seconds += sum(r.seconds + 1.3 for rs in takes.values() for r in rs)
    return seconds


def goal_sets(runner: Runner) -> None:
    """False commands per 10 min on the goal's set (_speech, _noise, _other_words without
    synonyms), in each moment of a session."""
    digits = {p.text for p in PHRASES if p.score is not None}
    others = [p for p in kept(sorted((HUMAN / "_other_words").glob("*/*.wav")))
              if p.parent.name not in SYNONYMS]  # fmt: skip
    sounds = [p for folder in ("_speech", "_noise") for p in sorted((HUMAN / folder).glob("*.wav"))]
    for name, context in CONTEXTS.items():
        answers = context == SCORE_QUESTION
        paths = sounds + [p for p in others if not (answers and p.parent.name in digits)]
        heard = [run_file(runner, p, None, False, context) for p in paths]
        false_per_minute(f"goal set (_speech, _noise, _other_words without synonyms"
                         f"{' or digits' if answers else ''}), {name}", heard)  # fmt: skip


def share_right(title: str, results: list[Result]) -> None:
    """The share right, and how many "stop"s were missed (not acted on as stop)."""
    right = sum(map(correct, results))
    stops = [r for r in results if r.expected == "stop"]
    missed = sum("stop" not in r.got for r in stops)
    share, missed_share = 100 * right / max(1, len(results)), 100 * missed / max(1, len(stops))
    print(f"\n{title}: {right}/{len(results)} = {share:.1f}%; "
          f"stop missed {missed}/{len(stops)} = {missed_share:.1f}%")  # fmt: skip


if __name__ == "__main__":
    main()
