"""`funnelctl edit DEAL`, like `crontab -e`: the deal opens in $VISUAL/$EDITOR, is
checked on save, and opens again with the problems listed at the top until it is
valid or the user gives up; only a valid, changed deal is written.

The editor is a small Python script written by each test: per call it records the
file it was given and edits it as the test's script says (replace text, write it
empty, change the real deal file behind the user's back, exit with a status)."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import World

EDITOR = r'''
import json, os, sys
from pathlib import Path

here = Path(os.environ["FAKE_EDITOR_DIR"])
path = Path(sys.argv[-1])
n = len(list(here.glob("call-*.txt")))
steps = json.loads((here / "steps.json").read_text())
step = steps[n] if n < len(steps) else {}
(here / f"call-{n}.txt").write_bytes(path.read_bytes())
text = path.read_text(encoding="utf-8")
line = text.split("\n", 1)[0]  # where an editor's YAML language server looks
schema = line.split("$schema=", 1)[1] if "$schema=" in line else None
(here / f"path-{n}.txt").write_text(json.dumps({
    "path": str(path), "args": sys.argv[1:-1],
    "schema": schema and (path.parent / schema).is_file()}))
for old, new in step.get("replace", []):
    assert old in text, (old, text)
    text = text.replace(old, new)
if "write" in step:
    text = step["write"]
path.write_text(text, encoding="utf-8")
for rel, old, new in step.get("disk", []):  # someone else changes the real file
    real = Path(os.environ["FAKE_EDITOR_ROOT"]) / rel
    real.write_text(real.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
sys.exit(step.get("exit", 0))
'''

ACME = """\
# Acme Pumps: line 3 cooling
id: acme
title: Line 3 cooling
account: Acme Pumps
owner: ann
amount: 120000
created: 2026-11-01
stage: lead
status: open
history:
  - stage: lead
    date: 2026-11-01
milestones:
  need_identified: {date: 2026-11-02}
notes: call the CFO
"""


class Editor:
    """The fake editor: ``steps`` for its calls, and what each call was given."""

    def __init__(self, folder: Path, root: Path, monkeypatch: pytest.MonkeyPatch):
        self.folder = folder
        folder.mkdir()
        script = folder.parent / "fake_editor.py"
        script.write_text(EDITOR, encoding="utf-8")
        self.command = shlex.join([sys.executable, str(script)])
        monkeypatch.setenv("VISUAL", self.command)
        monkeypatch.delenv("EDITOR", raising=False)
        monkeypatch.setenv("FAKE_EDITOR_DIR", str(folder))
        monkeypatch.setenv("FAKE_EDITOR_ROOT", str(root))

    def steps(self, *steps: dict) -> None:
        (self.folder / "steps.json").write_text(json.dumps(list(steps)), encoding="utf-8")

    @property
    def calls(self) -> int:
        return len(list(self.folder.glob("call-*.txt")))

    def given(self, n: int) -> str:
        return (self.folder / f"call-{n}.txt").read_text(encoding="utf-8")

    def opened(self, n: int) -> dict:
        return json.loads((self.folder / f"path-{n}.txt").read_text(encoding="utf-8"))


@pytest.fixture
def temp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's temporary folder, for this test alone (outside the pipeline, which
    is tmp_path): edit must leave it empty."""
    folder = tmp_path_factory.mktemp("systemp")
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def editor(world: World, tmp_path_factory: pytest.TempPathFactory, temp: Path,
           monkeypatch: pytest.MonkeyPatch) -> Editor:
    world.write("deals/east/acme.yaml", ACME)
    return Editor(tmp_path_factory.mktemp("editor") / "calls", world.root, monkeypatch)


REL = "deals/east/acme.yaml"


