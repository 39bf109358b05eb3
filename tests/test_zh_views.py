"""The core views in Chinese, on a copy of the Chinese sample (examples/zh) with
``--lang zh`` and a fixed day: list, show, plan, funnel (text and Markdown), board,
stalls, review (text and Markdown) and target say what they say in Chinese (money in
万, dates as 2026年11月24日, stages by their Chinese labels), and no English word is
left on screen but what a user types: the deals' ids, the reps' logins, the commands
and options a hint names, the pipeline's currency code."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from funnelctl import i18n
from funnelctl.cli.app import app

from .conftest import REPO

ZH = REPO / "examples" / "zh"
TODAY = "2026-11-24"
ENV = {"NO_COLOR": "1", "COLUMNS": "120", "FUNNELCTL_DIR": None, "FUNNELCTL_TODAY": None,
       "FUNNELCTL_LANG": None}


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.activate("en")  # the runner's process speaks English again for the next test


@pytest.fixture(scope="module")
def zh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the Chinese sample: the runs write their cache there, never
    into the repository."""
    root = tmp_path_factory.mktemp("zh")
    shutil.copy2(ZH / "stages.yaml", root / "stages.yaml")
    shutil.copytree(ZH / "deals", root / "deals", ignore=shutil.ignore_patterns(".*"))
    return root


