"""A Chinese rep's and manager's writes in Chinese (issue 13), on a copy of the
Chinese sample (examples/zh): every message in Chinese with no English word left
but ids, stages.yaml items named by id, English label or Chinese label (``act -k
拜访``, ``score DEAL 权力 3``, ``advance --to 需求培育``), a name that matches
nothing refused with the choices (exit 2), the full-width colon of a Chinese
keyboard in ``--next``, the deal's id in every message whatever prefix or title
found it, and the shell completion the commands are wired to."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from funnelctl import i18n
from funnelctl.cli.app import app

from .conftest import REPO, copy_sample

ZH_SAMPLE = REPO / "examples" / "zh"
TODAY = "2026-11-24"

HAN = re.compile(r"[\u4e00-\u9fff]")
# what a message may hold that is no English word: ISO dates (none in Chinese
# text, but a --next echoed), a deal's file, an email, an option typed (--reason)
_NOT_WORDS = [re.compile(p) for p in (r"\d{4}-\d{2}-\d{2}", r"[\w/.\-]+\.ya?ml",
                                       r"\S+@\S+", r"--[a-z][a-z-]*")]
_TOKEN = re.compile(r"[A-Za-z][\w.\-]*")


def _commands() -> set[str]:
    """funnelctl's command names (and its groups' subcommands): typed, like ids."""
    names = {c.name or c.callback.__name__ for c in app.registered_commands}
    for group in app.registered_groups:
        names.add(group.name)
        names.update(c.name for c in group.typer_instance.registered_commands)
    return names


COMMANDS = _commands()
_COMMAND_LINE = re.compile(r"funnelctl((?: [a-z-]+)+)")


def _without_commands(text: str) -> str:
    """``funnelctl lose`` and ``funnelctl contact add`` left out of a message (the
    words after that are no command stay)."""
    def keep(m: re.Match) -> str:
        words = m.group(1).split(" ")[1:]
        n = 0
        while n < len(words) and words[n] in COMMANDS:
            n += 1
        return " " + " ".join(words[n:])
    return _COMMAND_LINE.sub(keep, text)


def english_words(text: str, ids: set[str]) -> list[str]:
    """The English words of ``text``: tokens with a run of three Latin letters that
    are none of ``ids`` (the pipeline's deal ids, people and stages.yaml ids, which
    a Chinese team types as they are), once the commands it names are left out."""
    text = _without_commands(text)
    for pattern in _NOT_WORDS:
        text = pattern.sub(" ", text)
    words = []
    for token in _TOKEN.findall(text):
        token = token.rstrip(".-")
        if token not in ids and re.search(r"[A-Za-z]{3,}", token):
            words.append(token)
    return words


def test_english_words_finds_english_and_leaves_ids() -> None:
    ids = {"huadong-bengye", "li.wei", "visit", "funnelctl"}
    assert english_words("huadong-bengye：已记录拜访（deals/huadong/huadong-bengye.yaml）",
                         ids) == []
    assert english_words("li.wei 用 funnelctl lose x --reason visit", ids) == []
    assert english_words("见 'funnelctl list'；funnelctl contact add", ids) == []
    assert english_words("huadong-bengye: visit recorded", ids) == ["recorded"]
    assert english_words("funnelctl validate first", ids) == ["first"]
    assert english_words("权力 has stayed at 0", ids) == ["has", "stayed"]


class Team:
    """A copy of the Chinese sample and its commands, in Chinese by default."""

    def __init__(self, root: Path):
        self.root = root
        self.runner = CliRunner()
        self._ids: set[str] | None = None

    def run(self, *args: str, lang: str = "zh", today: str = TODAY):
        return self.runner.invoke(app, ["--dir", str(self.root), "--today", today,
                                        "--lang", lang, *args], catch_exceptions=False)

    def ok(self, *args: str) -> str:
        """A command that must succeed in Chinese: its output, checked for Chinese
        and for English words."""
        res = self.run(*args)
        assert res.exit_code == 0, (args, res.output)
        out = res.stdout + res.stderr
        assert HAN.search(out), (args, out)
        assert english_words(out, self.ids()) == [], (args, out)
        return res.stdout

    def deal(self, deal_id: str) -> dict:
        path = next((self.root / "deals").rglob(f"{deal_id}.yaml"))
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    def text(self, deal_id: str) -> str:
        return next((self.root / "deals").rglob(f"{deal_id}.yaml")).read_text(encoding="utf-8")

    def ids(self) -> set[str]:
        """Every id a message may name: deals, people, and stages.yaml's items (read
        once: the writes of a test add none)."""
        if self._ids is None:
            self._ids = self._read_ids()
        return self._ids

    def _read_ids(self) -> set[str]:
        stages = yaml.safe_load((self.root / "stages.yaml").read_text(encoding="utf-8"))
        out = {p.stem for p in (self.root / "deals").rglob("*.yaml")} | {"funnelctl"}
        for team in (stages.get("teams") or {}).values():
            out.update(team.get("members", []) + team.get("managers", []))
        out.update(m for p in (self.root / "deals").rglob("*.yaml")
                   for m in re.findall(r"(?m)^owner: *(\S+)", p.read_text(encoding="utf-8")))
        for s in stages["stages"]:
            out.add(s["id"])
            out.update(m["id"] for m in s.get("milestones", []))
            out.update(s.get("roles", []))
            out.update(s.get("requires", {}))
        out.update(x["id"] for x in stages["ladders"])
        out.update(k if isinstance(k, str) else k["id"] for k in stages["action_kinds"])
        out.update(r["id"] for r in stages["lost"]["reasons"])
        out.update((stages["won"]["id"], stages["lost"].get("id", "lost")))
        return out


@pytest.fixture
def zh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("FUNNELCTL_DIR", raising=False)
    monkeypatch.delenv("FUNNELCTL_TODAY", raising=False)
    monkeypatch.delenv("FUNNELCTL_LANG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    root = tmp_path / "zh"
    shutil.copytree(ZH_SAMPLE, root, ignore=shutil.ignore_patterns(".*"))
    yield Team(root)
    i18n.activate("en")  # the language is the process's: leave English to the next test


@pytest.fixture
def en(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("FUNNELCTL_DIR", raising=False)
    monkeypatch.delenv("FUNNELCTL_TODAY", raising=False)
    monkeypatch.delenv("FUNNELCTL_LANG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    yield Team(copy_sample(tmp_path / "sample"))
    i18n.activate("en")


SHUICHULI = "changjiang-lenglian-shuichuli"  # li.wei's, at 线索确认, need 1, power 1
CHEDUI = "huanghe-shuini-chedui-guanli-xitong"  # li.wei's, at 线索确认
ERQI = "tianshan-ruye-erqi-xitong-shangxian"  # li.wei's, at 线索确认


def test_a_chinese_reps_whole_day_in_chinese(zh: Team) -> None:
    """li.wei's day: three visits (one found by a prefix of its id, one with the
    next step typed with a full-width colon), tomorrow's visit planned, a
    milestone ticked and a level set by their Chinese names, and the stage moved
    by its Chinese name: each said in Chinese, without an English word."""
    path = f"deals/huadong/{SHUICHULI}.yaml"
    assert zh.ok("act", SHUICHULI, "-k", "拜访", "-g", "与厂长确认项目", "-r",
                 "三号线明年更换", "--next", "2026-12-01：发送现场勘察表") == \
        f"{SHUICHULI}：已记录拜访（{path}）\n"
    assert zh.ok("act", "huanghe-shuini-chedui", "-k", "拜访", "-g", "拜访工厂", "-r",
                 "见到厂长", "--score", "权力＝３", "-e", "厂长亲自接待") == (
        f"{CHEDUI}：已记录拜访（deals/huadong/{CHEDUI}.yaml）\n"
        f"{CHEDUI}：权力 等级 3\n")
    assert zh.ok("act", ERQI, "-k", "拜访", "-g", "催收首付款", "-r", "财务承诺月底前付款",
                 "--moved") == f"{ERQI}：已记录拜访（deals/huadong/{ERQI}.yaml）\n"
    assert zh.ok("act", ERQI, "-k", "拜访", "-g", "演示远程监控", "--plan", "--date", "明天") == \
        f"{ERQI}：已计划 2026年11月25日 拜访（deals/huadong/{ERQI}.yaml）\n"
    assert zh.ok("tick", SHUICHULI, "客户方有名有姓的联系人确认了项目", "-e", "吴敏电话确认") == \
        f"{SHUICHULI}：已达成里程碑「客户方有名有姓的联系人确认了项目」（{path}）\n"
    assert zh.ok("score", SHUICHULI, "需求", "2", "-e", "厂长亲口说的") == \
        f"{SHUICHULI}：需求 等级 2（原为 1）（{path}）\n"
    assert zh.ok("advance", SHUICHULI, "--to", "需求培育") == \
        f"{SHUICHULI}：阶段推进 线索确认 → 需求培育（{path}）\n"
    # the files hold the ids, never the labels typed
    deal = zh.deal(SHUICHULI)
    assert deal["stage"] == "nurture" and deal["history"][-1] == {
        "stage": "nurture", "date": __import__("datetime").date(2026, 11, 24)}
    assert deal["milestones"]["contact_confirmed"]["evidence"] == "吴敏电话确认"
    assert deal["levels"]["need"]["level"] == 2
    assert deal["actions"][-1]["kind"] == "visit"
    assert deal["next"] == {"date": __import__("datetime").date(2026, 12, 1),
                            "step": "发送现场勘察表"}
    assert zh.deal(CHEDUI)["levels"]["power"]["level"] == 3
    planned = zh.deal(ERQI)["actions"][-1]
    assert planned["planned"] is True and planned["kind"] == "visit"


def test_the_days_views_in_chinese(zh: Team) -> None:
    """The rep's day and plan, with tomorrow's visit planned: no English word."""
    zh.ok("act", ERQI, "-k", "拜访", "-g", "演示远程监控", "--plan", "--date", "明天")
    assert "2026年11月24日" in zh.ok("day", "--owner", "li.wei")
    assert "2026年11月25日" in zh.ok("plan", "--owner", "li.wei")


def test_score_takes_the_ladders_id_or_either_label(zh: Team) -> None:
    for typed, level, was in (("power", "2", "1"), ("ＰＯＷＥＲ", "3", "2")):
        assert zh.ok("score", SHUICHULI, typed, level, "-e", "见到厂长").startswith(
            f"{SHUICHULI}：权力 等级 {level}（原为 {was}）"), typed
        assert zh.deal(SHUICHULI)["levels"]["power"]["level"] == int(level)


def test_every_item_option_takes_an_id_or_a_label(zh: Team) -> None:
    """Each option naming a stages.yaml item, given an id, an English label or a
    Chinese label, on a deal of its own; the file holds the id."""
    open_deals = [CHEDUI, SHUICHULI, "dongfang-yiliao-baozhuangxian-gaizao",
                  "zhujiang-gangwu-guolu-gaizao", "changjiang-lenglian-cangchu-zidonghua",
                  "huanghe-shuini-erqi-xitong-shangxian", ERQI]
    cases = [
        (["act", "{}", "-k", "技术交流", "-g", "g", "--tick", "contact_confirmed", "-e", "x"],
         lambda d: d["actions"][-1]["kind"] == "tech_exchange"
         and "contact_confirmed" in d["milestones"]),
        (["act", "{}", "-k", "Visit", "-g", "g", "--tick",
          "A named contact at the customer confirmed the project", "-e", "x"],
         lambda d: d["actions"][-1]["kind"] == "visit" and "contact_confirmed" in d["milestones"]),
        (["act", "{}", "-k", "call", "-g", "g", "--score", "Need=2", "-e", "x"],
         lambda d: d["levels"]["need"]["level"] == 2),
        (["advance", "{}", "--to", "Lead confirmation"], lambda d: d["stage"] == "lead"),
        (["lose", "{}", "--reason", "Budget gone"], lambda d: d["outcome"]["reason"] == "budget"),
        (["lose", "{}", "--reason", "输给竞争对手", "--competitor", "格兰富"],
         lambda d: d["outcome"]["reason"] == "competitor"),
        (["judge", "{}", "drop", "--reason", "项目取消", "--manager", "zhao.lei"],
         lambda d: d["outcome"]["reason"] == "cancelled"),
    ]
    for deal, (args, check) in zip(open_deals, cases, strict=True):
        zh.ok(*[deal if a == "{}" else a for a in args])
        assert check(zh.deal(deal)), args


def test_the_messages_name_items_in_chinese(zh: Team) -> None:
    path = f"deals/huadong/{SHUICHULI}.yaml"
    assert zh.ok("lose", SHUICHULI, "--reason", "budget") == \
        f"{SHUICHULI}：丢单，原因：预算取消（{path}）\n"
    assert zh.ok("judge", CHEDUI, "drop", "--manager", "zhao.lei") == (
        f"{CHEDUI}：经理 zhao.lei 判定放弃：丢单，原因：客户未做决定"
        f"（deals/huadong/{CHEDUI}.yaml）\n")
    assert zh.ok("judge", ERQI, "keep", "--reason", "预算已批", "--manager", "zhao.lei") == (
        f"{ERQI}：经理 zhao.lei 判定保留：开始新一轮周期（deals/huadong/{ERQI}.yaml）\n")
    deal = "changjiang-lenglian-cangchu-zidonghua"
    assert zh.ok("check", deal, "--note", "等法务", "--manager", "zhao.lei") == \
        f"{deal}：经理 zhao.lei 已检查（deals/huadong/{deal}.yaml）\n"
    assert zh.ok("snooze", deal, "--until", "2027-01-15", "--reason", "预算周期") == \
        f"{deal}：暂缓至 2027年1月15日（deals/huadong/{deal}.yaml）\n"


def test_a_name_that_matches_nothing_is_refused_with_the_choices(zh: Team) -> None:
    before = zh.text(SHUICHULI)
    for args, start, choice in [
        (["act", SHUICHULI, "-k", "拜方", "-g", "g"], "没有动作类型 '拜方'", "visit (拜访)"),
        (["act", SHUICHULI, "-k", "拜访", "-g", "g", "--score", "运气=2"],
         "没有关键要素 '运气'", "power (权力)"),
        (["tick", SHUICHULI, "签了", "-e", "x"], "没有里程碑 '签了'",
         "terms_agreed (价格与条款已谈妥)"),
        (["advance", SHUICHULI, "--to", "方案评"], "没有阶段 '方案评'", "evaluation (方案评估)"),
        (["judge", SHUICHULI, "drop", "--reason", "价格", "--manager", "zhao.lei"],
         "没有丢单原因 '价格'", "no_decision (客户未做决定)"),
    ]:
        res = zh.run(*args)
        assert res.exit_code == 2, (args, res.output)
        assert res.stdout == ""
        assert res.stderr.startswith(f"funnelctl: {start}（可选：") and choice in res.stderr, \
            (args, res.stderr)
        assert english_words(res.stderr, zh.ids()) == [], res.stderr
        if args[0] == "advance":  # the open stages are the choices
            assert "won" not in res.stderr and "lost" not in res.stderr
    # the outcomes are refused with their own command
    res = zh.run("advance", SHUICHULI, "--to", "签订合同")
    assert (res.exit_code, res.stderr) == (1, f"funnelctl: 签约请用 'funnelctl win {SHUICHULI}'\n")
    res = zh.run("advance", SHUICHULI, "--to", "丢单")
    assert res.exit_code == 1
    assert res.stderr == f"funnelctl: 丢单请用 'funnelctl lose {SHUICHULI} --reason 原因'\n"
    assert zh.text(SHUICHULI) == before


def test_the_english_sample_takes_english_labels_and_says_ids(en: Team) -> None:
    path = "deals/west/rhein-erp.yaml"
    assert en.run("score", "rhein-erp", "Need", "2", "-e", "x", lang="en").stdout == \
        f"rhein-erp: need 2 (was 1) ({path})\n"
    res = en.run("act", "rhein-erp", "-k", "VISIT", "-g", "g", "--tick",
                 "a plausible need is identified", "-e", "said", lang="en")
    assert res.stdout == (f"rhein-erp: visit recorded ({path})\n"
                          "rhein-erp: ticked need_identified\n")
    assert en.run("advance", "rhein-erp", "--to", "Need cultivation", lang="en").stdout == \
        f"rhein-erp: advanced lead -> nurture ({path})\n"
    assert en.run("lose", "rhein-erp", "--reason", "Budget gone", lang="en").stdout == \
        f"rhein-erp: lost (budget) ({path})\n"
    res = en.run("lose", "tatra-port-2", "--reason", "weather", lang="en")
    assert (res.exit_code, res.stderr) == (2, (
        "funnelctl: no loss reason 'weather' (choose one of: competitor (Lost to a "
        "competitor), no_decision (No decision), cancelled (Project cancelled), budget "
        "(Budget gone), other)\n"))
    # in Chinese on an English pipeline: the words are Chinese, the names its own
    res = en.run("score", "rhein-erp", "power", "2", "-e", "x")
    assert res.stdout == f"rhein-erp：Power 等级 2（原为 1）（{path}）\n"


def test_the_next_step_with_a_full_width_colon_or_comma(zh: Team) -> None:
    for typed, day, step in [("2026-12-01：拜访厂长", "2026-12-01", "拜访厂长"),
                             ("12月3日，发送报价", "2026-12-03", "发送报价")]:
        zh.ok("act", SHUICHULI, "-k", "电话", "-g", "g", "--next", typed)
        nxt = zh.deal(SHUICHULI)["next"]
        assert (str(nxt["date"]), nxt["step"]) == (day, step), typed


def test_messages_name_the_deal_found_not_what_was_typed(zh: Team, en: Team) -> None:
    zh_path = next(zh.root.rglob(f"{SHUICHULI}.yaml"))
    zh_path.write_text(zh_path.read_text(encoding="utf-8").replace(
        'title: "水处理项目"', 'title: "三号线水处理"'), encoding="utf-8")
    out = zh.ok("act", "changjiang-lenglian-shui", "-k", "拜访", "-g", "g")
    assert out.startswith(f"{SHUICHULI}：已记录拜访")
    out = zh.ok("check", "三号线水处理", "--note", "n", "--manager", "zhao.lei")
    assert out.startswith(f"{SHUICHULI}：经理 zhao.lei 已检查")
    out = zh.ok("contact", "set", "三号线水处理", "吴娜", "--attitude", "supporter")
    assert out.startswith(f"{SHUICHULI}：吴娜：态度：支持")
    # a handover finds its deals the same way
    res = zh.run("reassign", "--from", "li.wei", "--to", "wang.fang", "--deal", "三号线水处理",
                 "--json")
    assert res.exit_code == 0, res.output
    assert [d["id"] for d in json.loads(res.stdout)["deals"]] == [SHUICHULI]
    assert zh.deal(SHUICHULI)["owner"] == "wang.fang"
    res = en.run("tick", "rhein-e", "need_identified", "-e", "x", lang="en")
    assert res.stdout == "rhein-erp: ticked need_identified (deals/west/rhein-erp.yaml)\n"


def test_the_people_around_a_deal_in_chinese(zh: Team) -> None:
    path = f"deals/huadong/{SHUICHULI}.yaml"
    assert zh.ok("contact", "add", SHUICHULI, "王丽", "--role", "财务总监", "--veto") == \
        f"{SHUICHULI}：已添加联系人 王丽（{path}）\n"
    assert zh.ok("contact", "set", SHUICHULI, "王丽", "--agreed", "2026-11-24", "--attitude",
                 "supporter", "--role", "") == (
        f"{SHUICHULI}：王丽：已清除职务；态度：支持；已认可方案：是；"
        f"认可日期：2026年11月24日（{path}）\n")
    assert zh.ok("contact", "set", SHUICHULI, "王丽", "--attitude", "supporter") == \
        f"{SHUICHULI}：王丽：没有变化，文件中已是如此（{path}）\n"
    res = zh.run("contact", "set", SHUICHULI, "李四", "--phone", "1")
    assert res.exit_code == 1
    assert res.stderr == (f"funnelctl: {SHUICHULI} 没有联系人 '李四'（联系人：吴娜、吴敏、王丽）："
                          "funnelctl contact add\n")
    assert zh.ok("assign", SHUICHULI, "presales", "wang.fang") == \
        f"{SHUICHULI}：presales 由 wang.fang 担任（{path}）\n"
    out = zh.ok("strategy", SHUICHULI, "--missing", "预算上限", "--competitor", "施耐德",
                "--verdict", "drop")
    assert out == (f"{SHUICHULI}：策略表：缺失信息：预算上限；竞争对手：施耐德；结论：放弃"
                   f"（{path}）\n")
    res = zh.run("strategy", SHUICHULI, "--found", "工期")
    assert res.exit_code == 1
    assert res.stderr == "funnelctl: '工期' 不在缺失信息中（缺失信息：预算上限）\n"
    # the commit body stays the file's words (a record, like JSON)
    from funnelctl.edits_customers import Change

    assert str(Change("attitude", "supporter")) == "attitude: supporter"
    assert str(Change("role", None)) == "role cleared"


def test_target_set_in_chinese(zh: Team) -> None:
    out = zh.ok("target", "set", "--period", "2026-12", "--owner", "li.wei", "1", "--amount",
                "1200000")
    assert out.startswith("目标 2026年12月 li.wei：1 个商机、金额 120万（已修改，stages.yaml）\n")
    res = zh.run("target", "set", "--period", "2026-12", "--owner", "华东", "1")
    assert (res.exit_code, res.stderr) == (
        2, "funnelctl: --owner '华东' 是一个团队：请用 --team 华东\n")


# -- completion --------------------------------------------------------------------


def complete(root: Path, *words: str, shell: str = "bash") -> list[str]:
    """What the shell is offered after ``funnelctl --dir ROOT WORDS`` (the last word
    is the one being completed), asked of funnelctl's own app."""
    line = ["funnelctl", "--dir", str(root), *words]
    if shell == "bash":
        env = {"_FUNNELCTL_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(line),
               "COMP_CWORD": str(len(line) - 1)}
    else:
        env = {"_FUNNELCTL_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": " ".join(line)}
    res = CliRunner().invoke(app, [], prog_name="funnelctl", env=env)
    assert res.exit_code == 0, res.output
    return [x for x in res.stdout.splitlines() if x]


