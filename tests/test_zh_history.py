"""What git remembers, in Chinese: history, audit, the reassign handover sheets,
review --since-ref (and the forecast of a review tag), forecast (and --backtest) and
report --html, on a copy of the Chinese sample (examples/zh) made a git repository
here, with a week of changes made by funnelctl's own write commands and one change
made by hand by someone outside the team.

Each view is asserted for the Chinese it must say, and for no English word left on
screen apart from ids (of deals, stages, milestones, ladders, kinds, loss reasons,
people), emails, commit ids, ISO dates in git's own refs, option names, file names
and the commit subjects the write commands wrote (data, not funnelctl's words)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from funnelctl import i18n
from funnelctl.analysis.forecast import Forecast, Line, Why
from funnelctl.cli.app import app
from funnelctl.gitio.history import read_timeline
from funnelctl.render import forecast as forecast_view
from funnelctl.render.history import timeline_text
from funnelctl.render.lines import rendered
from funnelctl.store import load_pipeline

from .conftest import REPO

ZH = REPO / "examples" / "zh"
TODAY = "2026-11-24"
SIGNED = "beifang-gangtie-guolu-gaizao"  # li.wei, evaluation: forced on twice, signed
LOST = "changjiang-lenglian-shuichuli"  # li.wei, lead: a visit and a score, then lost
BY_HAND = "huanghe-shuini-gangkou-qizhongji-weibao-2"  # zhang.min: edited by an outsider
GIT_ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1",
           "COLUMNS": "200", "TZ": "UTC"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def at(mp: pytest.MonkeyPatch, when: str) -> None:
    """The date of the next commits (and tags)."""
    mp.setenv("GIT_AUTHOR_DATE", when)
    mp.setenv("GIT_COMMITTER_DATE", when)


def who(root: Path, name: str, email: str) -> None:
    git(root, "config", "user.name", name)
    git(root, "config", "user.email", email)


def run(root: Path, *args: str, lang: str = "zh", today: str = TODAY):
    res = CliRunner().invoke(app, ["--dir", str(root), "--today", today, "--lang", lang,
                                   *args], catch_exceptions=False)
    return res


def ok(root: Path, *args: str, code: int = 0, **kw) -> str:
    res = run(root, *args, **kw)
    assert res.exit_code == code, res.output
    return res.stdout


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.activate("en")  # the language is the process's: leave it as the next test expects


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory):
    """The Chinese sample in git: committed by the manager on 2026-11-10, a review tag
    on 2026-11-17, then on 2026-11-24 li.wei records a visit and a score on LOST,
    forces SIGNED on and signs it, loses LOST; an outsider halves BY_HAND's amount,
    pushes its close date and moves it back a stage by hand; a call on BY_HAND is
    left uncommitted. The handover of wang.fang's deals is made on a copy (as text,
    committed) and on another (as Markdown)."""
    base = tmp_path_factory.mktemp("zh")
    root = base / "zh"
    root.mkdir()
    shutil.copy2(ZH / "stages.yaml", root / "stages.yaml")
    shutil.copytree(ZH / "deals", root / "deals", ignore=shutil.ignore_patterns(".*"))
    out: dict[str, str] = {}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in GIT_ENV.items():
            mp.setenv(key, value)
        mp.setenv("GIT_CEILING_DIRECTORIES", str(base))
        for key in ("FUNNELCTL_DIR", "FUNNELCTL_TODAY", "FUNNELCTL_LANG"):
            mp.delenv(key, raising=False)
        git(root, "init", "-q", "-b", "main")
        who(root, "赵磊", "zhao.lei@example.com")
        (root / ".gitignore").write_text(".funnelctl-cache/\n", encoding="utf-8")
        at(mp, "2026-11-10T10:00:00+00:00")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "华东华南管道")
        at(mp, "2026-11-17T10:00:00+00:00")
        ok(root, "review", "--tag", today="2026-11-17")
        at(mp, "2026-11-24T10:00:00+00:00")
        who(root, "李伟", "li.wei@example.com")
        ok(root, "act", LOST, "-k", "拜访", "-g", "拜访厂长", "-r", "同意试用", "--score",
           "需求=2", "-e", "会议纪要", "--commit")
        ok(root, "advance", SIGNED, "--force", "--reason", "客户要求尽快报价", "--commit")
        ok(root, "win", SIGNED, "--force", "--reason", "提前签约", "--commit")
        ok(root, "lose", LOST, "--reason", "competitor", "--competitor", "新界泵业", "--note",
           "价格高", "--commit")
        path = next((root / "deals").rglob(f"{BY_HAND}.yaml"))
        text = path.read_text(encoding="utf-8")
        for old, new in (("amount: 600000", "amount: 300000"),
                         ("close: 2027-01-18", "close: 2027-03-31"),
                         ("stage: evaluation\nstatus", "stage: nurture\nstatus")):
            assert old in text
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
        who(root, "王小明", "wang.xm@elsewhere.example")
        git(root, "commit", "-q", "-am", "整理")
        who(root, "赵磊", "zhao.lei@example.com")
        ok(root, "act", BY_HAND, "-k", "电话", "-g", "确认预算", "--no-commit")
        # the handovers, each on a copy of its own (they write)
        for fmt in ("text", "md"):
            copy = base / f"handover-{fmt}"
            shutil.copytree(root, copy, symlinks=True)
            out[fmt] = ok(copy, "reassign", "--from", "wang.fang", "--to", "chen.jing",
                          "--reason", "调岗", "--format", fmt,
                          "--commit" if fmt == "text" else "--no-commit")
        yield root, out, mp


@pytest.fixture
def zh(repo):
    root, handovers, _mp = repo
    return root


# -- no English word left ------------------------------------------------------------


def _ids(root: Path) -> set[str]:
    """Every id a view may show: of stages.yaml's items, teams, people, deals."""
    doc = yaml.safe_load((root / "stages.yaml").read_text(encoding="utf-8"))
    out = {doc["won"]["id"], doc["lost"].get("id", "lost")}
    for s in doc["stages"]:
        out.add(s["id"])
        out |= {m["id"] for m in s.get("milestones", [])}
        out |= set(s.get("roles", []))
    out |= {r["id"] for r in doc["lost"]["reasons"]}
    out |= {lad["id"] for lad in doc["ladders"]}
    out |= {k if isinstance(k, str) else k["id"] for k in doc["action_kinds"]}
    for team in doc.get("teams", {}).values():
        out |= set(team.get("members", [])) | set(team.get("managers", []))
    out |= {p.stem for p in (root / "deals").rglob("*.yaml")}
    return out


