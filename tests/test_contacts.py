"""contact add|set: the people on the buyer's side are kept current by command,
changing only the lines meant; a contact is found by name ignoring case; a
meeting fills the first meeting or the latest one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from funnelctl import yamlio
from tests.conftest import World
from tests.test_write_inputs import VALUES, _accepted_or_refused
from tests.test_writes import diff

DEAL = """\
# Acme Pumps: line 3
id: acme
title: Line 3 cooling
account: Acme Pumps
owner: ann
amount: 120000
created: 2026-10-01
stage: lead
status: open
contacts:
  - name: Zhang Min   # met at the fair
    role: plant director
    decision_maker: true
    met: 2026-10-05
  - {name: Eva Lind, role: buyer, veto: true}
history:
  - stage: lead
    date: 2026-10-01
levels:
  power: {level: 3, date: 2026-10-05, evidence: met him}
# the end of the file
"""


@pytest.fixture
def acme(world: World) -> str:
    world.write("deals/acme.yaml", DEAL)
    return DEAL


def contacts(world: World) -> list[dict]:
    return yamlio.load_fast((world.root / "deals/acme.yaml").read_bytes())["contacts"]


def test_add_appends_one_block_entry_with_what_was_given(world: World, acme: str) -> None:
    res = world.run("contact", "add", "acme", "  Wang Li ", "--role", "CFO", "--decision-maker",
                    "--met", "2026-11-20", "--goal", "cut energy cost 10%", "--attitude",
                    "neutral", "--phone", "+86 21 5555")
    assert res.exit_code == 0, res.output
    assert res.stdout == "acme: contact Wang Li added (deals/acme.yaml)\n"
    assert diff(acme, world.read("deals/acme.yaml")) == [
        "+  - name: Wang Li", "+    role: CFO", "+    decision_maker: true",
        "+    met: 2026-11-20", "+    phone: +86 21 5555", "+    goal: cut energy cost 10%",
        "+    attitude: neutral"]
    # the new entry follows the last contact; the comment closing the file stays last
    assert world.read("deals/acme.yaml").endswith("# the end of the file\n")


def test_add_refuses_a_name_the_deal_has_whatever_its_case(world: World, acme: str) -> None:
    res = world.run("contact", "add", "acme", "zhang  MIN", "--role", "x")
    assert res.exit_code == 1
    assert "acme has a contact 'Zhang Min' already: funnelctl contact set" in res.stderr
    assert world.read("deals/acme.yaml") == acme


def test_add_to_a_deal_without_contacts_creates_the_list(world: World) -> None:
    world.deal("d1")
    res = world.run("contact", "add", "d1", "Ann Bell", "--veto")
    assert res.exit_code == 0, res.output
    assert world.read("deals/d1.yaml").endswith(
        "contacts:\n  - name: Ann Bell\n    veto: true\n")


def test_set_refuses_an_unknown_name_and_lists_the_contacts(world: World, acme: str) -> None:
    res = world.run("contact", "set", "acme", "Wang Li", "--met", "2026-11-20")
    assert res.exit_code == 1
    assert "acme has no contact 'Wang Li' (contacts: Zhang Min, Eva Lind)" in res.stderr
    assert world.read("deals/acme.yaml") == acme


def test_set_refuses_a_name_two_contacts_share(world: World) -> None:
    text = DEAL.replace("{name: Eva Lind,", "{name: zhang min,")
    world.write("deals/acme.yaml", text)
    res = world.run("contact", "set", "acme", "Zhang Min", "--phone", "1")
    assert res.exit_code == 1
    assert "acme has 2 contacts named 'Zhang Min': tell them apart" in res.stderr
    assert world.read("deals/acme.yaml") == text


def test_set_changes_only_the_lines_given(world: World, acme: str) -> None:
    res = world.run("contact", "set", "acme", "zhang min", "--goal", "payback in 2 years",
                    "--attitude", "supporter", "--role", "plant director")
    assert res.exit_code == 0, res.output
    # the role was already so: not rewritten, not reported
    assert res.stdout == ("acme: Zhang Min: goal: payback in 2 years; attitude: supporter "
                          "(deals/acme.yaml)\n")
    assert diff(acme, world.read("deals/acme.yaml")) == [
        "+    goal: payback in 2 years", "+    attitude: supporter"]
    assert "  - name: Zhang Min   # met at the fair\n" in world.read("deals/acme.yaml")


@pytest.mark.parametrize(("given", "met", "last_met"), [
    # first met 2026-10-05, no later meeting recorded:
    ("2026-11-20", "2026-10-05", "2026-11-20"),  # a later meeting is the latest
    ("2026-10-05", "2026-10-05", None),  # the same day again: nothing changes
    ("2026-09-01", "2026-09-01", "2026-10-05"),  # an earlier one is the first; 10-05 the latest
])
def test_met_fills_the_first_meeting_or_the_latest(world: World, acme: str, given: str,
                                                   met: str, last_met: str | None) -> None:
    res = world.run("contact", "set", "acme", "Zhang Min", "--met", given)
    assert res.exit_code == 0, res.output
    c = contacts(world)[0]
    assert (str(c["met"]), str(c["last_met"]) if "last_met" in c else None) == (met, last_met)


def test_met_on_a_contact_never_met_sets_the_first_meeting_only(world: World,
                                                               acme: str) -> None:
    res = world.run("contact", "set", "acme", "Eva Lind", "--met", "2026-11-03")
    assert res.exit_code == 0, res.output
    assert diff(acme, world.read("deals/acme.yaml")) == [
        "-  - {name: Eva Lind, role: buyer, veto: true}",
        "+  - {name: Eva Lind, role: buyer, veto: true, met: 2026-11-03}"]
    # a second, later meeting is then the latest
    world.run("contact", "set", "acme", "Eva Lind", "--met", "2026-11-21")
    c = contacts(world)[1]
    assert (str(c["met"]), str(c["last_met"])) == ("2026-11-03", "2026-11-21")


def test_a_meeting_already_known_changes_nothing(world: World, acme: str) -> None:
    world.run("contact", "set", "acme", "Zhang Min", "--met", "2026-11-20")
    before = world.read("deals/acme.yaml")
    res = world.run("contact", "set", "acme", "Zhang Min", "--met", "2026-11-01")
    assert res.exit_code == 0
    assert "nothing changed" in res.stdout
    assert world.read("deals/acme.yaml") == before


def test_agreed_sets_the_flag_and_the_day(world: World, acme: str) -> None:
    res = world.run("contact", "set", "acme", "Eva Lind", "--agreed", "2026-11-22")
    assert res.exit_code == 0, res.output
    c = contacts(world)[1]
    assert (c["agreed"], str(c["agreed_on"])) == (True, "2026-11-22")


def test_flags_toggle_and_an_empty_text_clears(world: World, acme: str) -> None:
    world.run("contact", "set", "acme", "Zhang Min", "--phone", "123")
    res = world.run("contact", "set", "acme", "Zhang Min", "--no-decision-maker", "--veto",
                    "--phone", "")
    assert res.exit_code == 0, res.output
    c = contacts(world)[0]
    assert (c["decision_maker"], c["veto"], "phone" in c) == (False, True, False)
    # --no-veto on a contact that has no veto line writes nothing
    world.write("deals/acme.yaml", DEAL)
    res = world.run("contact", "set", "acme", "Zhang Min", "--no-veto")
    assert "nothing changed" in res.stdout
    assert world.read("deals/acme.yaml") == DEAL


def test_clearing_the_last_line_keeps_the_closing_comment(world: World) -> None:
    text = """\
