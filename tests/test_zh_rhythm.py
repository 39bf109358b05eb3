"""The rhythm's and the customers' views in Chinese, on a copy of the Chinese sample
(examples/zh) with ``--lang zh`` and a fixed day: day, month, losses, the daily target
tracking, account, load and the strategy sheet (text and Markdown), the manager's
cadence after ``check`` and ``judge``, and the findings the review and ``validate``
print (effort, concentration, target shortfalls, roles). Each says what it says in
Chinese (money in 万, dates as 2026年11月24日, stages, kinds and ladders by their
Chinese labels), and no English word is left on screen but what a user types (ids,
logins, role ids, commands, the currency code). JSON keeps its English messages.

The sample has no planned visit, strategy, assigned role nor manager's check: the
module's copy gets them from funnelctl's own write commands (``act --plan``,
``contact add``, ``strategy``, ``assign``, ``check``), and a visit quota in its
stages.yaml."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl import i18n
from funnelctl.analysis.cadence import deal_cadence
from funnelctl.analysis.effort import Pile
from funnelctl.analysis.roles import missing_role_issues, role_issues, roles_note
from funnelctl.cli.app import app
from funnelctl.store import load_all, load_pipeline

from .conftest import REPO

ZH = REPO / "examples" / "zh"
TODAY = "2026-11-24"  # a Tuesday
DEAL = "huanghe-shuini-chedui-guanli-xitong"  # li.wei's, of 黄河水泥, at 线索确认
CHECKED = "huanghe-shuini-erqi-xitong-shangxian"  # li.wei's too, at 需求培育
ENV = {"NO_COLOR": "1", "COLUMNS": "100", "FUNNELCTL_DIR": None, "FUNNELCTL_TODAY": None,
       "FUNNELCTL_LANG": None}


def run(root: Path, *args: str, today: str = TODAY, code: int = 0) -> str:
    res = CliRunner().invoke(app, ["--lang", "zh", "--dir", str(root), "--today", today,
                                   *args], env=ENV, catch_exceptions=False)
    assert res.exit_code == code, res.output
    return res.stdout


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.activate("en")  # the runner's process speaks English again for the next test


@pytest.fixture(scope="module")
def zh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the Chinese sample, with what the views need written into it
    by the write commands (the runs write their cache there, never into the
    repository)."""
    root = tmp_path_factory.mktemp("zh")
    shutil.copy2(ZH / "stages.yaml", root / "stages.yaml")
    shutil.copytree(ZH / "deals", root / "deals", ignore=shutil.ignore_patterns(".*"))
    stages = (root / "stages.yaml").read_text(encoding="utf-8")
    assert "\nrules:\n" in stages
    (root / "stages.yaml").write_text(stages.replace("\nrules:\n", "\nrules:\n  daily_visits: 2\n"),
                                      encoding="utf-8")
    # a call planned for last Friday and not made, a visit planned for today, a demo
    # for tomorrow; yesterday's visit raised 需求 to 3
    run(root, "act", DEAL, "-k", "电话", "-g", "确认预算", "--plan", "--date", "2026-11-20",
        today="2026-11-19")
    run(root, "act", DEAL, "-k", "拜访", "-g", "拜访厂长", "--plan", "--date", "2026-11-24",
        today="2026-11-20")
    run(root, "act", DEAL, "-k", "演示", "-g", "演示远程监控", "--plan", "--date", "2026-11-25")
    run(root, "act", DEAL, "-k", "拜访", "-g", "见财务总监", "-r", "预算已确认", "--date",
        "2026-11-23", "--score", "需求=3", "-e", "财务总监确认")
    run(root, "contact", "add", DEAL, "王伟", "--role", "财务总监", "--veto", "--met",
        "2026-11-20", "--goal", "控制预算", "--attitude", "opponent")
    run(root, "strategy", DEAL, "--competitor", "西门子", "--plan", "参观样板工厂", "--missing",
        "财务总监的预算上限", "--resource", "售前：2天", "--verdict", "continue")
    run(root, "assign", "huanghe-shuini-gangkou-qizhongji-weibao-2", "presales", "王工")
    # the manager looked at DEAL on 1 October (its cycle is 54 days old on the day),
    # and at CHECKED on 4 November (20 days ago)
    run(root, "check", DEAL, "--note", "客户下周答复", "--manager", "zhao.lei",
        today="2026-10-01")
    run(root, "check", CHECKED, "--note", "等报价", "--manager", "zhao.lei", today="2026-11-04")
    i18n.activate("en")
    return root