def run(root: Path, *args: str) -> str:
    res = CliRunner().invoke(app, ["--lang", "zh", "--dir", str(root), "--today", TODAY,
                                   *args], env=ENV, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stdout


# -- what may stay in Latin letters ----------------------------------------------------

_ID = re.compile(r"^id:\s*(\S+)", re.M)
_OWNER = re.compile(r"^owner:\s*(\S+)", re.M)
# a command or an option a hint names, which the user types as it is written:
# (funnelctl judge ID keep|drop), --all, --json
_COMMAND = re.compile(r"funnelctl(?: +[a-z|]+)*|--[a-z][a-z-]*")
_WORD = re.compile(r"[A-Za-z]{3,}")


def typed_names(root: Path) -> list[str]:
    """The deals' ids and the reps' logins of the pipeline, longest first (an id may
    begin with another)."""
    names: set[str] = set()
    for path in (root / "deals").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        names.update(_ID.findall(text) + _OWNER.findall(text))
    return sorted(names, key=len, reverse=True)


def english_words(text: str, root: Path) -> list[str]:
    """The words of three Latin letters or more left in ``text`` once the ids, logins,
    commands, options, ISO dates and the currency code are taken out."""
    for name in typed_names(root):
        text = text.replace(name, " ")
    text = _COMMAND.sub(" ", text)
    text = re.sub(r"\d{4}-\d{2}-\d{2}", " ", text).replace("CNY", " ")
    return _WORD.findall(text)


def assert_chinese(text: str, root: Path) -> None:
    left = english_words(text, root)
    assert not left, f"English words left: {sorted(set(left))}\n{text}"


def test_the_helper_finds_an_english_word_and_lets_ids_and_commands_pass(zh: Path) -> None:
    assert english_words("huadong-bengye-shuichuli li.wei 2026-11-24 --all 120万 CNY "
                         "(funnelctl judge x keep|drop)", zh) == []
    assert english_words("赢单 1 个 stalled 3天, no", zh) == ["stalled"]


# -- the rep's views ---------------------------------------------------------------------


def test_list(zh: Path) -> None:
    out = run(zh, "list", "--owner", "zhang.min")
    head = out.splitlines()[0].split()
    assert head == ["编号", "客户", "标题", "负责人", "阶段", "状态", "金额"]
    # a stage by its Chinese label, the status in words, each amount in 万 (every digit)
    assert re.search(r"huadong-bengye-shuichuli +华东泵业 +水处理项目 +zhang\.min +签订合同 "
                     r"+赢单 +380万\n", out)
    assert re.search(r"xihu-ruanjian-cangchu-zidonghua-2 .* 方案评估 +进行中 +60万\n", out)
    assert out.endswith("12 个商机，989万 CNY\n")
    assert_chinese(out, zh)
    assert_chinese(run(zh, "list"), zh)


def test_plan(zh: Path) -> None:
    out = run(zh, "plan")
    assert "已逾期（6）\n" in out and "今天到期（1）\n" in out and "本周到期（3）\n" in out
    assert "没有下一步（4）\n" in out
    assert re.search(r"2026年11月12日 （逾期 12天） +xihu-ruanjian-cangchu-zidonghua-2 +西湖软件 "
                     r"+zhang\.min +提交技术方案\n", out)
    assert out.endswith("另有 4 个下一步在本周之后\n")
    assert_chinese(out, zh)


def test_show_through_the_command(zh: Path) -> None:
    out = run(zh, "show", "huadong-bengye-lengque-shuibeng")
    for text in ("负责人 li.wei   金额 150万 CNY   阶段 方案评估（evaluation）   丢单",
                 "赢率 0%   加权金额 0   预计签约日 2026年8月10日", "阶段历程",
                 "2026年6月27日  线索确认    14", "离开方案评估需要的里程碑",
                 "客户认可我们的方案满足需求   缺失", "关键要素", "权力  ██████░░░░░░  3/6",
                 "联系人", "决策者", "最近的动作（共 6 个中的 5 个）", "目标 → 结果"):
        assert text in out, text


def show_screen(root: Path, deal: str) -> str:
    """``show`` as the command renders it, with the pipeline given to the renderer (it
    names the deal's kinds, loss reason and required ladders by their labels)."""
    from funnelctl.analysis.roadmap import road_map
    from funnelctl.render.rep import show
    from funnelctl.store import find_deal, load_pipeline, read_deal
    from funnelctl.store.files import read_file
    from funnelctl.yamlio import load_fast

    i18n.activate("zh_CN")
    p = load_pipeline(root, use_cache=False)
    rel = find_deal(root, deal)
    raw = read_file(root, rel, p.max_file_bytes)
    d, problems = read_deal(root, rel, p, raw, full=True)
    assert d is not None and not problems
    con = Console(file=io.StringIO(), width=200, color_system=None)
    show(con, road_map(d, load_fast(raw), p, dt.date.fromisoformat(TODAY)), [], p)
    return con.file.getvalue()  # type: ignore[attr-defined]


def test_show_names_everything_of_stages_yaml_in_chinese(zh: Path) -> None:
    lost = show_screen(zh, "huadong-bengye-lengque-shuibeng")
    assert "丢单 (客户未做决定)" in lost  # the loss reason's label, not no_decision
    assert "进入条件：需求 >= 3" in lost and "现有 3" in lost
    assert re.search(r"2026年7月5日 +电话 +了解真实需求 → 客户真正关心的是交货周期 +否", lost)
    assert "技术交流" in lost
    forced = show_screen(zh, "beifang-gangtie-guolu-gaizao")
    assert "强行推进：客户要求尽快报价，销售总监批准 （豁免：客户用自己的话确认了需求, " \
           "采购计划已批准，资金已到位, 需求>=3, 权力>=3）" in forced
    assert "本阶段已 2 天" in forced
    for screen in (lost, forced):
        # the stage's id beside its label is the one id of stages.yaml on screen
        assert_chinese(screen.replace("（evaluation）", ""), zh)


# -- the manager's views -----------------------------------------------------------------


def test_funnel(zh: Path) -> None:
    out = run(zh, "funnel")
    head = out.splitlines()[0]
    assert head.split()[:6] == ["阶段", "漏斗", "商机数", "基准", "金额", "加权金额"]
    # the figures stay under their headings, measured in screen cells (万 takes two)
    row = next(x for x in out.splitlines() if x.startswith("线索确认"))
    assert row.endswith("7    7.0  1068万   106.8万           60%/50%")
    assert cell_len(head) == cell_len(row)
    assert "█ 商机  ░ 未达基准  ▓ 超出基准" in out
    assert "积压: 需求培育有 8 个商机；线索确认的 7 个按基准只应有 3.5" in out
    assert "进入偏晚: 10 个商机在方案评估或更晚的阶段才进入漏斗" in out
    assert "压单？: zhang.min：12 个商机中有 10" in out
    assert_chinese(out, zh)


def test_funnel_md(zh: Path) -> None:
    out = run(zh, "funnel", "--format", "md")
    assert out.startswith("# 漏斗 2026年11月24日\n\n| 阶段 | 商机数 | 基准 | 金额 | 加权金额 |")
    assert "| 需求培育 | 8 | 3.5 | 1140万 | 228万 | 75%/40% |" in out
    assert ("- **顶部过薄**: 线索确认只有 7 个；按基准转化率，需求培育的 8 个需要那里约有 16 个"
            in out)
    assert_chinese(out, zh)
    assert_chinese(run(zh, "funnel", "--by", "owner", "--format", "md"), zh)


def test_board(zh: Path) -> None:
    out = run(zh, "board", "--rows", "2")
    assert out.splitlines()[0].split() == ["线索确认", "需求培育", "方案评估", "商务谈判"]
    assert out.splitlines()[1].split() == ["7", "·", "1068万", "8", "·", "1140万", "3", "·",
                                           "145万", "0", "·", "0"]
    assert "162天 · 目标 0/3" in out and "1天 · 权力 0/6" in out
    assert "另有 5 个，628万" in out and "另有 6 个，930万" in out  # 1068万 - 60万 - 380万
    assert_chinese(out, zh)


def test_stalls(zh: Path) -> None:
    out = run(zh, "stalls")
    assert re.search(r"huanghe-shuini-lenglian-yunshu-hetong-2 +li\.wei +需求培育 +150万 +"
                     r"停滞 167天 · 下一步逾期 1天\n", out)
    assert re.search(r"beifang-gangtie-guolu-gaizao +li\.wei +方案评估 +25万 +没有下一步\n", out)
    assert out.endswith("12 个商机，共 20 条警告\n")
    assert_chinese(out, zh)
    limited = run(zh, "stalls", "--limit", "3", "--format", "md")
    assert "| 商机 | 负责人 | 阶段 | 金额 | 警告 |" in limited
    assert "……还有 9 个商机（--all 显示全部）\n\n12 个商机，共 20 条警告\n" in limited
    assert_chinese(limited, zh)


def test_review(zh: Path) -> None:
    out = run(zh, "review")
    assert out.startswith("周例会 2026年11月24日（自 2026年11月17日 以来的变动，"
                          "周期 2026年11月）\n")
    for text in (
            "beifang-gangtie-guolu-gaizao (北方钢铁): 权力自 2026年10月14日 以来一直停在 1 级；"
            "商务谈判需要 4 级：下一步怎么提升？",
            "beifang-gangtie-guolu-gaizao (北方钢铁): 价值一直停在 0 级；"
            "商务谈判需要 3 级：下一步怎么提升？",
            "li.wei：8 个进行中的商机经理已 15 天没有查看：",
            "2026年11月18日 丢单 xihu-ruanjian-guolu-gaizao (西湖软件, 380万) "
            "在线索确认：输给竞争对手（新界泵业）",
            "2026年11月22日 推进 beifang-gangtie-guolu-gaizao (北方钢铁, 25万) "
            "需求培育 -> 方案评估 （强行推进）",
            "10 个商机，共 16 条警告", "……还有 18 个",
            "商机 25 个（进行中 12，赢单 3，丢单 10）  赢率 23%",
            "销售速度：每天 9.5万（进行中 12 × 平均赢单金额 320万 × 赢率 23% ÷ 93 天）",
            "自 2026年11月17日 以来： 赢单 1 个（380万）, 丢单 2 个（760万）",
            "团队 2026年11月 （周期已过 80%）： 已签 2/8（按进度此时应签 6.4）， 落后; "
            "金额 500万/900万， 落后",
            "豁免（强行推进）：", "排行榜 2026年11月"):
        assert text in out, text
    assert re.search(r"─  团队  ─", out)
    assert_chinese(out, zh)


def test_review_md(zh: Path) -> None:
    out = run(zh, "review", "--format", "md")
    assert out.startswith("# 周例会 2026年11月24日\n\n"
                          "自 2026年11月17日 以来的变动；周期 2026年11月。\n")
    for text in ("## li.wei\n", "## 团队\n", "### 要问的问题\n", "### 警告\n", "### 流程\n",
                 "- **目标 2026年11月**: 已签 1/3（按进度此时应签 2.4）, 金额 120万/300万; "
                 "卡在商务谈判，还差 2.5 个商机",
                 "- 2026年11月18日 **丢单** xihu-ruanjian-guolu-gaizao (西湖软件, 380万) "
                 "在线索确认：输给竞争对手（新界泵业）",
                 "**停滞** 在需求培育已 167 天（阈值 45 天）：判断客户意向，保留或放弃",
                 "- 赢单 1 个（380万）\n", "## 排行榜 2026年11月\n\n| # | 负责人 | 已签 | 目标 |"):
        assert text in out, text
    assert_chinese(out, zh)


def test_target(zh: Path) -> None:
    out = run(zh, "target")
    assert out.splitlines()[1].split() == ["阶段", "比率", "所需", "商机数", "实际", "差距"]
    assert "  卡在商务谈判：还差 7.5 个商机（需要 7.5，现有 0）\n" in out
    assert "zhang.min 2026年11月 （周期已过 80%）： 已签 1/2（按进度此时应签 1.6）， 落后; " \
           "金额 380万/200万， 进度正常\n" in out
    assert_chinese(out, zh)
