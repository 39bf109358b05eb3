"""The layers stay visible: analysis is pure, rendering never reads files, and only
the command line reads the clock."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "funnelctl"

# what each layer may import from funnelctl
ALLOWED = {
    "analysis": {"funnelctl.pipeline", "funnelctl.model", "funnelctl.summary",
                 "funnelctl.analysis"},
    "render": {"funnelctl.pipeline", "funnelctl.summary", "funnelctl.analysis",
               "funnelctl.render"},
    "pipeline.py": set(),
    "model.py": {"funnelctl.pipeline", "funnelctl.patterns"},
    "problems.py": set(),
    "readmodel.py": {"funnelctl.model", "funnelctl.patterns"},
    "patterns.py": set(),
    "summary.py": {"funnelctl.model", "funnelctl.readmodel"},
    "checks.py": {"funnelctl.model", "funnelctl.readmodel", "funnelctl.pipeline"},
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
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

    code = ("import sys, funnelctl.store, funnelctl.cache, funnelctl.render.views, "
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
    run = [sys.executable, "-c", "from funnelctl.cli.app import main; main()",
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
    run = [sys.executable, "-c", "from funnelctl.cli.app import main; main()",
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