# -- what may stay in Latin letters ----------------------------------------------------

_ID = re.compile(r"^id:\s*(\S+)", re.M)
_OWNER = re.compile(r"^owner:\s*(\S+)", re.M)
_ROLES = re.compile(r"roles:\s*\[([^\]]*)\]")
# a command a hint names, as the user types it (funnelctl assign DEAL presales PERSON),
# and an option (--missing)
_COMMAND = re.compile(r"funnelctl(?: +[A-Za-z|_.-]+)*|--[a-z][a-z-]*")
_WORD = re.compile(r"[A-Za-z]{3,}")


def typed_names(root: Path) -> list[str]:
    """What the user types as it is: the deals' ids, the reps' and managers' logins,
    the support roles' ids of stages.yaml; longest first (an id may begin with
    another)."""
    names: set[str] = {"zhao.lei"}
    for path in (root / "deals").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        names.update(_ID.findall(text) + _OWNER.findall(text))
    for roles in _ROLES.findall((root / "stages.yaml").read_text(encoding="utf-8")):
        names.update(r.strip() for r in roles.split(","))
    return sorted(names, key=len, reverse=True)


def english_words(text: str, root: Path) -> list[str]:
    """The words of three Latin letters or more left in ``text`` once the ids, logins,
    role ids, commands, options, file names, ISO dates and the currency code are
    taken out."""
    for name in typed_names(root):
        text = text.replace(name, " ")
    text = _COMMAND.sub(" ", text)
    text = re.sub(r"\d{4}-\d{2}(-\d{2})?", " ", text)
    text = text.replace("stages.yaml", " ").replace("CNY", " ")
    return _WORD.findall(text)


def assert_chinese(text: str, root: Path) -> None:
    left = english_words(text, root)
    assert not left, f"English words left: {sorted(set(left))}\n{text}"


def test_the_helper_finds_english_and_lets_what_is_typed_pass(zh: Path) -> None:
    assert english_words("昨天（拜访 3 次）：no move", zh) == ["move"]
    assert english_words(f"逾期7天 {DEAL}（黄河水泥）li.wei presales 2026-12 CNY "
                         "（funnelctl assign DEAL presales PERSON）stages.yaml --missing", zh) == []
    assert english_words("planned 2026-11-20", zh) == ["planned"]


# -- the day ----------------------------------------------------------------------------


def test_the_day_in_chinese(zh: Path) -> None:
    out = run(zh, "day", "--owner", "li.wei")
    assert out.startswith("日程 2026年11月24日（周二）  昨天 2026年11月23日 · 明天 2026年11月25日"
                          " · 定额：每个工作日拜访 2 次\n")
    for text in ("昨天（拜访 3 次，定额 2 次）：",
                 f"拜访 {DEAL}（黄河水泥）：见财务总监 -> 预算已确认",
                 "有进展：需求 3", "无进展",
                 "今天：", "逾期7天", "应完成", "下一步：拜访工厂",
                 "已错过", "电话：确认预算（原计划", "2026年11月20日）",
                 f"已计划    {DEAL}（黄河水泥）：拜访：拜访厂长",
                 "已完成    拜访 changjiang-lenglian-shuichuli（长江冷链）",
                 "无进展（销售自报有进展）",
                 "明天（2026年11月25日）：",
                 f"  演示：{DEAL}（黄河水泥）：演示远程监控",
                 "本周：", "点名",
                 "  昨天没有记录：无", "  明天没有计划：无"):
        assert text in out, text
    assert_chinese(out, zh)


