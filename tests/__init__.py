"""voicecoach's tests, and the helpers they share with the benchmark scripts (a package, so
`python -m scripts.NAME` imports them as `tests.…` without touching sys.path)."""
