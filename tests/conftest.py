"""Test-wide safety: no test ever writes to the real session log in the user's data folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_data_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test (and every coach it starts as a child process) logs to a temporary folder."""
    folder = tmp_path_factory.mktemp("voicecoach-data")
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(folder))
    return folder
