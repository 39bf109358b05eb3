"""The program loads only the command module a run needs (cli/root.py MODULES): the
table must name every command's module, and a run of the real program must work for
a command, for help, for an unknown command and with global options anywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from funnelctl.cli.app import app
from funnelctl.cli.root import MODULES, command_name

ROOT = Path(__file__).resolve().parent.parent


def registered() -> dict[str, str]:
    """Each command (and group) registered on the full app -> its module's short name."""
    out = {}
    for c in app.registered_commands:
        name = c.name or typer.main.get_command_name(c.callback.__name__)
        out[name] = c.callback.__module__.rsplit(".", 1)[1]
    for g in app.registered_groups:
        out[g.name] = g.typer_instance.registered_commands[0].callback.__module__.rsplit(
            ".", 1)[1]
    return out


def test_the_table_names_every_command_and_its_module():
    assert registered() == MODULES


@pytest.mark.parametrize("args, name", [
    (["review"], "review"),
    (["--today", "2026-11-24", "review", "--json"], "review"),
    (["-C", "review", "funnel"], "funnel"),  # -C takes a value, even one named review
    (["--no-cache", "--lang=zh", "list"], "list"),
    (["--dir", "x", "--", "stalls"], "stalls"),
    (["--help"], None),
    ([], None),
    (["--today", "2026-11-24"], None),
])
def test_command_name(args, name):
    assert command_name(args) == name


def loaded_after(args: list[str]) -> set[str]:
    code = ("import sys; from funnelctl.cli.root import load_commands; "
            f"load_commands({args!r}); "
            "print(' '.join(m for m in sys.modules if m.startswith('funnelctl.cli.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


def test_a_command_loads_its_module_only_and_help_loads_all():
    one = loaded_after(["--today", "2026-11-24", "funnel", "--json"])
    assert "funnelctl.cli.funnel" in one
    assert not {"funnelctl.cli.review", "funnelctl.cli.writes", "funnelctl.cli.io"} & one
    every = {f"funnelctl.cli.{m}" for m in MODULES.values()}
    assert every <= loaded_after(["--help"])
    assert every <= loaded_after(["no-such-command"])
    assert "funnelctl.cli.writes" not in loaded_after(["--version"])


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "FUNNELCTL_LANG": "en"}
    env.pop("FUNNELCTL_TODAY", None)
    return subprocess.run([sys.executable, "-m", "funnelctl", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_program_runs_one_command_help_and_usage_errors(tmp_path):
    shutil.copy(ROOT / "stages.yaml", tmp_path / "stages.yaml")
    shutil.copytree(ROOT / "deals", tmp_path / "deals")
    # a global option after the command's name still reaches the root
    r = run(["funnel", "--today", "2026-11-24", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.lstrip().startswith("{")
    both = run(["--today", "2026-11-24", "funnel", "--json"], tmp_path)
    assert both.stdout == r.stdout
    h = run(["--help"], tmp_path)
    assert h.returncode == 0
    for name in ("review", "act", "contact", "show", "forecast"):
        assert f" {name} " in h.stdout
    bad = run(["revew"], tmp_path)
    assert bad.returncode == 2
    assert "No such command 'revew'" in bad.stderr
    sub = run(["contact", "--help"], tmp_path)
    assert sub.returncode == 0 and "Usage:" in sub.stdout
    v = run(["--version"], tmp_path)
    assert v.returncode == 0 and v.stdout.startswith("funnelctl ")