def english_left(text: str, root: Path, more: set[str] = frozenset()) -> list[str]:
    """The English words of ``text`` once ids, emails, commit ids, refs, paths, option
    names and the words of ``more`` (data: commit subjects) are taken out."""
    allowed = _ids(root) | set(more) | {"funnelctl", "stages.yaml", "people", "HEAD", "CNY",
                                        "forecast.min_closed"}
    text = re.sub(r"[\w.+-]+@[\w.-]+\.\w+", " ", text)  # emails
    text = re.sub(r"(?<![\w-])--[a-z][a-z-]*", " ", text)  # options
    left = []
    for token in re.split(r"[^A-Za-z0-9_.>=/-]+", text):
        token = token.strip(".-/")
        if not token or token in allowed or token.startswith(("deals/", "review/")):
            continue
        if re.fullmatch(r"[0-9a-f]{7,40}", token):  # a commit
            continue
        token = re.sub(r">=\d+$", "", token)  # a waived level: need>=3
        if token in allowed:
            continue
        left += re.findall(r"[A-Za-z]{3,}", token)
    return left


def subjects(root: Path) -> set[str]:
    """The words of the commit subjects (the write commands', in English)."""
    return set(re.findall(r"[A-Za-z_]+", git(root, "log", "--all", "--format=%s")))


def no_english(text: str, root: Path, more: set[str] = frozenset()) -> None:
    left = english_left(text, root, more)
    assert not left, f"English left: {sorted(set(left))}\n{text}"


def test_english_left_finds_english(zh: Path) -> None:
    """The helper itself: it sees an English word, and lets ids and data through."""
    assert english_left("阶段 方案评估 -> 需求培育，负责人 li.wei", zh) == []
    assert english_left("created at lead, 25万", zh) == ["created"]
    assert english_left("Forecast 2026年11月 (deals / amount)", zh) == ["Forecast", "deals",
                                                                        "amount"]


# -- history and audit ---------------------------------------------------------------


