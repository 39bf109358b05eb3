"""The merge driver: three versions of a deal merged by meaning.

First the pure merge (``gitio.merge.merge_deals``) on hand-written texts, each
expected result written out in full; then the driver as git runs it: a bare remote,
two clones with ``funnelctl git-setup`` run in each, and every pair of write
commands made on the same deal in both clones, pushed and pulled."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl.cli.app import app
from funnelctl.gitio.merge import Unmergeable, merge_deals

from .conftest import STAGES

BASE = """\
# Acme Pumps: line 3 cooling
id: acme
title: Line 3 cooling   # as the customer calls it
account: "Acme Pumps"
owner: ann
amount: 120000
created: 2026-11-01
stage: lead
status: open
contacts:
  - name: Zhang Min
    role: plant director
history:
  - stage: lead
    date: 2026-11-01

# what the customer has passed
milestones:
  need_identified:
    date: 2026-11-02
    evidence: 'asked for a quote'
levels:
  need: {level: 2, date: 2026-11-02, evidence: stated}
actions:
  - date: 2026-11-10
    kind: call
    goal: intro
next:
  date: 2026-11-28
  step: call the CFO
crm_ref: X-1   # a key the team added
# notes kept by the rep
notes: prefers exact delivery windows
"""


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


ACTIONS_END = "    goal: intro\n"


def action(day: str, kind: str, goal: str) -> str:
    return f"  - date: {day}\n    kind: {kind}\n    goal: {goal}\n"


# -- the pure merge ------------------------------------------------------------------


def test_actions_added_on_both_sides_are_kept_by_date_ours_first_on_a_day() -> None:
    ours = edit(BASE, (ACTIONS_END, ACTIONS_END + action("2026-11-24", "visit", "ours visit")))
    theirs = edit(BASE, (ACTIONS_END, ACTIONS_END + action("2026-11-20", "demo", "their demo")
                         + action("2026-11-24", "call", "their call")
                         + action("2026-11-26", "visit", "their visit")))
    merged = merge_deals(BASE, ours, theirs)
    assert merged.conflicts == []
    assert merged.text == edit(BASE, (ACTIONS_END, ACTIONS_END
                                      + action("2026-11-20", "demo", "their demo")
                                      + action("2026-11-24", "visit", "ours visit")
                                      + action("2026-11-24", "call", "their call")
                                      + action("2026-11-26", "visit", "their visit")))


def test_an_item_both_sides_added_is_kept_once() -> None:
    both = action("2026-11-24", "visit", "the same visit")
    ours = edit(BASE, (ACTIONS_END, ACTIONS_END + both + action("2026-11-24", "call", "ours")))
    theirs = edit(BASE, (ACTIONS_END, ACTIONS_END + both))
    merged = merge_deals(BASE, ours, theirs)
    assert merged.conflicts == [] and merged.text == ours


def test_history_and_contacts_from_both_sides_are_kept() -> None:
    history_end = "  - stage: lead\n    date: 2026-11-01\n"
    ours = edit(BASE, ("stage: lead\nstatus", "stage: nurture\nstatus"),
                (history_end, history_end + "  - stage: nurture\n    date: 2026-11-24\n"),
                ("    role: plant director\n",
                 "    role: plant director\n  - name: Anna Berg\n    role: buyer\n"))
    theirs = edit(BASE, ("    role: plant director\n",
                         "    role: plant director\n  - name: Li Wei\n    role: CFO\n"))
    merged = merge_deals(BASE, ours, theirs)
    assert merged.conflicts == []
    assert merged.text == edit(ours, ("    role: buyer\n",
                                      "    role: buyer\n  - name: Li Wei\n    role: CFO\n"))


def test_milestones_ticked_on_either_side_are_kept_and_one_tick_on_both_once() -> None:
    ticked = "    evidence: 'asked for a quote'\n"
    same = "  terms_agreed: {date: 2026-11-24}\n"
    ours = edit(BASE, (ticked, ticked + "  budget_approved:\n    date: 2026-11-24\n"
                       "    evidence: CFO mail\n" + same))
    theirs = edit(BASE, (ticked, ticked + same + "  solution_accepted:\n    date: 2026-11-23\n"))
    merged = merge_deals(BASE, ours, theirs)
    assert merged.conflicts == []
    assert merged.text == edit(ours, (same, same + "  solution_accepted:\n"
                                            "    date: 2026-11-23\n"))


def test_a_field_changed_on_one_side_takes_that_side() -> None:
    ours = edit(BASE, ("owner: ann", "owner: bob"), ("    date: 2026-11-02\n    evidence: 'a",
                                                      "    date: 2026-11-03\n    evidence: 'a"))
    theirs = edit(BASE, ("amount: 120000", "amount: 95000"),
                  ("level: 2, date: 2026-11-02", "level: 3, date: 2026-11-24"),
                  ("  step: call the CFO", "  step: visit the CFO"))
    merged = merge_deals(BASE, ours, theirs)
    assert merged.conflicts == []
    assert merged.text == edit(theirs, ("owner: ann", "owner: bob"),
                               ("    date: 2026-11-02\n    evidence: 'a",
                                "    date: 2026-11-03\n    evidence: 'a"))


def test_a_key_theirs_removed_or_added_goes_with_its_own_lines_only() -> None:
    """`lose` removes next: and adds status and outcome; the comment after next: and
    the one that ends the file stay where they were."""
    ours = edit(BASE, (ACTIONS_END, ACTIONS_END + action("2026-11-24", "visit", "ours")))
    theirs = edit(BASE, ("status: open", "status: lost"),
                  ("next:\n  date: 2026-11-28\n  step: call the CFO\n", ""),
                  ("notes: prefers exact delivery windows\n",
                   "notes: prefers exact delivery windows\noutcome:\n  date: 2026-11-24\n"
                   "  reason: no_decision\n"))
    merged = merge_deals(BASE, ours, theirs)
    assert merged.conflicts == []
    assert merged.text == edit(theirs, (ACTIONS_END, ACTIONS_END
                                        + action("2026-11-24", "visit", "ours")))


def test_a_field_changed_differently_on_both_sides_is_a_conflict_on_its_lines_only() -> None:
    ours = edit(BASE, ("stage: lead\nstatus", "stage: evaluation\nstatus"),
                ("amount: 120000", "amount: 140000"),
                (ACTIONS_END, ACTIONS_END + action("2026-11-24", "visit", "ours")))
    theirs = edit(BASE, ("stage: lead\nstatus", "stage: nurture\nstatus"),
                  ("amount: 120000", "amount: 130000"),
                  ("  step: call the CFO", "  step: send the offer"))
    merged = merge_deals(BASE, ours, theirs)
    assert merged.conflicts == ["amount", "stage"]
    assert merged.text == edit(
        ours, ("amount: 140000\n", "<<<<<<< ours\namount: 140000\n=======\namount: 130000\n"
                                   ">>>>>>> theirs\n"),
        ("stage: evaluation\n", "<<<<<<< ours\nstage: evaluation\n=======\nstage: nurture\n"
                                ">>>>>>> theirs\n"),
        ("  step: call the CFO", "  step: send the offer"))


def test_a_block_field_conflicts_as_its_block_without_the_comment_after_it() -> None:
    base = edit(BASE, ("  need: {level: 2, date: 2026-11-02, evidence: stated}\n",
                       "  power:\n    level: 1\n    date: 2026-11-02   # told\n\n"
                       "  # the need, as the plant director says it\n"
                       "  need: {level: 2, date: 2026-11-02, evidence: stated}\n"))
    ours = edit(base, ("    level: 1\n    date: 2026-11-02", "    level: 3\n    date: 2026-11-24"))
    theirs = edit(base, ("    level: 1\n    date: 2026-11-02",
                         "    level: 2\n    date: 2026-11-23"),
                  ("level: 2, date: 2026-11-02, evidence: stated",
                   "level: 3, date: 2026-11-23, evidence: agreed"))
    merged = merge_deals(base, ours, theirs)
    assert merged.conflicts == ["levels.power"]
    assert merged.text == edit(
        theirs, ("  power:\n    level: 2\n    date: 2026-11-23   # told\n",
                 "<<<<<<< ours\n  power:\n    level: 3\n    date: 2026-11-24   # told\n=======\n"
                 "  power:\n    level: 2\n    date: 2026-11-23   # told\n>>>>>>> theirs\n"))


def test_one_milestone_ticked_with_other_evidence_on_each_side_is_a_conflict() -> None:
    ticked = "    evidence: 'asked for a quote'\n"
    ours = edit(BASE, (ticked, ticked + "  budget_approved:\n    date: 2026-11-24\n"
                       "    evidence: CFO mail\n"))
    theirs = edit(BASE, (ticked, ticked + "  budget_approved:\n    date: 2026-11-24\n"
                         "    evidence: board minutes\n"))
    merged = merge_deals(BASE, ours, theirs, marker_size=9)
    assert merged.conflicts == ["milestones.budget_approved"]
    assert merged.text == edit(BASE, (ticked, ticked + "<<<<<<<<< ours\n  budget_approved:\n"
                                      "    date: 2026-11-24\n    evidence: CFO mail\n=========\n"
                                      "  budget_approved:\n    date: 2026-11-24\n"
                                      "    evidence: board minutes\n>>>>>>>>> theirs\n"))


def test_a_contact_changed_on_one_side_is_changed_in_place_and_on_both_conflicts() -> None:
    ours = edit(BASE, ("    role: plant director\n",
                       "    role: plant director\n  - name: Anna Berg\n    role: buyer\n"))
    theirs = edit(BASE, ("    role: plant director\n", "    role: plant director\n"
                         "    met: 2026-11-20\n"))
    merged = merge_deals(BASE, ours, theirs)
    assert merged.conflicts == []
    assert merged.text == edit(ours, ("    role: plant director\n", "    role: plant director\n"
                                      "    met: 2026-11-20\n"))
    ours = edit(BASE, ("    role: plant director\n", "    role: CEO\n"))
    merged = merge_deals(BASE, ours, theirs)
    assert merged.conflicts == ["contacts[Zhang Min]"]
    assert merged.text == edit(ours, ("  - name: Zhang Min\n    role: CEO\n",
                                      "<<<<<<< ours\n  - name: Zhang Min\n    role: CEO\n=======\n"
                                      "  - name: Zhang Min\n    role: plant director\n"
                                      "    met: 2026-11-20\n>>>>>>> theirs\n"))


def test_line_endings_and_a_bom_survive() -> None:
    base = "\ufeff" + BASE.replace("\n", "\r\n")
    ours = base.replace("owner: ann", "owner: bob")
    theirs = base.replace("amount: 120000", "amount: 1")
    assert merge_deals(base, ours, theirs).text == ours.replace("amount: 120000", "amount: 1")
    theirs = base.replace("owner: ann", "owner: cid")
    merged = merge_deals(base, ours, theirs)
    assert merged.text == ours.replace("owner: bob\r\n", "<<<<<<< ours\r\nowner: bob\r\n=======\r\n"
                                                         "owner: cid\r\n>>>>>>> theirs\r\n")


def test_a_deal_both_sides_created_merges_from_an_empty_base() -> None:
    """Two reps who register the same deal (git's add/add): no base, so every field
    they wrote differently is a conflict, and the lists are joined."""
    theirs = edit(BASE, ("owner: ann", "owner: bob"),
                  (ACTIONS_END, ACTIONS_END + action("2026-11-24", "visit", "theirs")))
    merged = merge_deals("", BASE, theirs)
    assert merged.conflicts == ["owner"]
    assert merged.text == edit(BASE, ("owner: ann\n", "<<<<<<< ours\nowner: ann\n=======\n"
                                                      "owner: bob\n>>>>>>> theirs\n"),
                               (ACTIONS_END, ACTIONS_END + action("2026-11-24", "visit",
                                                                  "theirs")))


def test_one_side_unchanged_gives_the_other_byte_for_byte() -> None:
    odd = "id: acme   \n# odd: [\nstage:   lead\n"
    assert merge_deals(BASE, BASE, odd).text == odd
    assert merge_deals(BASE, odd, BASE).text == odd


@pytest.mark.parametrize("broken", ["id: [\n", "- a list\n", "just text\n", ""])
def test_a_version_that_is_no_yaml_mapping_cannot_be_merged_by_meaning(broken: str) -> None:
    with pytest.raises(Unmergeable):
        merge_deals(BASE, edit(BASE, ("owner: ann", "owner: bob")), broken)


def test_the_driver_falls_back_to_a_line_merge(tmp_path: Path) -> None:
    """A version that is not YAML (a conflict left from before): git's own merge of
    lines, its markers, exit 1; a clean line merge exits 0."""
    base, ours, theirs = (tmp_path / n for n in ("O", "A", "B"))
    base.write_text("id: [\nb\nc\n")
    ours.write_text("id: [\nb\nc\nours\n")
    theirs.write_text("first\nid: [\nb\nc\n")
    res = CliRunner().invoke(app, ["merge-driver", str(base), str(ours), str(theirs), "x.yaml"])
    assert res.exit_code == 0, res.output
    assert ours.read_text() == "first\nid: [\nb\nc\nours\n"
    theirs.write_text("id: [\nb\nc\ntheirs\n")
    ours.write_text("id: [\nb\nc\nours\n")
    res = CliRunner().invoke(app, ["merge-driver", str(base), str(ours), str(theirs), "x.yaml"])
    assert res.exit_code == 1
    assert ours.read_text() == "id: [\nb\nc\n<<<<<<< ours\nours\n=======\ntheirs\n>>>>>>> theirs\n"
    assert "x.yaml: not a deal funnelctl can merge by meaning" in res.stderr


def test_the_driver_writes_the_merge_and_names_the_conflicts(tmp_path: Path) -> None:
    base, ours, theirs = (tmp_path / n for n in ("O", "A", "B"))
    base.write_text(BASE)
    ours.write_text(edit(BASE, ("owner: ann", "owner: bob")))
    theirs.write_text(edit(BASE, ("owner: ann", "owner: cid"), ("amount: 120000", "amount: 1")))
    res = CliRunner().invoke(app, ["merge-driver", str(base), str(ours), str(theirs),
                                   "deals/acme.yaml", "8"])
    assert res.exit_code == 1
    assert res.stderr == "funnelctl: deals/acme.yaml: conflict in owner\n"
    assert ours.read_text() == edit(BASE, ("owner: ann\n", "<<<<<<<< ours\nowner: bob\n"
                                           "========\nowner: cid\n>>>>>>>> theirs\n"),
                                    ("amount: 120000", "amount: 1"))


# -- two clones of one remote --------------------------------------------------------

TODAY = "2026-11-24"

# a deal from which every write below is allowed: lead, with lead's and nurture's
# milestones ticked, need 2 and power 3 (advance reaches nurture, or evaluation)
DEAL = """\
# Acme Pumps: line 3 cooling
id: {id}
title: Line 3 cooling   # as the customer calls it
account: "Acme Pumps"
owner: ann
amount: 120000
created: 2026-11-01
close: 2027-03-31
stage: lead
status: open
contacts:
  - name: Zhang Min
    role: plant director
    decision_maker: true
history:
  - stage: lead
    date: 2026-11-01

# what the customer has passed
milestones:
  need_identified:
    date: 2026-11-02
    evidence: 'asked for a quote'
  budget_approved:
    date: 2026-11-05
    evidence: CFO mail
levels:
  need: {{level: 2, date: 2026-11-02, evidence: stated}}
  power: {{level: 3, date: 2026-11-05, evidence: met the director}}
actions:
  - date: 2026-11-10
    kind: call
    goal: intro
    result: interested
    moved: false
next:
  date: 2026-11-28
  step: call the CFO
crm_ref: X-1   # a key the team added
# notes kept by the rep
notes: prefers exact delivery windows
"""

# Each case: the write made in clone A (pushed first), the one made in clone B (which
# pulls, so B is "ours" and A "theirs"), and the conflicting field's lines (ours,
# theirs) or None. A write is a funnelctl command, or ("edit", old, new) on the text.
# (A tick both sides made alike, and lose's removal of next:, are merged above.)
CASES = {
    "tick-tick": (("tick", "{id}", "solution_accepted"), ("tick", "{id}", "terms_agreed"), None),
    "act-act": (("act", "{id}", "--kind", "visit", "--goal", "A visits"),
                ("act", "{id}", "--kind", "call", "--goal", "B calls"), None),
    "score-score": (("score", "{id}", "need", "3", "--evidence", "A: confirmed"),
                    ("score", "{id}", "power", "4", "--evidence", "B: accepts"), None),
    "score-score-same-ladder": (
        ("score", "{id}", "power", "4", "--evidence", "A: accepts"),
        ("score", "{id}", "power", "5", "--evidence", "B: joint plan"),
        ("  power: {level: 5, date: 2026-11-24, evidence: \"B: joint plan\"}\n",
         "  power: {level: 4, date: 2026-11-24, evidence: \"A: accepts\"}\n")),
    "act-advance": (("act", "{id}", "--kind", "visit", "--goal", "A visits"),
                    ("advance", "{id}"), None),
    "tick-advance": (("tick", "{id}", "solution_accepted"), ("advance", "{id}"), None),
    "contact-contact": (("contact", "Li Wei", "CFO"), ("contact", "Anna Berg", "buyer"), None),
    "advance-advance": (("advance", "{id}"), ("advance", "{id}", "--to", "evaluation"),
                        ("stage: evaluation\n", "stage: nurture\n")),
    "amount-amount": (("edit", "amount: 120000", "amount: 130000"),
                      ("edit", "amount: 120000", "amount: 140000"),
                      ("amount: 140000\n", "amount: 130000\n")),
}


def git_env(bin_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "FUNNELCTL_"))}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="Rep", GIT_AUTHOR_EMAIL="rep@example.invalid",
               GIT_COMMITTER_NAME="Rep", GIT_COMMITTER_EMAIL="rep@example.invalid",
               PATH=bin_dir + os.pathsep + env.get("PATH", ""), NO_COLOR="1")
    return env


def git(cwd: Path, *args: str, env: dict[str, str], ok: bool = True) -> subprocess.CompletedProcess:
    res = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if ok:
        assert res.returncode == 0, f"git {' '.join(args)}: {res.stdout}{res.stderr}"
    return res


def funnelctl(root: Path, *args: str) -> object:
    res = CliRunner().invoke(app, ["--dir", str(root), "--today", TODAY, *args])
    return res


def write(root: Path, case: str, step: tuple[str, ...]) -> None:
    rel = root / "deals" / f"{case}.yaml"
    if step[0] == "edit":
        rel.write_text(edit(rel.read_text(encoding="utf-8"), step[1:]), encoding="utf-8")
    elif step[0] == "contact":  # no command adds a contact yet: as a round-trip edit
        from ruamel.yaml.comments import CommentedMap

        from funnelctl import yamlio
        from funnelctl.edits import append_item

        y, doc = yamlio.rt_load(rel.read_text(encoding="utf-8"))
        contact = CommentedMap(name=step[1], role=step[2])
        append_item(doc["contacts"], contact)
        rel.write_text(yamlio.rt_dump(y, doc), encoding="utf-8")
    else:
        res = funnelctl(root, *(a.replace("{id}", case) for a in step))
        assert res.exit_code == 0, f"{case}: {step}: {res.output}"


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory):
    """A bare remote and two clones, each set up with `funnelctl git-setup`; every
    case's deal pushed from the first clone; then each case's two writes, A's pushed
    first, B's committed and pulled: git runs the merge driver (a real process found
    on PATH) on every deal both changed. Returns (clone B, the pull, validate)."""
    bin_dir = os.path.dirname(sys.executable)
    assert shutil.which("funnelctl", path=bin_dir), f"funnelctl is not installed in {bin_dir}"
    env = git_env(bin_dir)
    tmp = tmp_path_factory.mktemp("team")
    with pytest.MonkeyPatch.context() as mp:
        for k in list(os.environ):
            if k.startswith(("GIT_", "FUNNELCTL_")):
                mp.delenv(k)
        for k, v in env.items():
            mp.setenv(k, v)
        git(tmp, "init", "--quiet", "--bare", "-b", "main", "remote.git", env=env)
        a, b = tmp / "a", tmp / "b"
        res = CliRunner().invoke(app, ["init", str(a)])
        assert res.exit_code == 0, res.output
        (a / "stages.yaml").write_text(STAGES, encoding="utf-8")
        for case in CASES:
            (a / "deals" / f"{case}.yaml").write_text(DEAL.format(id=case), encoding="utf-8")
        git(a, "checkout", "--quiet", "-b", "main", env=env)
        git(a, "add", "-A", env=env)
        git(a, "commit", "--quiet", "-m", "the pipeline", env=env)
        git(a, "remote", "add", "origin", str(tmp / "remote.git"), env=env)
        git(a, "push", "--quiet", "-u", "origin", "main", env=env)
        git(tmp, "clone", "--quiet", str(tmp / "remote.git"), "b", env=env)
        for clone in (a, b):
            res = CliRunner().invoke(app, ["--dir", str(clone), "git-setup"])
            assert res.exit_code == 0, res.output
        for case, (step_a, step_b, _) in CASES.items():
            write(a, case, step_a)
            write(b, case, step_b)
        git(a, "commit", "--quiet", "-am", "A's writes", env=env)
        git(a, "push", "--quiet", env=env)
        git(b, "commit", "--quiet", "-am", "B's writes", env=env)
        pull = git(b, "pull", "--no-rebase", "--no-edit", env=env, ok=False)
        validate = funnelctl(b, "validate")
    return b, pull, validate


def unmerged(root: Path) -> set[str]:
    return set(git(root, "diff", "--name-only", "--diff-filter=U",
                   env=git_env(os.path.dirname(sys.executable))).stdout.split())


def deal(root: Path, case: str) -> dict:
    from funnelctl.yamlio import load_fast

    return load_fast((root / "deals" / f"{case}.yaml").read_text(encoding="utf-8"))


def test_git_setup_made_git_run_the_driver(merged) -> None:
    b, pull, _ = merged
    conflicting = {f"deals/{case}.yaml" for case, (_, _, c) in CASES.items() if c}
    assert pull.returncode == 1, pull.stdout + pull.stderr
    assert unmerged(b) == conflicting
    for path in conflicting:
        assert f"CONFLICT (content): Merge conflict in {path}" in pull.stdout


@pytest.mark.parametrize("case", [c for c, (_, _, conflict) in CASES.items() if not conflict])
def test_writes_that_change_different_fields_merge_cleanly(merged, case: str) -> None:
    b, _, validate = merged
    rel = f"deals/{case}.yaml"
    assert rel not in unmerged(b)
    assert rel not in validate.stdout  # validate names no problem in it
    text = (b / rel).read_text(encoding="utf-8")
    for kept in ("# Acme Pumps: line 3 cooling\n", "title: Line 3 cooling   # as the customer",
                 "\n\n# what the customer has passed\nmilestones:\n",
                 "crm_ref: X-1   # a key the team added\n# notes kept by the rep\n"):
        assert kept in text, f"{case}: lost {kept!r}"
    d = deal(b, case)
    goals = [a["goal"] for a in d["actions"]]
    stages = [(h["stage"], str(h["date"])) for h in d["history"]]
    expected = {
        "tick-tick": lambda: set(d["milestones"]) == {"need_identified", "budget_approved",
                                                      "solution_accepted", "terms_agreed"},
        "act-act": lambda: goals == ["intro", "B calls", "A visits"],  # ours first on a day
        "score-score": lambda: (d["levels"]["need"]["level"], d["levels"]["power"]["level"])
        == (3, 4),
        "act-advance": lambda: goals == ["intro", "A visits"] and d["stage"] == "nurture"
        and stages == [("lead", "2026-11-01"), ("nurture", TODAY)],
        "tick-advance": lambda: "solution_accepted" in d["milestones"]
        and d["stage"] == "nurture" and stages[-1] == ("nurture", TODAY),
        "contact-contact": lambda: [c["name"] for c in d["contacts"]]
        == ["Zhang Min", "Anna Berg", "Li Wei"],
    }[case]
    assert expected(), f"{case}: {d}"


@pytest.mark.parametrize("case", [c for c, (_, _, conflict) in CASES.items() if conflict])
def test_writes_that_change_one_field_conflict_on_exactly_that_field(merged, case: str) -> None:
    b, _, validate = merged
    rel = f"deals/{case}.yaml"
    assert rel in unmerged(b)
    ours, theirs = CASES[case][2]
    text = (b / rel).read_text(encoding="utf-8")
    hunks = re.findall(r"^<<<<<<< ours\n(.*?)^=======\n(.*?)^>>>>>>> theirs\n", text,
                       re.M | re.S)
    assert hunks == [(ours, theirs)], text
    line = text[: text.index("<<<<<<<")].count("\n") + 1
    assert f"{rel}:{line}: a git merge conflict marker (<<<<<<<): resolve the conflict" \
        in validate.stdout.splitlines()
    # taking either side leaves a deal that validate reads
    resolved = re.sub(r"^<<<<<<< ours\n(.*?)^=======\n.*?^>>>>>>> theirs\n", r"\1", text,
                      flags=re.M | re.S)
    assert deal_reads(resolved)


def deal_reads(text: str) -> bool:
    from funnelctl.yamlio import load_fast

    return isinstance(load_fast(text), dict)


def test_validate_names_only_the_conflicts(merged) -> None:
    _, _, validate = merged
    conflicting = sorted(f"deals/{case}.yaml" for case, (_, _, c) in CASES.items() if c)
    assert validate.exit_code == 1
    named = sorted(line.split(":", 1)[0] for line in validate.stdout.splitlines()[:-1])
    assert named == conflicting, validate.stdout


def test_a_clone_without_the_driver_merges_lines_as_before(tmp_path: Path) -> None:
    """.gitattributes names the driver; a clone that has not run git-setup gets git's
    own line merge, not an error."""
    env = git_env(os.path.dirname(sys.executable))
    git(tmp_path, "init", "--quiet", "-b", "main", env=env)
    (tmp_path / ".gitattributes").write_text("deals/**/*.yaml merge=funnelctl\n")
    (tmp_path / "deals").mkdir()
    (tmp_path / "deals" / "x.yaml").write_text(textwrap.dedent("""\
        id: x
        a: 1
        b: 2
        c: 3
        """))
    git(tmp_path, "add", "-A", env=env)
    git(tmp_path, "commit", "--quiet", "-m", "x", env=env)
    git(tmp_path, "checkout", "--quiet", "-b", "other", env=env)
    (tmp_path / "deals" / "x.yaml").write_text("id: x\na: 1\nb: 2\nc: 4\n")
    git(tmp_path, "commit", "--quiet", "-am", "c", env=env)
    git(tmp_path, "checkout", "--quiet", "main", env=env)
    (tmp_path / "deals" / "x.yaml").write_text("id: x\na: 0\nb: 2\nc: 3\n")
    git(tmp_path, "commit", "--quiet", "-am", "a", env=env)
    git(tmp_path, "merge", "--quiet", "--no-edit", "other", env=env)
    assert (tmp_path / "deals" / "x.yaml").read_text() == "id: x\na: 0\nb: 2\nc: 4\n"
