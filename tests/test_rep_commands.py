"""The rep's commands end to end: init, new, show, list, plan; root discovery, the
clock, JSON and colour."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from funnelctl.cli.app import app


def test_init_scaffolds_a_pipeline_that_validates(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["init", str(tmp_path / "sales"), "--template", "zh"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "sales/deals").is_dir()
    assert "签订合同" in (tmp_path / "sales/stages.yaml").read_text("utf-8")
    assert ".funnelctl-cache/" in (tmp_path / "sales/.gitignore").read_text()
    res = runner.invoke(app, ["--dir", str(tmp_path / "sales"), "validate"])
    assert res.exit_code == 0 and "通过：0 个商机，没有问题" in res.stdout
    res = runner.invoke(app, ["init", str(tmp_path / "sales")])
    assert res.exit_code == 1 and "exists already" in res.stderr


def test_new_registers_at_the_first_stage(world) -> None:
    out = world.json("new", "--account", "Acme Pumps", "--title", "Line 3: cooling",
                     "--owner", "li.wei", "--amount", "120000", "--close", "2027-03-31",
                     "--source", "no")
    assert out == {"id": "acme-pumps-line-3-cooling",
                   "path": "deals/acme-pumps-line-3-cooling.yaml",
                   "changed": ["id", "title", "account", "owner", "amount", "currency",
                               "source", "created", "close", "stage", "status", "contacts",
                               "history"]}
    text = world.read(out["path"])
    assert text == (
        "# Acme Pumps: Line 3: cooling\n"
        "id: acme-pumps-line-3-cooling\n"
        'title: "Line 3: cooling"\n'
        "account: Acme Pumps\n"
        "owner: li.wei\n"
        "amount: 120000\n"
        "currency: EUR\n"
        'source: "no"\n'
        "created: 2026-11-24\n"
        "close: 2027-03-31\n"
        "stage: lead\n"
        "status: open\n"
        "contacts: []\n"
        "history:\n"
        "  - stage: lead\n"
        "    date: 2026-11-24\n")
    assert world.run("validate").exit_code == 0


def test_new_refuses_duplicates_and_escapes_before_writing(world) -> None:
    world.deal("acme")

    def tree() -> list[str]:  # what the user tracks: everything but the cache
        return sorted(p.name for p in world.root.rglob("*") if ".funnelctl-cache" not in p.parts)

    before = tree()
    args = ["new", "--account", "A", "--title", "T", "--owner", "o", "--amount", "1"]
    for extra, msg in [(["--id", "acme"], "exists already"),
                       (["--id", "../evil"], "letters, digits"),
                       (["--folder", "../../etc"], "plain sub-folder"),
                       (["--folder", "/tmp"], "plain sub-folder"),
                       (["--close", "2020-01-01"], "in the past"),
                       (["--close", "soon"], "not a date")]:
        res = world.run(*args, *extra)
        assert res.exit_code != 0, extra
        assert msg in res.stderr, (extra, res.stderr)
    assert tree() == before
    res = world.run(*args, "--folder", "east/key", "--id", "x1")
    assert res.exit_code == 0 and res.stdout == "x1\tdeals/east/key/x1.yaml\n"


def test_new_slugs_chinese_names_safely(world) -> None:
    out = world.json("new", "--account", "华东重工", "--title", "冷却泵", "--owner", "o",
                     "--amount", "5")
    assert out["id"].isascii() and "/" not in out["id"]
    assert world.json("show", out["id"])["deal"]["account"] == "华东重工"


def test_list_filters_and_json(world) -> None:
    world.deal("a1", owner="ann", amount=10)
    world.deal("b1", owner="bob", amount=20)
    world.deal("c1", owner="cy", amount=30, status="lost",
               extra="outcome: {date: 2026-11-05, reason: no_decision}\n")
    rows = world.json("list")
    assert [r["id"] for r in rows] == ["a1", "b1", "c1"]
    assert rows[0] == {
        "id": "a1", "title": "T a1", "account": "A a1", "owner": "ann", "stage": "lead",
        "status": "open", "amount": 10.0, "currency": "EUR", "created": "2026-11-01",
        "close": None, "source_id": None, "source": None, "roles": {}, "path": "deals/a1.yaml",
        "amount_converted": 10.0, "entered": "2026-11-01", "days_in_stage": 23,
        "probability": 0.1, "weighted": 1.0, "next_date": None, "next_step": None,
        "last_action": None, "actions": 0, "outcome_date": None, "lost_reason": None,
        "competitor": None, "snooze_until": None, "snooze_reason": None, "imported": False}
    assert [r["id"] for r in world.json("list", "--owner", "bob")] == ["b1"]
    assert [r["id"] for r in world.json("list", "--team", "east")] == ["a1", "b1"]
    assert [r["id"] for r in world.json("list", "--status", "lost")] == ["c1"]
    assert world.json("list", "--stage", "nurture") == []
    res = world.run("list", "--stage", "bogus")
    assert res.exit_code == 2 and "unknown stage" in res.stderr
    res = world.run("list", "--team", "mars")
    assert res.exit_code == 1 and "no such team" in res.stderr
    res = world.run("list")
    assert "3 deals, 60 EUR" in res.stdout


def test_plan_sorts_next_steps(world) -> None:
    # today is Tuesday 2026-11-24; the week ends on Sunday 2026-11-29
    world.deal("late", extra="next: {date: 2026-11-20, step: call back}\n")
    world.deal("now", extra="next: {date: 2026-11-24, step: visit}\n")
    world.deal("week", extra="next: {date: 2026-11-29, step: demo}\n")
    world.deal("later", extra="next: {date: 2026-11-30, step: offer}\n")
    world.deal("none")
    plan = world.json("plan")
    assert [(i["deal"], i["days"]) for i in plan["overdue"]] == [("late", 4)]
    assert [i["deal"] for i in plan["due_today"]] == ["now"]
    assert [i["deal"] for i in plan["this_week"]] == ["week"]
    assert [i["deal"] for i in plan["later"]] == ["later"]
    assert [i["deal"] for i in plan["no_next_step"]] == ["none"]
    out = world.run("plan").stdout
    assert "Overdue (1)" in out and "4d late" in out and "No next step (1)" in out


def test_show_json_has_stored_fields_and_derived_ones(world) -> None:
    world.deal("x", stage="nurture", history=[("lead", "2026-11-01"), ("nurture", "2026-11-04")],
               extra="milestones:\n  need_identified: {date: 2026-11-02}\n"
                     "levels:\n  need: {level: 2, date: 2026-11-02}\nmy_key: kept\n")
    d = world.json("show", "x")
    assert d["deal"]["my_key"] == "kept"
    assert "days_in_stage" not in d["deal"]
    assert d["derived"]["days_in_stage"] == 20  # 2026-11-04 .. 2026-11-24
    assert d["derived"]["probability"] == 0.2
    assert d["derived"]["weighted_amount"] == 200.0
    assert [m["id"] for m in d["milestones"] if not m["ticked"]] == ["budget_approved"]
    assert [(lad["id"], lad["level"], lad["top"]) for lad in d["ladders"]] == [
        ("need", 2, 4), ("power", 0, 6)]
    text = world.run("show", "x").stdout
    assert "Need cultivation" not in text and "Nurture (nurture)" in text
    assert "No next step set." in text
    res = world.run("show", "nobody")
    assert res.exit_code == 1 and "no deal 'nobody'" in res.stderr


def test_show_marks_decision_makers_and_vetoes(world) -> None:
    world.deal("x", extra="contacts:\n  - {name: Wang, role: CFO, decision_maker: true}\n"
                          "  - {name: Li, role: legal, veto: true}\n")
    text = world.run("show", "x").stdout
    assert "DECISION MAKER" in text and "VETO" in text and "not met" in text


def test_root_is_found_by_walking_up(world, monkeypatch) -> None:
    world.deal("a1")
    sub = world.root / "deals" / "deep"
    sub.mkdir()
    monkeypatch.chdir(sub)
    res = CliRunner().invoke(app, ["--today", "2026-11-24", "list", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)[0]["id"] == "a1"
    monkeypatch.chdir(world.root.parent)
    res = CliRunner().invoke(app, ["list"])
    assert res.exit_code == 1 and "no stages.yaml" in res.stderr
    monkeypatch.setenv("FUNNELCTL_DIR", str(world.root))
    assert CliRunner().invoke(app, ["list"]).exit_code == 0


def test_bad_today_is_a_clear_error(world) -> None:
    res = CliRunner().invoke(app, ["--dir", str(world.root), "--today", "24/11", "list"])
    assert res.exit_code == 2
    assert res.stderr.startswith("funnelctl: --today: '24/11' is not a date YYYY-MM-DD, nor "
                                 "one of MM-DD, today, yesterday, tomorrow, ")
    assert res.stderr.count("\n") == 1


def test_skipped_files_are_announced_in_every_view(world) -> None:
    world.deal("a1")
    world.write("deals/bad.yaml", "id: [\n")
    res = world.run("list")
    assert res.exit_code == 0
    assert "1 file left out" in res.stderr and "deals/bad.yaml:" in res.stderr
    assert world.json("funnel")["skipped"][0]["file"] == "deals/bad.yaml"


def test_installed_command_runs_as_a_subprocess(world) -> None:
    world.deal("a1")
    exe = shutil.which("funnelctl", path=str(Path(sys.executable).parent))
    assert exe, "funnelctl is not installed beside this Python"
    env = {**os.environ, "NO_COLOR": "1", "FUNNELCTL_TODAY": "2026-11-24"}
    res = subprocess.run([exe, "--dir", str(world.root), "list", "--json"],
                         capture_output=True, text=True, env=env, check=False)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)[0]["id"] == "a1"
    res = subprocess.run([exe, "--dir", str(world.root), "stalls"], capture_output=True,
                         text=True, env=env, check=False)
    assert res.returncode == 0 and "\x1b[" not in res.stdout  # piped: no colour
    res = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    assert res.stdout.startswith("funnelctl ")


def test_a_chinese_pipeline_works_end_to_end(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"NO_COLOR": "1", "COLUMNS": "100", "FUNNELCTL_TODAY": "2026-11-24"}
    assert runner.invoke(app, ["init", str(tmp_path), "--template", "zh"]).exit_code == 0

    def run(*args: str):
        res = runner.invoke(app, ["--dir", str(tmp_path), *args], env=env)
        assert res.exit_code == 0, (args, res.output)
        return res.stdout

    deal = json.loads(run("new", "--account", "华东重工", "--title", "冷却泵更换", "--owner",
                          "张敏", "--amount", "250000", "--json"))["id"]
    run("tick", deal, "need_identified", "-e", "客户来电")
    run("tick", deal, "contact_confirmed", "-e", "王总确认项目")
    run("score", deal, "need", "2", "-e", "客户提出需求")
    run("act", deal, "--kind", "visit", "--goal", "拜访采购部", "--result", "进入短名单",
        "--moved", "--next", "2026-12-01: 技术交流")
    assert "线索确认 → 需求培育" in run("advance", deal)
    for view in (["funnel"], ["board"], ["stalls"], ["review"], ["show", deal], ["list"],
                 ["target", "3"], ["forecast"], ["plan"]):
        run(*view)
    assert "需求培育" in run("show", deal)
    assert run("validate").startswith("通过：1 个商机")


def test_an_owner_with_no_deal_is_named(world) -> None:
    world.deal("a1", owner="ann")
    res = world.run("list", "--owner", "anne")
    assert res.exit_code == 0
    assert "note: no deals owned by 'anne' (owners: ann)" in res.stderr
    assert "note:" not in world.run("funnel", "--owner", "ann").stderr


def test_json_output_is_the_standard_librarys_indented_json(capsys) -> None:
    import datetime as dt
    import json

    from funnelctl.cli.common import _default, emit_json

    data = {"deal": "华东-1", "amount": 1751921000.0, "when": dt.date(2026, 11, 24),
            "history": ("lead", "won"), "none": None, "nested": [{"k": 0.1}], "n": 3}
    emit_json(data)
    out = capsys.readouterr().out
    assert out == json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n"
