"""Each test builds its own small pipeline in tmp_path from inline YAML; the few that
read the repository's own sample pipeline read a copy of it (``sample_copy``)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl.cli.app import app
from funnelctl.store import load_all, load_pipeline

STAGES = """\
currency: EUR
stages:
  - id: lead
    label: Lead
    probability: 0.1
    conversion: 0.5
    stall_days: 30
    milestones:
      - id: need_identified
        label: Need identified
  - id: nurture
    label: Nurture
    probability: 0.2
    conversion: 0.4
    stall_days: 45
    milestones:
      - id: budget_approved
        label: Budget approved
        evidence: required
    requires:
      need: 2
  - id: evaluation
    label: Evaluation
    probability: 0.5
    conversion: 0.625
    stall_days: 45
    milestones:
      - id: solution_accepted
        label: Solution accepted
    requires:
      power: 3
  - id: negotiation
    label: Negotiation
    probability: 0.8
    conversion: 0.8
    stall_days: 30
    milestones:
      - id: terms_agreed
        label: Terms agreed
    requires:
      power: 4
won: {id: won, label: Signed}
lost:
  reasons:
    - {id: competitor, label: Lost to a competitor, competitor: required}
    - {id: no_decision, label: No decision}
    - {id: other, label: Other, note: required}
ladders:
  - id: need
    label: Need
    levels: [none, suspected, stated, confirmed, agreed]
  - id: power
    label: Power
    levels: [unknown, told, recommended, met, accepts, joint plan, verbal yes]
action_kinds: [visit, call, demo]
rules: {follow_up_days: 15, judge_days: 30, repeat_actions: 3}
teams:
  east: [ann, bob]
"""

TODAY = dt.date(2026, 11, 24)

# The repository root: its stages.yaml and deals/ are the sample pipeline
REPO = Path(__file__).resolve().parent.parent


def deal_yaml(id: str, stage: str = "lead", owner: str = "ann", amount: int = 1000,
              history: list[tuple[str, str]] | None = None, status: str = "open",
              extra: str = "", created: str | None = None) -> str:
    """A minimal valid deal (milestones and levels are the caller's business)."""
    history = history or [(stage, "2026-11-01")]
    created = created or history[0][1]
    lines = [f"id: {id}", f"title: T {id}", f"account: A {id}", f"owner: {owner}",
             f"amount: {amount}", f"created: {created}", f"stage: {stage}",
             f"status: {status}", "history:"]
    for s, d in history:
        lines += [f"  - stage: {s}", f"    date: {d}"]
    return "\n".join(lines) + "\n" + textwrap.dedent(extra)


class World:
    """A pipeline folder with helpers to write deals and run commands."""

    def __init__(self, root: Path):
        self.root = root
        (root / "deals").mkdir()
        (root / "stages.yaml").write_text(STAGES, encoding="utf-8")
        self.runner = CliRunner()

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def deal(self, id: str, folder: str = "", **kw) -> Path:
        return self.write(f"deals/{folder + '/' if folder else ''}{id}.yaml", deal_yaml(id, **kw))

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def run(self, *args: str, today: dt.date = TODAY, cache: bool = True):
        opts = ["--dir", str(self.root), "--today", str(today)]
        if not cache:
            opts.append("--no-cache")
        return self.runner.invoke(app, [*opts, *args], catch_exceptions=False)

    def json(self, *args: str, **kw):
        res = self.run(*args, "--json", **kw)
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)

    def loaded(self):
        p = load_pipeline(self.root)
        return load_all(self.root, p, use_cache=False)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.delenv("FUNNELCTL_DIR", raising=False)
    monkeypatch.delenv("FUNNELCTL_TODAY", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    return World(tmp_path)


def copy_sample(dest: Path) -> Path:
    """The repository's sample pipeline (stages.yaml and deals/, without hidden files
    such as a write's temporary file) copied to ``dest``: a test on the copy never
    reads the repository's parse cache and never writes a cache, a lock or a deal
    into the repository. It still copies the sample as it is in the working tree:
    what someone changed there with funnelctl is in the copy too."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "stages.yaml", dest / "stages.yaml")
    shutil.copytree(REPO / "deals", dest / "deals", ignore=shutil.ignore_patterns(".*"))
    return dest


@pytest.fixture
def sample_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the repository's sample pipeline; returns its root."""
    monkeypatch.delenv("FUNNELCTL_DIR", raising=False)
    monkeypatch.delenv("FUNNELCTL_TODAY", raising=False)
    return copy_sample(tmp_path / "sample")
