"""README shows real output: every ```console block that starts with `$ funnelctl`
is run on the repository's sample pipeline and must print exactly what README says.

After changing a view, refresh README with:  python -m tests.test_readme --update
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

from typer.testing import CliRunner

from funnelctl.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n(\$ funnelctl [^\n]*)\n(.*?)```", re.S)
ENV = {"FUNNELCTL_TODAY": "2026-11-24", "NO_COLOR": "1", "COLUMNS": "100",
       "FUNNELCTL_DIR": str(ROOT)}


def run(command: str) -> str:
    args = shlex.split(command)[2:]  # drop "$ funnelctl"
    old = {k: os.environ.get(k) for k in ENV}
    os.environ.update(ENV)
    try:
        res = CliRunner().invoke(app, ["--no-cache", *args], catch_exceptions=False)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    out = res.stdout + res.stderr
    return "\n".join(line.rstrip() for line in out.splitlines()) + "\n"


def rendered(text: str) -> str:
    return BLOCK.sub(lambda m: f"```console\n{m.group(1)}\n{run(m.group(1))}```", text)


def test_readme_examples_print_what_readme_shows() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)
    assert len(blocks) >= 8
    for command, shown in blocks:
        assert run(command) == shown, f"README is stale for: {command} (see module docstring)"


def test_every_command_has_help_and_appears_in_readme() -> None:
    text = README.read_text(encoding="utf-8")
    for cmd in app.registered_commands:
        name = cmd.name
        assert cmd.callback.__doc__ and "Example:" in cmd.callback.__doc__, name
        assert f"funnelctl {name}" in text, f"README never shows funnelctl {name}"


if __name__ == "__main__" and "--update" in sys.argv:
    README.write_text(rendered(README.read_text(encoding="utf-8")), encoding="utf-8")
    print("README.md refreshed")
