"""Offline spoken-command recognition: audio frames in, `Heard` commands out.

One module per concern:
- frames: 16 kHz mono int16 frames from WAV files, shaped like a microphone's.
- vad: voice-activity detection that cuts the stream into short utterances.
- vocabulary: the command words and how they map to `Command`.
- engine: the Engine interface every recogniser offers, the registry of engines by
  name (ENGINES) and the default (DEFAULT_ENGINE).
- sphinx: the default PocketSphinx engine (grammar + score threshold).
- whisper, vosk, google: the other engines, one file each, chosen by name.
- recogniser: frames -> utterances -> commands, with the whole-utterance rule, the
  self-hearing gate and the said-again rule for near misses.
- listener: a background thread that feeds an Inbox from any frame source.
- listen_log: VOICECOACH_LISTEN_LOG, one JSON line per sound and what became of it.

Test speech made with espeak-ng lives with the tests (tests/support/espeak.py).
"""
