"""Benchmarks, the recogniser's evaluation and tuning, and set-up scripts. Run the Python
ones from the repository's root as modules: `.venv/bin/python -m scripts.NAME`."""
