"""The rep's writes: each changes only the lines it means to, refuses without
touching the file, and never stores anything derived."""

from __future__ import annotations

import difflib
import textwrap

DEAL = """\
# Acme Pumps: line 3 cooling pumps
id: acme
title: Line 3 cooling   # as the customer calls it
account: "Acme Pumps"
owner: li.wei
amount: 120000
created: 2026-11-01
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
levels:
  need: {level: 2, date: 2026-11-02, evidence: stated}
crm_ref: X-1   # a key the team added
"""


def diff(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if not line.startswith(("---", "+++", "@@"))]


def setup(world, text: str = DEAL) -> str:
    world.write("deals/acme.yaml", text)
    return text


def test_advance_changes_the_stage_line_and_appends_one_history_entry(world) -> None:
    before = setup(world)
    res = world.run("advance", "acme")
    assert res.exit_code == 0, res.output
    assert res.stdout == "acme: advanced lead -> nurture (deals/acme.yaml)\n"
    after = world.read("deals/acme.yaml")
    assert diff(before, after) == [
        "-stage: lead", "+stage: nurture",
        "+  - stage: nurture", "+    date: 2026-11-24"]
    # the new entry sits right after the old one: the blank line and comment stay
    # between the list and the next key
    assert "    date: 2026-11-01\n  - stage: nurture\n    date: 2026-11-24\n\n# what" in after


def test_advance_refuses_and_leaves_the_file_byte_for_byte(world) -> None:
    before = setup(world, DEAL.replace("need: {level: 2", "need: {level: 1"))
    path = world.root / "deals/acme.yaml"
    mtime = path.stat().st_mtime_ns
    res = world.run("advance", "acme", "--to", "evaluation")
    assert res.exit_code == 1
    # need >= 2 is nurture's entry requirement; the deal moves past nurture, so only
    # nurture's milestones and evaluation's requirements are asked
    assert res.stderr.splitlines() == [
        "funnelctl: cannot advance acme to evaluation: 2 missing",
        "  - milestone budget_approved (nurture): Budget approved",
        "  - requirement power>=3: power is 0, evaluation needs 3"]
    assert path.read_text() == before and path.stat().st_mtime_ns == mtime


def test_forced_advance_records_reason_and_waivers(world) -> None:
    before = setup(world)
    res = world.run("advance", "acme", "--to", "evaluation", "--force")
    assert res.exit_code == 1 and "--force needs --reason" in res.stderr
    assert world.read("deals/acme.yaml") == before
    res = world.run("advance", "acme", "--to", "evaluation", "--force", "--reason",
                    "tender deadline")
    assert res.exit_code == 0, res.output
    assert diff(before, world.read("deals/acme.yaml")) == [
        "-stage: lead", "+stage: evaluation",
        "+  - stage: evaluation", "+    date: 2026-11-24", "+    reason: tender deadline",
        "+    waived: [budget_approved, power>=3]"]
    # validation accepts the waived items, and show lists them
    assert world.run("validate").exit_code == 0
    shown = world.json("show", "acme")
    assert shown["moves"][-1]["waived"] == ["budget_approved", "power>=3"]
    assert shown["moves"][-1]["reason"] == "tender deadline"


def test_moving_back_is_allowed_and_shown_as_a_regression(world) -> None:
    setup(world)
    world.run("tick", "acme", "budget_approved", "-e", "CFO mail")
    world.run("score", "acme", "power", "3", "-e", "met")
    assert world.run("advance", "acme", "--to", "evaluation").exit_code == 0
    res = world.run("advance", "acme", "--to", "nurture")
    assert res.exit_code == 0 and "regressed evaluation -> nurture" in res.stdout
    assert [m["move"] for m in world.json("show", "acme")["moves"]] == [
        "entered", "advanced", "regressed"]