def test_history_of_a_deal_forced_on_and_signed(zh: Path) -> None:
    out = ok(zh, "history", SIGNED)
    assert out.startswith(f"{SIGNED} (deals/huadong/{SIGNED}.yaml): 3 次提交，2 位作者，"
                          "0 个标记\n")
    assert "2026年11月10日  " in out and "赵磊 <zhao.lei@example.com>  华东华南管道" in out
    assert "    创建于 方案评估，25万 CNY，负责人 li.wei，预计签约日 2027年1月11日\n" in out
    assert "    阶段 方案评估 -> 商务谈判\n" in out
    assert ("    历史记录 + 商务谈判 2026年11月24日，强制：客户要求尽快报价，豁免 "
            "客户认可我们的方案满足需求、客户认可我们方案的价值、权力>=4、价值>=3\n") in out
    assert "    赢单\n" in out
    assert "文件中记录的历史：\n" in out
    assert "  线索确认 2026年10月6日  (添加于 " in out and "（赵磊，2026年11月10日）)" in out
    no_english(out, zh, subjects(zh))


def test_history_flags_a_stage_changed_by_hand_and_shows_the_working_tree(zh: Path) -> None:
    out = ok(zh, "history", BY_HAND)
    assert ": 2 次提交，2 位作者，1 个标记\n" in out
    assert "王小明 <wang.xm@elsewhere.example>  整理\n" in out
    assert "    金额 60万 -> 30万 CNY\n" in out
    assert "    预计签约日 2027年1月18日 -> 2027年3月31日\n" in out
    assert "  ! 阶段 方案评估 -> 需求培育 的变更没有历史记录\n" in out
    assert "（工作区）  未提交\n    动作 电话 2026年11月24日：确认预算\n" in out
    no_english(out, zh, subjects(zh))
    md = ok(zh, "history", BY_HAND, "--format", "md")
    assert "2 次提交，1 个标记\n\n| 日期 | 提交 | 作者 | 变更 |\n|---|---|---|---|\n" in md
    assert "| | 工作区 | | 动作 电话 2026年11月24日：确认预算 |" in md
    assert "**阶段 方案评估 -> 需求培育 的变更没有历史记录**" in md
    no_english(md, zh, subjects(zh))


def test_history_names_stages_by_their_labels_when_given_the_pipeline(zh: Path) -> None:
    """The renderer given the pipeline (as ``history`` can pass it) says 方案评估
    where English says evaluation."""
    p = load_pipeline(zh)
    timeline = read_timeline(zh, f"deals/huadong/{SIGNED}.yaml", p)
    i18n.activate("zh_CN")
    out = timeline_text(timeline, p)
    assert "    阶段 方案评估 -> 商务谈判\n" in out
    assert "豁免 客户认可我们的方案满足需求、客户认可我们方案的价值、权力>=4、价值>=3" in out
    assert "    创建于 方案评估，25万 CNY" in out
    i18n.activate("en")
    assert "    stage evaluation -> negotiation\n" in timeline_text(timeline, p)


def test_audit(zh: Path) -> None:
    res = run(zh, "audit")
    assert res.exit_code == 1
    out = res.stdout
    assert out.startswith("审计 HEAD（2026年10月25日 以来）：6 次提交，")
    assert "\n非负责人的经理提交的强制推进和豁免 (3):\n" in out
    assert "；提交者不在 people: 中（经理：zhao.lei）\n" in out
    assert "\n手工修改阶段，没有历史记录 (1):\n" in out
    assert f"王小明 <wang.xm@elsewhere.example>  {BY_HAND}: 阶段 方案评估 -> 需求培育\n" in out
    assert "\n邮箱不在 stages.yaml 的 people: 中的作者 (3):\n" in out
    assert "  li.wei@example.com (李伟): 4 次提交: " in out
    assert out.endswith("\n7 项发现\n")
    no_english(out, zh)
    md = run(zh, "audit", "--format", "md").stdout
    assert md.startswith("## 审计 HEAD（2026年10月25日 以来）\n\n6 次提交，")
    assert "| 提交 | 日期 | 作者 | 商机 | 内容 |" in md
    no_english(md, zh)
    clean = ok(zh, "audit", "HEAD..HEAD")
    assert clean == "审计 HEAD..HEAD：0 次提交，0 处商机文件变更：没有发现问题\n"


# -- reassign -------------------------------------------------------------------------


