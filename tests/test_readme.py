"""README shows real output: every ```console block that starts with `$ funnelctl`
is run on a copy of the repository's sample pipeline and must print exactly what
README says; a block with `--dir examples/zh` runs on a copy of the Chinese sample
(the blocks run in README's order, so a write shows in the blocks after it).

After changing a view, refresh README with:  python -m tests.test_readme --update
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from funnelctl.cli.app import app

from .conftest import REPO, copy_sample

README = REPO / "README.md"
BLOCK = re.compile(r"```console\n(\$ funnelctl [^\n]*)\n(.*?)```", re.S)
ENV = {"FUNNELCTL_TODAY": "2026-11-24", "NO_COLOR": "1", "COLUMNS": "100"}


ZH = "examples/zh"


def copy_zh(dest: Path) -> Path:
    shutil.copytree(REPO / ZH, dest, ignore=shutil.ignore_patterns(".*"))
    return dest


def run(command: str, root: Path, zh: Path | None = None) -> str:
    """The command as README's reader runs it: in the pipeline (FUNNELCTL_DIR), or
    in the Chinese sample's copy for ``--dir examples/zh``."""
    args = shlex.split(command)[2:]  # drop "$ funnelctl"
    if zh is not None and args[:2] == ["--dir", ZH]:
        args[1] = str(zh)
    env = {**ENV, "FUNNELCTL_DIR": str(root)}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
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


def rendered(text: str, root: Path, zh: Path) -> str:
    return BLOCK.sub(lambda m: f"```console\n{m.group(1)}\n{run(m.group(1), root, zh)}```",
                     text)


def test_readme_examples_print_what_readme_shows(sample_copy: Path, tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)
    assert len(blocks) >= 8
    zh = copy_zh(tmp_path / "zh")
    for command, shown in blocks:
        assert run(command, sample_copy, zh) == shown, \
            f"README is stale for: {command} (see module docstring)"


def test_every_command_has_help_and_appears_in_readme() -> None:
    text = README.read_text(encoding="utf-8")
    for cmd in app.registered_commands:
        name = cmd.name
        assert cmd.callback.__doc__ and "Example:" in cmd.callback.__doc__, name
        assert f"funnelctl {name}" in text, f"README never shows funnelctl {name}"
    for group in app.registered_groups:  # `contact add`, `contact set`
        for cmd in group.typer_instance.registered_commands:
            name = f"{group.name} {cmd.name}"
            assert cmd.callback.__doc__ and "Example:" in cmd.callback.__doc__, name
            assert f"$ funnelctl {name}" in text, f"README never shows funnelctl {name}"


if __name__ == "__main__" and "--update" in sys.argv:
    with tempfile.TemporaryDirectory() as tmp:
        sample = copy_sample(Path(tmp) / "sample")
        zh = copy_zh(Path(tmp) / "zh")
        README.write_text(rendered(README.read_text(encoding="utf-8"), sample, zh),
                          encoding="utf-8")
    print("README.md refreshed")