def test_tick_score_act_append_only_their_lines(world) -> None:
    before = setup(world)
    assert world.run("tick", "acme", "budget_approved", "-e", "CFO: approved").exit_code == 0
    assert world.run("score", "acme", "power", "2", "-e", "no").exit_code == 0
    assert world.run("act", "acme", "-k", "visit", "-g", "meet the CFO", "-r", "yes",
                     "--moved", "--next", "2026-12-01: send offer").exit_code == 0
    after = world.read("deals/acme.yaml")
    assert diff(before, after) == [
        "+  budget_approved:", "+    date: 2026-11-24", '+    evidence: "CFO: approved"',
        "+  power:", "+    level: 2", "+    date: 2026-11-24", '+    evidence: "no"',
        "+actions:", "+  - date: 2026-11-24", "+    kind: visit", "+    goal: meet the CFO",
        '+    result: "yes"', "+    moved: true",
        "+next:", "+  date: 2026-12-01", "+  step: send offer"]
    assert "crm_ref: X-1   # a key the team added" in after


def test_score_updates_a_level_in_place(world) -> None:
    before = setup(world)
    res = world.run("score", "acme", "need", "3", "-e", "real need: delivery time")
    assert res.exit_code == 0 and "need 3 (was 2)" in res.stdout
    assert diff(before, world.read("deals/acme.yaml")) == [
        "-  need: {level: 2, date: 2026-11-02, evidence: stated}",
        '+  need: {level: 3, date: 2026-11-24, evidence: "real need: delivery time"}']


def test_refusals_of_tick_score_act(world) -> None:
    before = setup(world)
    cases = [
        (["tick", "acme", "budget_approved"], "needs --evidence"),
        (["tick", "acme", "nope", "-e", "x"], "unknown milestone 'nope'"),
        (["tick", "acme", "need_identified", "-e", "x"], "already ticked (2026-11-02)"),
        (["score", "acme", "power", "7", "-e", "x"], "power has levels 0..6"),
        (["score", "acme", "luck", "1", "-e", "x"], "unknown ladder 'luck'"),
        (["act", "acme", "-k", "party", "-g", "x"], "unknown action kind 'party'"),
        (["act", "acme", "-k", "visit", "-g", "x", "--next", "tomorrow"], "expected"),
        (["act", "acme", "-k", "visit", "-g", "x", "--next", "2026-11-01: y"], "in the past"),
        (["advance", "nobody"], "no deal 'nobody'"),
        (["lose", "acme", "--reason", "competitor"], "needs --competitor"),
        (["lose", "acme", "--reason", "weather"], "unknown loss reason"),
        (["win", "acme"], "cannot sign acme"),
    ]
    for args, msg in cases:
        res = world.run(*args)
        assert res.exit_code == 1, args
        assert msg in res.stderr, (args, res.stderr)
        assert "Traceback" not in res.output
    assert world.read("deals/acme.yaml") == before


def test_win_and_lose(world) -> None:
    setup(world)
    world.run("act", "acme", "-k", "call", "-g", "g", "--next", "2026-12-01: x")
    res = world.run("lose", "acme", "--reason", "competitor", "--competitor", "Grundfos",
                    today=__import__("datetime").date(2026, 11, 25))
    assert res.exit_code == 0, res.output
    text = world.read("deals/acme.yaml")
    assert "status: lost\n" in text
    assert text.endswith("outcome:\n  date: 2026-11-25\n  reason: competitor\n"
                         "  competitor: Grundfos\n")
    assert "next:" not in text  # a closed deal has no next step
    assert world.run("validate").exit_code == 0
    res = world.run("advance", "acme")
    assert res.exit_code == 1 and "is lost" in res.stderr


