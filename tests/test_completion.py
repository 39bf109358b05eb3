"""Shell completion's answers (funnelctl.cli.completion), asked the way a shell
asks: typer's completion environment variables on a small app wired with the
callbacks, over a pipeline built in the test."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from funnelctl.cli import completion as c
from funnelctl.pipeline import Stage

from .conftest import STAGES, World


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main(dir: str = typer.Option(None, "--dir")) -> None:
        pass

    @app.command()
    def score(deal: str = typer.Argument(..., autocompletion=c.complete_deal),
              ladder: str = typer.Argument(..., autocompletion=c.complete_ladder)) -> None:
        pass

    @app.command()
    def pick(owner: str = typer.Option(None, "--owner", autocompletion=c.complete_owner),
             team: str = typer.Option(None, "--team", autocompletion=c.complete_team),
             stage: str = typer.Option(None, "--stage", autocompletion=c.complete_stage),
             kind: str = typer.Option(None, "--kind", autocompletion=c.complete_kind),
             milestone: str = typer.Option(None, "--tick", autocompletion=c.complete_milestone),
             reason: str = typer.Option(None, "--reason", autocompletion=c.complete_reason),
             fmt: str = typer.Option("text", "--format",
                                     autocompletion=c.complete_values("text", "md"))) -> None:
        pass

    return app


def bash(root: Path | None, *words: str) -> list[str]:
    """What bash is offered after ``funnelctl [--dir ROOT] WORDS`` (the last word is
    the one being completed)."""
    line = ["funnelctl", *(["--dir", str(root)] if root else []), *words]
    res = CliRunner().invoke(make_app(), [], prog_name="funnelctl", env={
        "_FUNNELCTL_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(line),
        "COMP_CWORD": str(len(line) - 1)})
    assert res.exit_code == 0, res.output
    return [line for line in res.output.splitlines() if line]


def zsh(root: Path, *words: str) -> str:
    res = CliRunner().invoke(make_app(), [], prog_name="funnelctl", env={
        "_FUNNELCTL_COMPLETE": "complete_zsh",
        "_TYPER_COMPLETE_ARGS": " ".join(["funnelctl", "--dir", str(root), *words])})
    assert res.exit_code == 0, res.output
    return res.output


def cache(world: World) -> None:
    """Fill the parse cache: the files dated an hour back, since the cache leaves out
    a file changed within seconds of the scan (it could change again unseen)."""
    for path in (world.root / "deals").rglob("*.yaml"):
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 3600 * 10**9))
    assert world.run("list").exit_code == 0


@pytest.fixture
def deals(world: World) -> World:
    world.deal("acme-pumps", owner="ann")
    world.deal("acme-cooling", owner="bob", folder="east")
    world.deal("nordic", owner="cy")
    world.write("deals/.hidden.yaml", "id: x\n")
    world.write("deals/notes.txt", "not a deal\n")
    return world


def test_deal_ids_complete_from_the_file_names(deals: World) -> None:
    assert bash(deals.root, "score", "") == ["acme-cooling", "acme-pumps", "nordic"]
    assert bash(deals.root, "score", "ac") == ["acme-cooling", "acme-pumps"]
    assert bash(deals.root, "score", "acme-p") == ["acme-pumps"]
    assert bash(deals.root, "score", "zz") == []


def test_titles_come_from_a_current_cache_only(deals: World) -> None:
    assert "T acme-pumps" not in zsh(deals.root, "score", "acme")  # no cache yet
    cache(deals)
    out = zsh(deals.root, "score", "acme")
    assert '"acme-pumps":"T acme-pumps"' in out and '"acme-cooling":"T acme-cooling"' in out
    # a deal added since the cache was written completes all the same, untitled
    deals.deal("acme-new")
    assert "acme-new" in bash(deals.root, "score", "acme")
    # a cache of another stages.yaml is not read
    deals.write("stages.yaml", STAGES.replace("currency: EUR", "currency: USD"))
    assert "T acme-pumps" not in zsh(deals.root, "score", "acme")


def test_stages_yaml_lists_complete(deals: World) -> None:
    r = deals.root
    assert bash(r, "score", "acme-pumps", "") == ["need", "power"]
    assert bash(r, "score", "acme-pumps", "p") == ["power"]
    assert bash(r, "pick", "--stage", "") == ["lead", "nurture", "evaluation", "negotiation"]
    assert bash(r, "pick", "--kind", "") == ["visit", "call", "demo"]
    assert bash(r, "pick", "--tick", "s") == ["solution_accepted"]
    assert bash(r, "pick", "--reason", "") == ["competitor", "no_decision", "other"]
    assert bash(r, "pick", "--team", "") == ["east"]
    assert bash(r, "pick", "--format", "") == ["text", "md"]
    assert '"lead":"Lead"' in zsh(r, "pick", "--stage", "l")  # the label as help


def test_owners_come_from_deals_and_stages_yaml(deals: World) -> None:
    # without a cache: the team members of stages.yaml
    assert bash(deals.root, "pick", "--owner", "") == ["ann", "bob"]
    cache(deals)
    assert bash(deals.root, "pick", "--owner", "") == ["ann", "bob", "cy"]
    assert bash(deals.root, "pick", "--owner", "c") == ["cy"]


def test_no_pipeline_no_candidates_and_no_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FUNNELCTL_DIR", raising=False)
    assert bash(None, "score", "") == []
    assert bash(tmp_path / "nowhere", "pick", "--stage", "") == []
    assert bash(tmp_path / "nowhere", "pick", "--owner", "") == []


def test_the_pipeline_of_funnelctl_dir(deals: World, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path.parent)
    monkeypatch.setenv("FUNNELCTL_DIR", str(deals.root))
    assert bash(None, "score", "n") == ["nordic"]


LABELLED = STAGES.replace("    label: Power\n", "    label: Power\n    labels: {zh: 权力}\n")


@pytest.mark.skipif("labels" not in {f.name for f in dataclasses.fields(Stage)},
                    reason="stages.yaml's labels: need the pipeline.py change of issue 13")
def test_a_label_completes_to_itself(deals: World) -> None:
    deals.write("stages.yaml", LABELLED)
    assert bash(deals.root, "score", "acme-pumps", "权") == ["权力"]
    assert bash(deals.root, "score", "acme-pumps", "pow") == ["power"]


def test_completion_in_chinese_answers_and_exits_0(tmp_path) -> None:
    """A shell asking for completions in a Chinese pipeline (lang: zh) gets the ids and
    exit 0, with nothing on stderr: the Chinese front end lets typer's own exit pass."""
    import os
    import shutil
    import subprocess
    import sys

    root = tmp_path / "zh"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "zh", root)
    env = {**os.environ, "COMP_WORDS": "funnelctl show huanghe-shuini-c", "COMP_CWORD": "2",
           "_FUNNELCTL_COMPLETE": "complete_bash", "FUNNELCTL_DIR": str(root)}
    exe = shutil.which("funnelctl", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("funnelctl is not installed beside this Python")
    res = subprocess.run([exe], env=env, capture_output=True, text=True, encoding="utf-8")
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""
    assert res.stdout.split() == ["huanghe-shuini-chedui-guanli-xitong"]
    env.update(COMP_WORDS="funnelctl day --owner li", COMP_CWORD="3")
    res = subprocess.run([exe], env=env, capture_output=True, text=True, encoding="utf-8")
    assert res.returncode == 0 and res.stdout.split() == ["li.wei"], res.stderr
