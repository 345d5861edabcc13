"""The package's import graph, read from the source: no cycles, and a core without audio.

Every import counts, also those inside functions and under TYPE_CHECKING: a cycle hidden
in a function-level import is still a cycle a reader has to untangle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "voicecoach"

AUDIO_LIBRARIES = ("pyaudio", "pyttsx3", "speech_recognition", "pocketsphinx", "livekit")
OUTER_LAYERS = (
    "voicecoach.audio",
    "voicecoach.listening",
    "voicecoach.terminal",
    "voicecoach.commands",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_names(path: Path, name: str) -> set[str]:
    """Every module `path` imports (absolute names), wherever the import statement is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports ("from pkg import module" counts)."""
    known = modules()
    return {
        name: {other for other in imported_names(path, name) if other in known and other != name}
        for name, path in known.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first repeated at the end), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = "open"
        stack.append(name)
        for other in sorted(graph[name]):
            if state.get(other) == "open":
                return [*stack[stack.index(other) :], other]
            if other not in state and (cycle := visit(other)) is not None:
                return cycle
        stack.pop()
        state[name] = "done"
        return None

    for name in sorted(graph):
        if name not in state and (cycle := visit(name)) is not None:
            return cycle
    return None


def test_the_graph_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    source = tmp_path / "voicecoach" / "core" / "sample.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "from . import plan\ndef f():\n    import pyaudio\n    from ..audio import speaker\n"
    )
    found = imported_names(source, "voicecoach.core.sample")
    assert {"voicecoach.core.plan", "pyaudio", "voicecoach.audio.speaker"} <= found


def test_a_cycle_is_found_and_named() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_itself_back_through_others() -> None:
    graph = import_graph()
    assert len(graph) > 40, "the graph should hold the whole package"
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_core_imports_no_audio_library_and_no_outer_layer() -> None:
    wrong: list[str] = []
    for name, path in modules().items():
        if not name.startswith("voicecoach.core"):
            continue
        for imported in sorted(imported_names(path, name)):
            top = imported.split(".")[0]
            if top in AUDIO_LIBRARIES or imported.startswith(OUTER_LAYERS):
                wrong.append(f"{name} imports {imported}")
    assert wrong == []