id: acme
title: Line 3 cooling
account: Acme Pumps
owner: ann
amount: 120000
created: 2026-10-01
stage: lead
status: open
history:
  - stage: lead
    date: 2026-10-01
contacts:
  - name: Zhang Min
    met: 2026-10-05
    phone: '123'
# the end of the file
"""
    world.write("deals/acme.yaml", text)
    res = world.run("contact", "set", "acme", "Zhang Min", "--phone", "")
    assert res.exit_code == 0, res.output
    assert res.stdout == "acme: Zhang Min: phone cleared (deals/acme.yaml)\n"
    assert diff(text, world.read("deals/acme.yaml")) == ["-    phone: '123'"]


@pytest.mark.parametrize("args", [
    ["--met", "2026-11-25"],  # tomorrow: record a meeting once it happened
    ["--agreed", "2026-12-01"],
])
def test_dates_after_today_are_refused(world: World, acme: str, args: list[str]) -> None:
    res = world.run("contact", "set", "acme", "Zhang Min", *args)
    assert res.exit_code == 1
    assert "is after today (2026-11-24)" in res.stderr
    assert world.read("deals/acme.yaml") == acme


@pytest.mark.parametrize("args", [
    [],  # nothing to set
    ["--attitude", "friendly"],
    ["--met", "24/11/2026"],
])
def test_bad_usage_exits_2(world: World, acme: str, args: list[str]) -> None:
    res = world.run("contact", "set", "acme", "Zhang Min", *args)
    assert res.exit_code == 2
    assert world.read("deals/acme.yaml") == acme


def test_contact_on_an_unknown_deal_exits_1(world: World, acme: str) -> None:
    res = world.run("contact", "add", "nope", "X")
    assert res.exit_code == 1 and "nope" in res.stderr


def test_commit_records_the_change_in_git(world: World, acme: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=world.root, capture_output=True, text=True,
                              check=True).stdout

    git("init", "-q", "-b", "main")
    git("config", "user.name", "Ann Lee")
    git("config", "user.email", "ann@acme.example")
    git("add", "-A")
    git("commit", "-qm", "start")
    res = world.run("contact", "set", "acme", "Zhang Min", "--met", "2026-11-20", "--commit")
    assert res.exit_code == 0, res.output
    assert git("log", "-1", "--format=%s%n%b%an").splitlines() == [
        "contact acme: Zhang Min", "last_met: 2026-11-20", "Ann Lee"]
    assert git("status", "--porcelain") == ""


# -- hostile and extreme values: written so that they read back, or refused ----------

CASES = {
    "add NAME": (["contact", "add", "d1", "{}"], lambda d: d["contacts"][-1]["name"]),
    "add --role": (["contact", "add", "d1", "X", "--role", "{}"],
                   lambda d: d["contacts"][-1]["role"]),
    "add --goal": (["contact", "add", "d1", "X", "--goal", "{}"],
                   lambda d: d["contacts"][-1]["goal"]),
    "set --phone": (["contact", "set", "d1", "Zhang Min", "--phone", "{}"],
                    lambda d: d["contacts"][0]["phone"]),
}
SOME = ["esc", "newline", "bidi", "yaml", "null", "spaces"]  # "huge": test_strategy


@pytest.mark.parametrize("value", SOME)
@pytest.mark.parametrize("case", list(CASES))
def test_every_contact_text_reads_back_or_is_refused(world: World, case: str,
                                                     value: str) -> None:
    world.deal("d1", extra="contacts:\n  - name: Zhang Min\n")
    before = world.read("deals/d1.yaml")
    args, read = CASES[case]
    res = world.run(*[a.replace("{}", VALUES[value]) for a in args])
    _accepted_or_refused(world, res, "deals/d1.yaml", before, VALUES[value], read)


# -- a decision maker met while power is 0 (the rule lives in checks.py) ---------------


def test_a_met_decision_maker_at_power_0_is_flagged_by_validate(world: World) -> None:
    world.write("deals/acme.yaml", DEAL.replace("level: 3", "level: 0"))
    res = world.run("validate")
    assert res.exit_code == 1
    assert ("deals/acme.yaml:20: decision maker Zhang Min is marked met, but power is 0 "
            "(the decision maker does not know we are in)") in res.stdout
    # at power 1 the two agree: nothing to say of it
    world.write("deals/acme.yaml", DEAL.replace("level: 3", "level: 1"))
    assert "power is 0" not in world.run("validate").stdout


def test_power_0_with_no_met_decision_maker_is_consistent(world: World) -> None:
    # Zhang Min decides but we never met him; Eva Lind was met but does not decide
    text = DEAL.replace("level: 3", "level: 0").replace("    met: 2026-10-05\n", "")
    world.write("deals/acme.yaml", text.replace("veto: true}", "veto: true, met: 2026-10-06}"))
    assert "power is 0" not in world.run("validate").stdout