def wired(command: str, group: str | None = None) -> dict[str, object]:
    """Each parameter of a command (by its name in the function) -> the completion
    callback it is given."""
    import inspect

    typer_app = app if group is None else next(
        g.typer_instance for g in app.registered_groups if g.name == group)
    cmd = next(c for c in typer_app.registered_commands if c.name == command)
    return {name: getattr(p.default, "autocompletion", None)
            for name, p in inspect.signature(cmd.callback).parameters.items()}


def test_the_write_commands_are_wired_to_the_completion_callbacks() -> None:
    from funnelctl.cli import completion as c

    deal = {"deal": c.complete_deal}
    expected = {
        ("act", None): {**deal, "kind": c.complete_kind, "ticks": c.complete_milestone},
        ("tick", None): {**deal, "milestone": c.complete_milestone},
        ("score", None): {**deal, "ladder": c.complete_ladder},
        ("advance", None): {**deal, "to": c.complete_stage},
        ("win", None): deal, ("snooze", None): deal, ("strategy", None): deal,
        ("lose", None): {**deal, "reason": c.complete_reason},
        ("check", None): {**deal, "manager": c.complete_owner},
        ("judge", None): {**deal, "reason": c.complete_reason, "manager": c.complete_owner},
        ("add", "contact"): deal, ("set", "contact"): deal,
        ("assign", None): {**deal, "role": c.complete_role, "person": c.complete_owner},
        ("load", None): {"role": c.complete_role, "owner": c.complete_owner,
                         "team": c.complete_team},
        ("reassign", None): {"previous": c.complete_owner, "to": c.complete_owner,
                             "deal_ids": c.complete_deal},
    }
    for (command, group), callbacks in expected.items():
        got = {k: v for k, v in wired(command, group).items() if v is not None}
        assert got == callbacks, command