def test_handover_sheets(repo) -> None:
    root, out, _mp = repo
    text = out["text"]
    assert text.startswith("wang.fang -> chen.jing：交接 3 个商机 (调岗)\n\n")
    assert ("changjiang-lenglian-beijian-kuangjia  长江冷链: 备件框架协议 · 需求培育 · "
            "120万 CNY · 预计签约日 2027年1月4日\n") in text
    assert "  下一步     2026年11月29日 与新厂长开研讨会\n" in text
    assert "  联系人     李强 (厂长；决策者；2026年7月26日 见过)\n" in text
    assert "  待完成     need_identified: 发现了可能的需求\n" in text
    assert "  待提升     需求 1 -> 2（进入下一阶段所需）\n" in text
    assert ("  最近动作   2026年11月19日 会议：了解项目暂停的原因 -> "
            "新厂长要求重新确定范围\n") in text
    # the last line says what was committed (the commit command's, not the sheet's)
    sheets, _sep, committed = text.rstrip("\n").rpartition("\n")
    assert "reassign wang.fang -> chen.jing" in committed
    no_english(sheets, root)
    md = out["md"]
    assert md.startswith("# 交接：wang.fang → chen.jing：交接 3 个商机 (调岗)\n")
    assert "- **阶段：** 需求培育, 120万 CNY，预计签约日 2027年1月4日\n" in md
    assert "- **进入下一阶段需提升：** 需求 1 → 2\n" in md
    assert "  - 2026年10月21日 技术交流：了解真实需求 → 客户真正关心的是交货周期\n" in md
    no_english(md, root)


# -- review --since-ref, review --tag ---------------------------------------------------


def _movement_parts(text: str) -> str:
    """The parts of a review that are the movement's: each rep's 'since REF' block and
    the team's part after its rule."""
    lines = text.splitlines()
    end = next(i for i, line in enumerate(lines) if "─" in line and "以来" in line)
    parts, inside = [], False
    for line in lines[:end]:
        if line.startswith("自 review/2026-11-17"):
            inside = True
        elif not line.startswith("  "):
            inside = False
        if inside:
            parts.append(line)
    return "\n".join(parts + lines[end:])


def test_review_since_a_review_tag(zh: Path) -> None:
    out = ok(zh, "review", "--since-ref", "review/2026-11-17")
    part = _movement_parts(out)
    ref = "review/2026-11-17 (" + git(zh, "rev-parse", "--short=7", "review/2026-11-17^{}"
                                      ).strip() + ", 2026年11月17日)"
    assert f"自 {ref} 以来：赢单 1 个（25万）、丢单 1 个（60万）\n" in part
    assert (f"  赢单          {SIGNED} (北方钢铁, 25万) 从方案评估 于 2026年11月24日\n") in part
    assert f"  丢单          {LOST} (长江冷链, 60万) 在线索确认：输给竞争对手（新界泵业）\n" in part
    assert f"  金额下调      {BY_HAND} (黄河水泥, 30万) 金额 60万 -> 30万\n" in part
    assert (f"  签约日推迟    {BY_HAND} (黄河水泥, 30万) 预计签约日 2027年1月18日 -> "
            "2027年3月31日\n") in part
    assert f"  倒退          {BY_HAND} (黄河水泥, 30万) 方案评估 -> 需求培育\n" in part
    rule = next(line for line in part.splitlines() if "─" in line)
    assert f"  自 {ref} 以来  " in rule  # the team's part
    assert ("团队：赢单 1 个（25万）、丢单 1 个（60万）、倒退 1 个（30万）、"
            "签约日推迟 1 个（30万）、金额下调 1 个（30万）\n") in part
    assert "review/2026-11-17 对 2026年11月 的预测与此后签单对比（商机数 / 金额）\n" in part
    assert "负责人" in part and "标签时已签" in part and "此后已签" in part
    assert "\n团队       2.0 / 500万   2 / 500万  0.0 / 0  1 / 25万\n" in part + "\n"
    no_english(part, zh)
    md = ok(zh, "review", "--since-ref", "review/2026-11-17", "--format", "md")
    end = md[md.index(f"\n## 自 {ref} 以来"):]
    assert end.startswith(f"\n## 自 {ref} 以来\n\n团队：赢单 1 个（25万）、")
    assert "### review/2026-11-17 对 2026年11月 的预测与此后签单对比\n\n" in end
    assert "| 负责人 | 预测 | 标签时已签 | 待签 | 此后已签 |\n" in end
    no_english(end, zh)


