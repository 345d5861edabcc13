#!/usr/bin/env bash
# Start a PulseAudio server for the real-audio tests (works as root, with no sound card).
# Tests make their own null sinks: a virtual microphone, and a sink that records the coach.
set -euo pipefail
if pactl info >/dev/null 2>&1; then exit 0; fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/voicecoach-runtime-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
pulseaudio -D --exit-idle-time=-1 --system=false --disallow-exit >/dev/null 2>&1 || true
for _ in $(seq 1 50); do
    if pactl info >/dev/null 2>&1; then
        # The first write to an idle null sink otherwise blocks for up to 1.8 s.
        if pactl list short modules | grep -q module-suspend-on-idle; then
            pactl unload-module module-suspend-on-idle || true
        fi
        echo "PulseAudio is running"
        exit 0
    fi
    sleep 0.2
done
echo "PulseAudio did not start; real-audio tests will be skipped" >&2
