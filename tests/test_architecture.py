"""The layers stay visible: analysis is pure, rendering never reads files, and only
the command line reads the clock."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "funnelctl"

# what each layer may import from funnelctl
ALLOWED = {
    "analysis": {"funnelctl.pipeline", "funnelctl.model", "funnelctl.summary",
                 "funnelctl.analysis", "funnelctl.checks", "funnelctl.i18n"},
    "render": {"funnelctl.pipeline", "funnelctl.summary", "funnelctl.analysis",
               "funnelctl.render", "funnelctl.i18n"},
    "pipeline.py": set(),
    "model.py": {"funnelctl.pipeline", "funnelctl.patterns"},
    "problems.py": set(),
    "readmodel.py": {"funnelctl.model", "funnelctl.patterns"},
    "patterns.py": set(),
    "summary.py": {"funnelctl.model", "funnelctl.readmodel"},
    "gitio": {"funnelctl.gitio", "funnelctl.store", "funnelctl.model", "funnelctl.pipeline",
              "funnelctl.summary", "funnelctl.readmodel", "funnelctl.yamlio",
              "funnelctl.problems", "funnelctl.checks", "funnelctl.edits",
              "funnelctl.patterns", "funnelctl.i18n"},
    "checks.py": {"funnelctl.model", "funnelctl.readmodel", "funnelctl.pipeline",
                  "funnelctl.patterns", "funnelctl.i18n"},
}


def imports(path: Path, runtime_only: bool = False) -> set[str]:
    """The funnelctl modules a file imports; ``runtime_only`` leaves out the
    ``if TYPE_CHECKING:`` blocks (types only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                node.body = []
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "funnelctl":
            out.update(f"funnelctl.{a.name}" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m.startswith("funnelctl")}


def layer_files(layer: str) -> list[Path]:
    target = PKG / layer
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


def test_layers_import_only_what_they_may() -> None:
    for layer, allowed in ALLOWED.items():
        for path in layer_files(layer):
            for mod in imports(path):
                assert any(mod == a or mod.startswith(a + ".") for a in allowed), \
                    f"{path.relative_to(PKG.parent)} imports {mod}"


def test_only_the_command_line_reads_the_clock() -> None:
    for path in PKG.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "common.py" and path.parent.name == "cli":
            continue
        for needle in ("date.today(", "datetime.now(", "datetime.today("):
            assert needle not in text, f"{path.relative_to(PKG.parent)} reads the clock"


def test_analysis_does_no_io() -> None:
    for path in layer_files("analysis") + layer_files("render"):
        text = path.read_text(encoding="utf-8")
        for needle in ("open(", "read_text(", "read_bytes(", "write_text(", "os.scandir"):
            assert needle not in text, f"{path.relative_to(PKG.parent)} does I/O: {needle}"


def test_a_warm_read_needs_no_pydantic() -> None:
    """pydantic (~90 ms with our models) and PyYAML (~15 ms) are for parsing: the
    loader and the views must not need them when nothing has to be parsed."""
    import subprocess
    import sys

    code = ("import sys, funnelctl.store, funnelctl.store.cache, funnelctl.render.views, "
            "funnelctl.analysis.review, funnelctl.analysis.board, funnelctl.analysis.plan, "
            "funnelctl.analysis.forecast; "
            "print('pydantic' in sys.modules or 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_the_entry_point_exits_with_the_commands_code_and_all_its_output(world) -> None:
    """main() leaves without freeing what it loaded (os._exit): what was printed must
    still arrive, whole, and the exit code must be the command's."""
    import subprocess
    import sys

    for i in range(30):
        world.deal(f"d{i:02d}", history=[("lead", "2026-10-01")])
    world.write("deals/broken.yaml", "id: [\n")
    run = [sys.executable, "-c", "from funnelctl.cli.root import main; main()",
           "--dir", str(world.root), "--today", "2026-11-24"]
    listed = subprocess.run([*run, "list"], capture_output=True, text=True)
    assert listed.returncode == 0
    assert listed.stdout.count("\n") == 32 and "30 deals" in listed.stdout
    assert "1 file left out" in listed.stderr
    bad = subprocess.run([*run, "validate"], capture_output=True, text=True)
    assert bad.returncode == 1 and "deals/broken.yaml:2: not valid YAML" in bad.stdout
    usage = subprocess.run([*run, "no-such-command"], capture_output=True, text=True)
    assert usage.returncode == 2


def test_a_reader_that_leaves_early_is_not_an_error(world) -> None:
    """`funnelctl review --json | head`: once the reader has gone, the rest of the
    output is not wanted; the command ends quietly with 0, in text and in JSON."""
    import subprocess
    import sys

    for i in range(120):
        world.deal(f"d{i:03d}", history=[("lead", "2026-10-01")])
    run = [sys.executable, "-c", "from funnelctl.cli.root import main; main()",
           "--dir", str(world.root), "--today", "2026-11-24"]
    for args in (["review", "--json"], ["list"]):
        full = subprocess.run([*run, *args], capture_output=True, check=True).stdout
        assert len(full) > 2 * 65536 or args == ["list"]  # more than a pipe holds
        proc = subprocess.Popen([*run, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout.read(100) == full[:100]
        proc.stdout.close()
        assert proc.wait() == 0, args
        assert proc.stderr.read() == b""
        proc.stderr.close()


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the funnelctl modules it imports when it runs (at any depth of its
    code: an import inside a function is still a dependency)."""
    modules = {_module_name(p): p for p in PKG.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for mod in imports(path, runtime_only=True):
            # `from funnelctl.store import cache` names a module or a name in one
            while mod and mod not in modules:
                mod = mod.rpartition(".")[0]
            if mod and mod != name:
                deps.add(mod)
        graph[name] = deps
    return graph


def _is_package_of(a: str, b: str) -> bool:
    return b.startswith(a + ".")


def test_no_module_imports_itself_back() -> None:
    """No import cycles between modules (a package's __init__ re-exporting its own
    modules is not a cycle)."""
    graph = _import_graph()
    for start in graph:
        stack = [(start, (start,))]
        seen = set()
        while stack:
            node, path = stack.pop()
            for dep in graph.get(node, ()):
                if _is_package_of(dep, node) or _is_package_of(node, dep):
                    continue
                if dep == start:
                    raise AssertionError("import cycle: " + " -> ".join((*path, dep)))
                if dep not in seen:
                    seen.add(dep)
                    stack.append((dep, (*path, dep)))


def test_the_pure_layers_know_nothing_of_processes() -> None:
    """analysis/ and render/ are functions of their arguments: a second core is used
    by the store or the command, never passed in or started from here."""
    banned = ("funnelctl.aside", "multiprocessing", "concurrent", "threading", "subprocess")
    for path in layer_files("analysis") + layer_files("render"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                assert not name.startswith(banned), \
                    f"{path.relative_to(PKG.parent)} imports {name}"
            if isinstance(node, ast.arg):
                assert node.arg != "aside", f"{path.relative_to(PKG.parent)} takes an aside"
            if isinstance(node, ast.Attribute) and node.attr in ("fork", "forkpty"):
                raise AssertionError(f"{path.relative_to(PKG.parent)} forks")


def test_one_module_runs_git() -> None:
    """gitio/run.py is the only module that starts git: the rest of gitio are pure
    functions over what it returns."""
    for path in PKG.rglob("*.py"):
        if path == PKG / "gitio" / "run.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert '"git"' not in text, f"{path.relative_to(PKG.parent)} runs git itself"
    for path in layer_files("gitio"):
        if path.name != "run.py":
            assert "subprocess" not in imports_all(path), \
                f"{path.relative_to(PKG.parent)} starts processes"


def imports_all(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out