def test_the_review_tag_message_in_chinese(zh: Path) -> None:
    message = git(zh, "tag", "-l", "--format=%(contents)", "review/2026-11-17")
    text = message[:message.index("--- funnelctl forecast")]
    assert text.startswith("周例会 2026年11月17日：2026年11月 预测\n\n"
                           "2026年11月17日 对 2026年11月 的预测（预期 = ")
    assert "各阶段进行中的商机（CNY）：" in text
    assert re.search(r"\n  阶段 +商机数 +金额 +加权金额\n  线索确认 ", text)
    assert re.search(r"\n  团队 +2\.00 +500万 +2 +500万 +0\n", text)
    no_english(text, zh)


# -- forecast -------------------------------------------------------------------------


def test_forecast(zh: Path) -> None:
    out = ok(zh, "forecast")
    assert out.startswith("预测 2026年11月\n负责人 ")
    assert re.search(r"\n合计 +3 / 525万 ", out)
    assert "  采用历史赢单率：已关闭商机 32 个，达到 forecast.min_closed 要求的 30 个\n" in out
    assert "\n赢单率\n阶段 " in out and "签单天数" in out
    no_english(out, zh)
    cfg = ok(zh, "forecast", "--rates", "config", "--format", "md")
    assert cfg.startswith("# 预测 2026年11月\n\n| 负责人 | 已签 | 进行中 | 预期 | 区间 | 金额 |")
    assert "- 采用配置概率：由 --rates 指定（已关闭商机 32 个）\n" in cfg
    no_english(cfg, zh)


def test_forecast_backtest(zh: Path) -> None:
    out = ok(zh, "forecast", "--backtest", "--months", "2")
    assert "回测（历史赢单率）：每月初按当时的商机做出的预测与实际签单对比\n" in out
    assert re.search(r"\n2026年9月 +[\d.]+ +\d+ .* 当前文件\n", out)
    assert "  配置概率：签单数平均准确率 " in out
    assert "校准：每月初进行中的商机按预测给出的概率分组\n" in out
    no_english(out, zh)


def test_a_forecast_in_english_counts_one_deal_as_one() -> None:
    """Plurals right in English: one slipping deal is not '1 open deals are'."""
    i18n.activate("en")
    total = Line("total", slipping=["acme"])
    f = Forecast("2026-11", [], total, "config", Why("asked for with --rates ({closed} closed "
                                                      "deals)", closed=1))
    out = rendered(Console(color_system=None, width=150), forecast_view.forecast, f, None)
    assert "  1 open deal is past its close date: acme\n" in out
    assert "  rates: config, asked for with --rates (1 closed deals)\n" in out
    total.slipping.append("bolt")
    out = rendered(Console(color_system=None, width=150), forecast_view.forecast, f, None)
    assert "  2 open deals are past their close date: acme, bolt\n" in out
    assert f.as_json()["rates_why"] == "asked for with --rates (1 closed deals)"


# -- report --html -----------------------------------------------------------------------


def test_report_page_in_chinese(zh: Path) -> None:
    page = ok(zh, "report", "--html", "-", "--weeks", "3")
    assert '<html lang="zh-CN">' in page
    assert "<title>周例会 2026年11月24日</title>" in page
    assert "自 2026年11月17日 以来的变动 · 周期 2026年11月" in page
    assert '<a href="#team">团队</a> <a href="#leaderboard">排行榜</a> <a href="#trend">趋势</a>' \
        in page
    assert "<h3>流程</h3>" in page and "<dt>赢单率</dt>" in page
    assert "<th>阶段</th><th class=\"n\">商机数</th><th class=\"n\">基准</th>" in page
    assert "<h2>排行榜 2026年11月</h2>" in page and "<h2>趋势</h2>" in page
    assert "<h2>豁免（强制推进）</h2>" in page
    assert "方案评估 → 商务谈判（强制）" in page
    assert "<footer>funnelctl 报告 · 2026年11月24日</footer>" in page
    assert 'data-today="2026-11-24"' in page  # data stays as review --json has it
    text = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", page, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    no_english(text, zh)
    english = ok(zh, "report", "--html", "-", "--weeks", "0", lang="en")
    assert '<html lang="en">' in english and "<title>Weekly review 2026-11-24</title>" in english