def test_the_team_day_and_its_roll_call_in_chinese(zh: Path) -> None:
    out = run(zh, "day")
    # chen.jing logged nothing yesterday and planned nothing: named on every line
    assert "  昨天没有记录：chen.jing\n" in out
    assert "  明天没有计划：chen.jing, wang.fang, zhang.min\n" in out
    assert "chen.jing（0 个动作）" in out
    assert "  昨天未达到定额 2：chen.jing（0）, wang.fang（1）\n" in out
    assert "昨天（拜访 0 次，定额 2 次）：\n  没有记录\n" in out
    assert_chinese(out, zh)


def test_a_monday_looks_back_over_the_weekend_in_chinese(zh: Path) -> None:
    out = run(zh, "day", "--owner", "li.wei", today="2026-11-23")
    assert out.startswith("日程 2026年11月23日（周一）  昨天 2026年11月20日至2026年11月22日 · "
                          "明天 2026年11月24日")
    assert_chinese(out, zh)


def test_the_day_in_markdown_in_chinese(zh: Path) -> None:
    out = run(zh, "day", "--owner", "li.wei", "--format", "md")
    assert out.startswith("# 日程 2026年11月24日（周二）\n\n昨天 2026年11月23日 · "
                          "明天 2026年11月25日 · 定额：每个工作日拜访 2 次\n")
    for text in ("**昨天**（拜访 3 次，定额 2 次）",
                 f"- 拜访 **{DEAL}**（黄河水泥）：见财务总监 → 预算已确认：*有进展：需求 3*",
                 "- 下一步逾期7天：**huanghe-shuini-chedui-guanli-xitong**（黄河水泥）：拜访工厂",
                 "- 已错过（原计划 2026年11月20日）：", "- 已计划：", "- 已完成：",
                 "**明天**（2026年11月25日）",
                 f"- 演示：**{DEAL}**（黄河水泥）：演示远程监控",
                 "## 点名", "- 昨天没有记录：无"):
        assert text in out, text
    assert_chinese(out, zh)


# -- the month, the losses, the daily tracking -------------------------------------------


def test_the_month_in_chinese(zh: Path) -> None:
    out = run(zh, "month")
    assert out.startswith("月报 2026年11月（指标对比 2026年10月；计划 2026年12月）\n")
    # li.wei's target of November: 3 deals, 3,000,000; next month's: 4 deals, 4,000,000
    for text in ("已签 1 单，目标 3 单 · 120万，目标 300万",
                 "变动：新增 6，推进 4，倒退 0，赢单 1，丢单 2",
                 "进入：线索确认 6 · 需求培育 3 · 方案评估 1 · 商务谈判 0 · 签订合同 1",
                 "丢单：", "  2 个商机，760万", "丢单阶段：线索确认 2（760万）",
                 "按原因：输给竞争对手 1（380万）, 预算取消 1（380万）",
                 "竞争对手：新界泵业 1（380万）",
                 "指标", "2026年11月", "赢单率", "平均赢单金额", "个百分点", "新增商机数",
                 "下月 2026年12月：目标 4 个商机 · 400万；现在需要的漏斗",
                 "下月 2026年12月：stages.yaml 中没有目标（funnelctl target set "
                 "--period 2026-12 N）",
                 "  团队  "):
        assert text in out, text
    assert_chinese(out, zh)


def test_the_month_in_markdown_in_chinese(zh: Path) -> None:
    out = run(zh, "month", "--owner", "li.wei", "--format", "md")
    for text in ("# 月报 2026年11月\n\n指标对比 2026年10月；计划 2026年12月。\n",
                 "## li.wei", "- **已签 1 单，目标 3 单 · 120万，目标 300万**",
                 "- 变动：新增 6", "### 丢单", "丢单 2 个，760万。", "#### 丢掉的商机",
                 "### 指标", "| 指标 | 2026年11月 | 2026年10月 | 变化 |",
                 "### 下月 2026年12月", "目标 4 个商机 · 400万。",
                 "| 阶段 | 所需 | 现有 | 差距 |", "卡在商务谈判：差 5.0 个商机。"):
        assert text in out, text
    assert_chinese(out, zh)