def test_a_problem_reopens_the_file_with_it_listed_until_it_is_fixed(
        world: World, editor: Editor, temp: Path) -> None:
    editor.steps({"replace": [["stage: lead\nstatus", "stage: closing\nstatus"]]},
                 {"replace": [["stage: closing\nstatus", "stage: lead\nstatus"],
                              ["notes: call the CFO", "notes: call the CFO on Monday"]]})
    res = world.run("edit", "acme")
    assert res.exit_code == 0, res.output
    assert res.stdout == f"acme: edited ({REL})\n"
    assert editor.calls == 2
    assert editor.given(0) == ACME
    # the saved version again, under four lines of notes: stage: is line 8 + 4
    notes = [
        f"# funnelctl: {REL} is not valid: fix what is listed below and save (lines as in "
        "this file), or save it unchanged or empty to give up",
        "# funnelctl:",
        "# funnelctl: line 12: unknown stage 'closing' (stages: lead, nurture, evaluation, "
        "negotiation, won)",
        "# funnelctl: line 14: history ends at 'lead' but the deal is at 'closing'",
    ]
    assert editor.given(1) == "\n".join(notes) + "\n" + ACME.replace(
        "stage: lead\nstatus", "stage: closing\nstatus")
    assert editor.given(1).splitlines()[11] == "stage: closing"
    # the notes are gone, every other byte is the user's
    assert world.read(REL) == ACME.replace("notes: call the CFO", "notes: call the CFO on Monday")
    # the copy lived outside the repository, and nothing of it is left
    opened = Path(editor.opened(0)["path"])
    assert opened.name == "acme.yaml" and world.root not in opened.parents
    assert temp in opened.parents and list(temp.iterdir()) == []


def test_saving_it_unchanged_after_a_problem_gives_up(world: World, editor: Editor,
                                                      temp: Path) -> None:
    editor.steps({"replace": [["amount: 120000", "amount: lots"]]}, {})
    res = world.run("edit", "acme")
    assert res.exit_code == 1
    assert res.stderr == (f"funnelctl: the file was saved unchanged: gave up, {REL} left as "
                          "it was\n")
    assert editor.calls == 2
    # amount: is line 6, under three lines of notes
    assert ("# funnelctl: line 9: amount: Input should be a valid number, unable to parse "
            "string as a number\n") in editor.given(1)
    assert world.read(REL) == ACME
    assert list(temp.iterdir()) == []


def test_saving_it_empty_gives_up(world: World, editor: Editor, temp: Path) -> None:
    editor.steps({"write": "\n\n"})
    res = world.run("edit", "acme")
    assert res.exit_code == 1
    assert res.stderr == f"funnelctl: the file was saved empty: gave up, {REL} left as it was\n"
    assert editor.calls == 1 and world.read(REL) == ACME
    assert list(temp.iterdir()) == []


def test_a_file_saved_as_it_was_writes_nothing(world: World, editor: Editor) -> None:
    before = (world.root / REL).stat().st_mtime_ns
    editor.steps({})
    res = world.run("edit", "acme")
    assert res.exit_code == 0, res.output
    assert res.stdout == f"acme: no changes ({REL})\n"
    assert (world.root / REL).stat().st_mtime_ns == before


def test_an_editor_that_fails_writes_nothing(world: World, editor: Editor, temp: Path) -> None:
    editor.steps({"replace": [["notes: call the CFO", "notes: x"]], "exit": 3})
    res = world.run("edit", "acme")
    assert res.exit_code == 1
    assert res.stderr == "funnelctl: the editor exited with status 3; nothing written\n"
    assert world.read(REL) == ACME and list(temp.iterdir()) == []


def test_visual_then_editor_split_as_a_shell_would_never_run_by_one(
        world: World, editor: Editor, monkeypatch: pytest.MonkeyPatch) -> None:
    editor.steps({"replace": [["notes: call the CFO", "notes: from $EDITOR"]]})
    monkeypatch.setenv("VISUAL", "")
    # an argument with a space and a shell character stays one argument
    monkeypatch.setenv("EDITOR", editor.command + " '--wait here;' ")
    res = world.run("edit", "acme")
    assert res.exit_code == 0, res.output
    assert editor.opened(0)["args"] == ["--wait here;"]
    assert "notes: from $EDITOR" in world.read(REL)
    monkeypatch.setenv("VISUAL", str(world.root / "no-such-editor"))
    res = world.run("edit", "acme")
    assert res.exit_code == 1
    assert "cannot run the editor" in res.stderr and "not found" in res.stderr
    monkeypatch.setenv("VISUAL", "vim 'unclosed")
    res = world.run("edit", "acme")
    assert res.exit_code == 2 and "$VISUAL" in res.stderr