def test_win_after_every_milestone(world) -> None:
    setup(world, DEAL.replace("stage: lead\nstatus", "stage: negotiation\nstatus").replace(
        "    date: 2026-11-01\n\n", "    date: 2026-11-01\n  - stage: negotiation\n"
        "    date: 2026-11-03\n\n").replace(
        "levels:\n  need: {level: 2, date: 2026-11-02, evidence: stated}\n",
        "  budget_approved: {date: 2026-11-02, evidence: mail}\n"
        "  solution_accepted: {date: 2026-11-02}\n  terms_agreed: {date: 2026-11-03}\n"
        "levels:\n  need: {level: 2, date: 2026-11-02, evidence: stated}\n"
        "  power: {level: 4, date: 2026-11-02}\n"))
    assert world.run("validate").exit_code == 0
    res = world.run("win", "acme")
    assert res.exit_code == 0, res.output
    d = world.json("show", "acme")
    assert d["deal"]["status"] == "won" and d["deal"]["stage"] == "won"
    assert d["deal"]["outcome"] == {"date": "2026-11-24"}
    assert d["derived"]["probability"] == 1.0


def test_nothing_derived_is_written(world) -> None:
    setup(world)
    world.run("tick", "acme", "budget_approved", "-e", "x")
    world.run("advance", "acme", "--force", "--reason", "r")
    text = world.read("deals/acme.yaml")
    for derived in ("days", "probability", "weighted", "stalled"):
        assert derived not in text


def test_append_keeps_a_comment_after_the_last_item_last(world) -> None:
    text = textwrap.dedent("""\
        id: acme
        title: t
        account: a
        owner: o
        amount: 1
        created: 2026-11-01
        stage: lead
        history:
          - stage: lead
            date: 2026-11-01
          # keep me last in history
        actions:
          - date: 2026-11-01
            kind: call
            goal: g
        # end of file comment
        """)
    world.write("deals/acme.yaml", text)
    assert world.run("act", "acme", "-k", "visit", "-g", "again").exit_code == 0
    after = world.read("deals/acme.yaml")
    assert after.endswith("    goal: g\n  - date: 2026-11-24\n    kind: visit\n"
                          "    goal: again\n    moved: false\n# end of file comment\n")
    assert world.run("snooze", "acme", "--until", "2027-01-10", "--reason",
                     "budget").exit_code == 0
    after = world.read("deals/acme.yaml")
    assert after.endswith("    moved: false\nsnooze:\n  until: 2027-01-10\n  reason: budget\n"
                          "# end of file comment\n")
    assert "    date: 2026-11-01\n  # keep me last in history\nactions:" in after


def test_a_write_on_an_unreadable_deal_is_refused(world) -> None:
    world.write("deals/acme.yaml", "id: acme\ntitle: [\n")
    res = world.run("tick", "acme", "need_identified")
    assert res.exit_code == 1
    assert "cannot be read as a deal" in res.stderr
    assert "deals/acme.yaml:3: not valid YAML" in res.stderr


def test_act_can_record_yesterdays_visit_but_not_tomorrows(world) -> None:
    setup(world)
    res = world.run("act", "acme", "-k", "visit", "-g", "g", "--date", "2026-11-25")
    assert res.exit_code == 1 and "in the future" in res.stderr
    assert world.run("act", "acme", "-k", "visit", "-g", "g", "--date", "2026-11-23").exit_code == 0
    assert "  - date: 2026-11-23\n    kind: visit\n" in world.read("deals/acme.yaml")


def test_two_writes_at_once_both_land(world) -> None:
    """The second command waits for the first instead of overwriting its change."""
    import threading
    import time

    from funnelctl import edits
    from funnelctl.store import load_pipeline, update_deal

    setup(world)
    p = load_pipeline(world.root)
    today = __import__("datetime").date(2026, 11, 24)

    def slow_act(goal: str):
        def change(doc, deal):
            edits.act(doc, deal, p, today, "call", goal, "", False, None)
            time.sleep(0.2)  # the other thread tries to write meanwhile
        return change

    threads = [threading.Thread(target=update_deal,
                                args=(world.root, "deals/acme.yaml", p, slow_act(g)))
               for g in ("first call", "second call")]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    text = world.read("deals/acme.yaml")
    assert "goal: first call" in text and "goal: second call" in text