def test_the_losses_in_chinese(zh: Path) -> None:
    out = run(zh, "losses")
    for text in ("丢单 2 个，760万", "丢单阶段", "商机数", "金额", "原因", "竞争对手",
                 "输给竞争对手", "新界泵业", "2026年11月18日", "团队"):
        assert text in out, text
    assert_chinese(out, zh)
    md = run(zh, "losses", "--format", "md")
    assert "- 2026年11月18日 **xihu-ruanjian-guolu-gaizao**（西湖软件，li.wei，380万）" \
           "丢于线索确认：输给竞争对手（新界泵业）" in md
    assert "## 团队" in md and "| 丢单阶段 | 商机数 | 金额 |" in md
    assert_chinese(md, zh)
    assert_chinese(run(zh, "losses", "--months", "3"), zh)


def test_the_daily_tracking_in_chinese(zh: Path) -> None:
    out = run(zh, "target", "--daily")
    # November 2026: 21 working days, 17 of them gone by the 24th (81%); the team's
    # 9,000,000 is due at 17/21 = 7,285,714 (728.6万), 5,000,000 signed: 228.6万 behind
    assert out.startswith("目标 2026年11月（2026年11月24日）：21 个工作日已过 17 个（81%）\n"
                          "本月下旬：催签合同\n")
    assert re.search(r"\n团队 +8 +6\.5 +2 +\+4\.5 +900万 +728\.6万 +500万 +\+228\.6万\n", out)
    for text in ("负责人", "应完成", "已签", "差距", "应完成：按工作日均匀进度",
                 "催签合同：", "  团队：还需签 6 单：商务谈判暂无商机"):
        assert text in out, text
    assert_chinese(out, zh)
    md = run(zh, "target", "--daily", "--format", "md")
    assert "21 个工作日已过 17 个（81%）；本月下旬：催签合同。" in md
    assert "| 负责人 | 目标 | 应完成 | 已签 | 差距 | 金额 | 应完成金额 | 已签金额 | " \
           "金额差距 |" in md
    assert_chinese(md, zh)
    early = run(zh, "target", "--daily", today="2026-11-05")
    assert "本月上旬：做大漏斗" in early and "做大漏斗：" in early
    assert_chinese(early, zh)


# -- the account, the load, the strategy sheet -------------------------------------------


def test_the_account_in_chinese(zh: Path) -> None:
    out = run(zh, "account", "黄河水泥")
    for text in ("8 个商机：进行中 4，赢单 1，丢单 3；销售：chen.jing, li.wei, zhang.min",
                 "赢单 600万 CNY（1 个商机）· 进行中 535万 CNY（4 个商机，加权",
                 "商机", "标题", "负责人", "金额", "阶段或结果",
                 "线索确认；下一步 2026年11月17日 拜访工厂（已逾期）",
                 "2026年8月30日 赢单", "2026年11月8日 丢单（项目取消）",
                 "联系人", "职务", "决策", "有否决权", "态度", "反对", "最近见面",
                 "控制预算", "最近的动作（共",
                 f"2026年11月23日  {DEAL}（li.wei）拜访：见财务总监 -> 预算已确认"):
        assert text in out, text
    assert_chinese(out, zh)
    md = run(zh, "account", "黄河水泥", "--format", "md")
    for text in ("# 客户：黄河水泥", "## 商机", "## 联系人", "## 最近的动作",
                 "| 王伟 | 财务总监 | 有否决权 | 反对 | 2026年11月20日 |", "- ……以及更早的",
                 "presales：王工"):
        assert text in md, text
    assert_chinese(md, zh)