def test_a_problem_the_deal_had_already_does_not_block_the_edit(
        world: World, editor: Editor) -> None:
    flagged = ACME + "actions:\n  - {date: 2026-11-03, kind: fax}\n"
    world.write(REL, flagged)
    editor.steps({"replace": [["notes: call the CFO", "notes: sent the offer"]]})
    res = world.run("edit", "acme")
    assert res.exit_code == 0, res.output
    assert world.read(REL) == flagged.replace("call the CFO", "sent the offer")
    assert f"note: {REL} is still flagged, as it was before the edit:" in res.stderr
    assert f"{REL}:17: unknown action kind 'fax'" in res.stderr
    # a second one of the same kind is new
    editor.steps({"replace": [["kind: fax}", "kind: fax}\n  - {date: 2026-11-04, kind: fax}"]]},
                 {})
    for f in editor.folder.glob("call-*"):
        f.unlink()
    res = world.run("edit", "acme")
    assert res.exit_code == 1 and editor.calls == 2
    assert "# funnelctl: line 21: unknown action kind 'fax'" in editor.given(1)


def test_a_change_made_meanwhile_is_shown_and_overwritten_only_when_saved_again(
        world: World, editor: Editor) -> None:
    editor.steps({"replace": [["notes: call the CFO", "notes: mine"]],
                  "disk": [[REL, "amount: 120000", "amount: 90000"]]},
                 {})
    res = world.run("edit", "acme")
    assert res.exit_code == 0, res.output
    assert editor.calls == 2
    given = editor.given(1)
    assert given.startswith(f"# funnelctl: {REL} was changed by someone else while you "
                            "edited it;")
    assert "# funnelctl: -amount: 120000\n# funnelctl: +amount: 90000\n" in given
    assert given.endswith(ACME.replace("notes: call the CFO", "notes: mine"))
    assert world.read(REL) == ACME.replace("notes: call the CFO", "notes: mine")


def test_the_copy_finds_the_schema_its_first_line_names(world: World, editor: Editor) -> None:
    assert world.run("schema", "--write").exit_code == 0
    world.write(REL, "# yaml-language-server: $schema=../../.funnelctl/deal.schema.json\n"
                + ACME)
    editor.steps({})
    assert world.run("edit", "acme").exit_code == 0
    assert editor.opened(0)["schema"] is True
    # the link to it went with the copy; the schema itself stays
    assert (world.root / ".funnelctl" / "deal.schema.json").is_file()


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout


def test_commit_commits_the_edited_deal_alone(world: World, editor: Editor, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    git(world.root, "init", "-q", "-b", "main")
    git(world.root, "config", "user.name", "Ann Lee")
    git(world.root, "config", "user.email", "ann@acme.example")
    git(world.root, "add", "-A")
    git(world.root, "commit", "-qm", "start")
    editor.steps({"replace": [["notes: call the CFO", "notes: met the CFO"],
                              ["amount: 120000", "amount: 150000"]]})
    res = world.run("edit", "acme", "--commit")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == f"acme: edited ({REL})"
    assert res.stdout.splitlines()[1].endswith(": edit acme: amount, notes")
    assert git(world.root, "log", "-1", "--format=%an|%s") == "Ann Lee|edit acme: amount, notes\n"
    assert git(world.root, "show", "--name-only", "--format=", "HEAD").split() == [REL]
    assert git(world.root, "status", "--porcelain") == ""
    # a give-up commits nothing
    editor.steps({"write": ""})
    for f in editor.folder.glob("call-*"):
        f.unlink()
    assert world.run("edit", "acme", "--commit").exit_code == 1
    assert git(world.root, "rev-list", "--count", "HEAD") == "2\n"


def test_commit_outside_a_repository_opens_no_editor(world: World, editor: Editor) -> None:
    editor.steps({"replace": [["notes: call the CFO", "notes: x"]]})
    res = world.run("edit", "acme", "--commit")
    assert res.exit_code == 1 and editor.calls == 0
    assert world.read(REL) == ACME


def test_an_unknown_deal_is_named(world: World, editor: Editor) -> None:
    res = world.run("edit", "nope")
    assert res.exit_code == 1 and "no deal 'nope'" in res.stderr
    assert editor.calls == 0
