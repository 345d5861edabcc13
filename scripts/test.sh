#!/usr/bin/env bash
# Set everything up, start PulseAudio, then lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/voicecoach-runtime-$(id -u)}"
bash scripts/start-pulseaudio.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest -q -o faulthandler_timeout=300 "$@"
