"""Test speech and checks made with it: espeak-ng rendering (espeak) and what the listener
makes of the coach's own lines (selfcheck). Used by the tests and the evaluation scripts,
never by the product."""