def test_the_callbacks_answer_from_the_pipeline(zh: Team, monkeypatch) -> None:
    from funnelctl.cli import completion as c

    monkeypatch.setenv("FUNNELCTL_DIR", str(zh.root))
    deals = sorted(p.stem for p in (zh.root / "deals").rglob("changjiang*.yaml"))
    assert [d for d, _t in c.complete_deal(None, "changjiang")] == deals
    assert c.deal_paths(zh.root)[SHUICHULI] == f"deals/huadong/{SHUICHULI}.yaml"
    assert [k for k, _h in c.complete_kind(None, "")] == [
        "visit", "call", "demo", "tech_exchange", "quote", "payment", "complaint", "meeting",
        "email", "site_survey", "service"]
    assert c.complete_kind(None, "拜") == [("拜访", "visit")]
    assert [m for m, _h in c.complete_milestone(None, "need")] == ["need_identified",
                                                                   "need_confirmed"]
    assert [x for x, _h in c.complete_ladder(None, "")] == ["need", "power", "goal", "value",
                                                            "collaboration"]
    assert [x for x, _h in c.complete_stage(None, "")] == ["lead", "nurture", "evaluation",
                                                           "negotiation"]
    assert [x for x, _h in c.complete_reason(None, "")] == ["competitor", "no_decision",
                                                            "cancelled", "budget", "other"]
    assert [x for x, _h in c.complete_role(None, "")] == ["presales", "finance", "legal"]
    assert [x for x, _h in c.complete_owner(None, "zh")] == ["zhang.min", "zhao.lei"]


def test_completion_through_funnelctl_and_titles_where_the_shell_shows_them(
        zh: Team) -> None:
    import os

    r = zh.root
    assert complete(r, "score", SHUICHULI, "权") == ["权力"]
    assert complete(r, "act", "changjiang-lenglian-s") == [SHUICHULI]
    for path in (r / "deals").rglob("*.yaml"):  # older than the cache's racy window
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 3600 * 10**9))
    assert zh.run("list").exit_code == 0  # fills the cache (its Chinese shards)
    out = "\n".join(complete(r, "act", "changjiang-lenglian-s", shell="zsh"))
    assert f'"{SHUICHULI}":"水处理项目"' in out
    i18n.activate("en")  # the titles are in every language's shards: any will do
    out = "\n".join(complete(r, "act", "changjiang-lenglian-s", shell="zsh"))
    assert f'"{SHUICHULI}":"水处理项目"' in out
    assert complete(r, "act", "changjiang-lenglian-s") == [SHUICHULI]  # bash: ids only


def test_completion_names_the_stores_files_as_the_store_does() -> None:
    from funnelctl.cli import completion
    from funnelctl.store import root

    assert (completion.STAGES_FILE, completion.DEALS_DIR) == (root.STAGES_FILE, root.DEALS_DIR)