def test_the_load_in_chinese(zh: Path) -> None:
    out = run(zh, "load")
    assert "presales：1 人，1 个进行中的商机（需要于：方案评估）" in out
    assert re.search(r"\n王工 +· +· +1 +· +1 +60万 +华南（1 名销售）\n", out)
    assert "无人" in out and "以下商机无人担任 presales：" in out
    assert "finance：0 人，0 个进行中的商机（需要于：商务谈判）\n" \
           "没有进行中的商机有此角色或需要此角色。" in out
    for head in ("人员", "线索确认", "方案评估", "进行中", "服务于"):
        assert head in out, head
    assert_chinese(out, zh)
    md = run(zh, "load", "--format", "md")
    assert "| 人员 | 线索确认 | 需求培育 | 方案评估 | 商务谈判 | 进行中 | 金额 | 服务于 |" in md
    assert_chinese(md, zh)


def test_the_strategy_sheet_in_chinese(zh: Path) -> None:
    out = run(zh, "strategy", DEAL)
    for text in (f"策略表：{DEAL}  黄河水泥：车队管理系统",
                 "负责人 li.wei · 线索确认 · 85万 CNY · 预计签约日 2027年3月9日",
                 "决策者与有否决权的人", "姓名", "权力", "态度",
                 "王伟", "有否决权，未同意", "反对", "2026年11月20日（4 天前）",
                 "诉求：控制预算", "诉求：未知", "未见面",
                 "关键要素", "需求  3/4  找到并确认了请求背后的真实需求",
                 "财务总监确认（2026年11月23日） · 需求培育需要 2：已达到", "未评分",
                 "竞争对手：西门子", "我方对策：参观样板工厂",
                 "仍缺的信息", "  - 财务总监的预算上限",
                 "商机文件中尚不知道的", "  - 赵静（决策者）：尚未见面",
                 "  - 王伟（有否决权）：尚未同意", "  - 权力：从未评分",
                 "申请的资源", "  - 售前：2天", "团队：无人担任支持角色", "结论：继续"):
        assert text in out, text
    assert_chinese(out, zh)
    md = run(zh, "strategy", DEAL, "--format", "md")
    for text in (f"# 策略表：{DEAL}，黄河水泥：车队管理系统", "## 决策者与有否决权的人",
                 "| 王伟 | 财务总监 | 有否决权，未同意 | 反对 | 2026年11月20日（4 天前） | "
                 "控制预算 |",
                 "| 需求 | 3/4 | 找到并确认了请求背后的真实需求 | 需求培育需要 2：已达到 | "
                 "财务总监确认（2026年11月23日） |",
                 "- **竞争对手：** 西门子", "- **我方对策：** 参观样板工厂", "## 结论：继续"):
        assert text in md, text
    assert_chinese(md, zh)
    # the JSON keeps its gaps in English
    i18n.activate("en")
    sheet = json.loads(run(zh, "strategy", DEAL, "--json"))
    assert "王伟 (veto): has not agreed yet" in sheet["gaps"]


def test_a_sheet_without_players_and_a_role_nobody_holds_in_chinese(zh: Path) -> None:
    out = run(zh, "strategy", "xihu-ruanjian-cangchu-zidonghua-2")
    assert "本阶段需要 presales：无人担任" in out
    assert "暂无记录（funnelctl strategy xihu-ruanjian-cangchu-zidonghua-2 --missing ...）" in out
    assert "结论：尚未判断" in out
    assert_chinese(out, zh)


# -- the manager's cadence, the findings -------------------------------------------------


def _summary(root: Path, deal_id: str):
    loaded = load_all(root, load_pipeline(root), use_cache=False)
    return next(d for d in loaded.deals if d.id == deal_id), loaded.pipeline


def test_the_cadence_after_check_and_judge_in_chinese(zh: Path) -> None:
    d, p = _summary(zh, DEAL)
    day = dt.date(2026, 11, 24)
    i18n.activate("zh_CN")
    c = deal_cadence(d, p, day)
    # checked on 1 October: 54 days on, the cycle asks for a judgement
    assert c is not None and c.kind == "judge"
    assert c.message == "周期始于 2026年10月1日，54 天前（查看 1 次）：判断客户意向，保留或放弃"
    assert c.short == "待判断 54天"
    assert c.as_json()["message"] == ("cycle started 2026-10-01, 54 days ago (1 look): judge the "
                                      "customer's intent, keep or drop")
    r = deal_cadence(_summary(zh, CHECKED)[0], p, day)
    assert r is not None and r.kind == "recheck"
    assert r.message == "zhao.lei 上次查看于 2026年11月4日，20 天前：再次检查进展"
    assert r.short == "待复查 20天"
    # judge keep starts a new cycle: nothing to ask on the day
    run(zh, "judge", DEAL, "keep", "--reason", "预算已批准", "--manager", "zhao.lei")
    i18n.activate("zh_CN")
    assert deal_cadence(_summary(zh, DEAL)[0], p, day) is None


def test_effort_piled_on_one_customer_in_chinese() -> None:
    pile = Pile("li.wei", "account", "黄河水泥", 6, 8, ("a-1", "b-2", "c-3", "d-4"))
    i18n.activate("zh_CN")
    assert pile.message == ("li.wei：最近 30 天的 8 个动作中有 6 个投在客户 黄河水泥（75%），"
                            "而 a-1, b-2, c-3 等另外 1 个 停滞")
    assert pile.as_json()["message"] == ("li.wei: 6 of 8 actions in the last 30 days went to "
                                         "account 黄河水泥 (75%) while a-1, b-2, c-3 and 1 more "
                                         "stall")
    one = Pile("li.wei", "deal", "x-1", 5, 8, ("a-1",))
    i18n.activate("en")
    assert one.message.endswith("went to deal x-1 (62%) while a-1 stalls")


def test_concentration_in_the_review_in_chinese_and_in_english_json(zh: Path) -> None:
    out = run(zh, "review")
    assert "销售 li.wei 占赢单收入的 58%（960万/1648万，3 个商机）" in out
    assert "客户 黄河水泥 占赢单收入的 36%（600万/1648万，1 个商机）" in out
    i18n.activate("en")
    text = run(zh, "review", "--json")
    assert "rep li.wei holds 58% of the won revenue (9,600,000 of 16,480,000, 3 deals)" in text
    assert "account 黄河水泥 holds 36% of the won revenue (6,000,000 of 16,480,000, 1 deal)" \
        in text


def test_target_shortfalls_in_chinese(zh: Path) -> None:
    res = CliRunner().invoke(app, ["--lang", "zh", "--dir", str(zh), "--today", TODAY,
                                   "validate"], env=ENV, catch_exceptions=False)
    # December: the team's 10 deals and 12,000,000 against li.wei's 4 and 4,000,000 and
    # wang.fang's 3 and 3,500,000 (chen.jing and zhang.min have none)
    assert "2026年12月 目标：各销售的目标合计 7 个商机（li.wei 4, wang.fang 3；chen.jing, " \
           "zhang.min 没有目标），少于团队的目标 10 个商机：分解的目标必须覆盖下达的目标" \
           in res.output
    assert "2026年12月 目标：各销售的目标合计 750万（li.wei 400万, wang.fang 350万；" \
           "chen.jing, zhang.min 没有目标），少于团队的目标 1200万" in res.output


def test_roles_speak_chinese() -> None:
    p = load_pipeline(ZH)
    i18n.activate("zh_CN")
    issue, = missing_role_issues(p.stage("evaluation"), {}, "d-1")
    assert issue.message == "阶段 '方案评估' 需要 presales，但无人担任"
    assert issue.refusal == "角色 presales：无人担任（funnelctl assign d-1 presales 人员）"
    assert role_issues("sales", p)[0].message == \
        "未知角色 'sales'（角色：presales, finance, legal）"
    assert roles_note("d-1", "negotiation", ["finance", "legal"]) == \
        "提示：negotiation 需要 finance, legal；d-1 上无人担任：funnelctl assign d-1 finance 人员"
    i18n.activate("en")
    issue, = missing_role_issues(p.stage("evaluation"), {}, "d-1")
    assert issue.message == "stage 'evaluation' needs a presales, and nobody holds the role"
    assert roles_note("d-1", "evaluation", ["presales"]) == \
        "note: evaluation needs presales; nobody holds it on d-1: funnelctl assign d-1 presales " \
        "PERSON"
