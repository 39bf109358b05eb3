"""The commands' own words in Chinese: what new, show, list, edit, review, target,
forecast, validate, schema, import, export, report, history, git-setup and init
print themselves (errors, summaries, notes, titles) comes out in Chinese on a copy
of the Chinese sample (examples/zh) with --lang zh, with money and dates as Chinese
writes them; a stage is named by its id, its Chinese or its English label; a deal
given by a prefix or a title is named by its id.

The views' bodies are other modules' (render/, analysis/): the tests look at the
lines these commands write, and check that no English word is left in them
(``english``: ids, paths, options, emails and ISO dates aside)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl import i18n
from funnelctl.cli.app import app

from .conftest import REPO

ZH = REPO / "examples" / "zh"
TODAY = "2026-11-24"
ENV = {"NO_COLOR": "1", "COLUMNS": "120", "FUNNELCTL_DIR": None, "FUNNELCTL_TODAY": None,
       "FUNNELCTL_LANG": None, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
       "GIT_AUTHOR_NAME": "Li Wei", "GIT_AUTHOR_EMAIL": "li.wei@example.com",
       "GIT_COMMITTER_NAME": "Li Wei", "GIT_COMMITTER_EMAIL": "li.wei@example.com",
       "GIT_AUTHOR_DATE": "2026-11-20T10:00:00", "GIT_COMMITTER_DATE": "2026-11-20T10:00:00"}

# Words that are names, not English: of programs, formats and git's revisions
NAMES = {"funnelctl", "git", "HEAD", "CRM", "CNY", "schema", "json", "csv"}
_NOT_WORDS = [
    re.compile(r"\S+@\S+"),  # emails
    re.compile(r"--[a-z][a-z-]*"),  # options
    re.compile(r"\S*/\S*"),  # paths
    re.compile(r"\S+\.(?:yaml|yml|csv|html|svg|json|db)\b"),  # file names
    re.compile(r"\d{4}-\d{2}(?:-\d{2})?"),  # ISO dates and periods
    re.compile(r"'funnelctl [^']*'"),  # a command to run, quoted
    re.compile(r"\(funnelctl [^)]*\)"),  # a command to run, in brackets
    re.compile(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)+"),  # ids: li.wei, huadong-bengye
]


def english(text: str, *names: str) -> list[str]:
    """The English words left in ``text`` once ids, paths, options, emails, commands,
    ISO dates, ``names`` (what the test typed or the files hold) and NAMES are
    taken out."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    for pattern in _NOT_WORDS:
        text = pattern.sub(" ", text)
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in NAMES]


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.activate("en")  # the language is the process's: leave it as other tests expect


def zh_copy(dest: Path) -> Path:
    shutil.copytree(ZH, dest, ignore=shutil.ignore_patterns(".*"))
    return dest


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **{k: v for k, v in ENV.items() if v is not None}}
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True, env=env).stdout


def committed(root: Path) -> Path:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "sample")
    return root


class Run:
    def __init__(self, root: Path):
        self.root = root

    def __call__(self, *args: str, lang: str = "zh", env: dict | None = None):
        res = CliRunner().invoke(app, ["--dir", str(self.root), "--today", TODAY,
                                       "--lang", lang, *args],
                                 env={**ENV, **(env or {})}, catch_exceptions=False)
        return res


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Run:
    """A copy of the Chinese sample for the commands that only read it."""
    return Run(zh_copy(tmp_path_factory.mktemp("zh") / "sample"))


@pytest.fixture
def work(tmp_path: Path) -> Run:
    """A copy of its own for a test that writes."""
    return Run(zh_copy(tmp_path / "sample"))


def deal_count(root: Path) -> int:
    return len(list((root / "deals").rglob("*.yaml")))


def error(res) -> str:
    """The one line ``fail`` writes, without its ``funnelctl: `` prefix."""
    line = res.stderr.splitlines()[0]
    assert line.startswith("funnelctl: "), res.stderr
    return line[len("funnelctl: "):]


# -- new, show, list, edit ----------------------------------------------------------


def test_new_takes_a_stage_by_chinese_or_english_label_and_refuses_in_chinese(work: Run):
    res = work("new", "--account", "华东泵业", "--title", "冷却塔改造", "--owner", "li.wei",
               "--amount", "800000", "--created", "2026-10-01", "--stage", "方案评估")
    assert res.exit_code == 0, res.output
    did, rel = res.stdout.strip().split("\t")
    assert did.startswith("huadong-bengye-")
    assert "stage: evaluation\n" in (work.root / rel).read_text(encoding="utf-8")
    res = work("new", "--account", "华东泵业", "--title", "二号线", "--owner", "li.wei",
               "--amount", "1", "--created", "2026-10-01", "--stage", "Business negotiation")
    assert res.exit_code == 0, res.output
    rel = res.stdout.strip().split("\t")[1]
    assert "stage: negotiation\n" in (work.root / rel).read_text(encoding="utf-8")

    res = work("new", "--account", "甲", "--title", "乙", "--owner", "li.wei", "--amount",
               "1", "--stage", "签订合同")
    assert res.exit_code == 2
    assert error(res) == (
        "--stage '签订合同'：不是进行中的阶段（可选：lead (线索确认), nurture (需求培育), "
        "evaluation (方案评估), negotiation (商务谈判)；已赢单或丢单的商机请用 "
        "'funnelctl import' 导入）")
    assert english(error(res), "lead", "nurture", "evaluation", "negotiation") == []
    res = work("new", "--account", "甲", "--title", "乙", "--owner", "li.wei", "--amount",
               "1", "--close", "2020-01-01")
    assert res.exit_code == 1 and error(res) == "--close 2020年1月1日 已经过去"
    res = work("new", "--account", "甲", "--title", "乙", "--owner", "li.wei", "--amount",
               "1", "--created", "2027-01-01")
    assert res.exit_code == 2 and error(res) == "--created 2027年1月1日 晚于今天（2026年11月24日）"
    res = work("new", "--account", "甲", "--title", "乙", "--owner", "li.wei", "--amount",
               "1", "--id", "a b")
    assert res.exit_code == 2
    assert error(res) == "--id 'a b'：只能用字母、数字、'.'、'_' 和 '-'，最多 100 个字符"
    res = work("new", "--account", "甲", "--title", "乙", "--owner", "li.wei", "--amount",
               "1", "--folder", "../x")
    assert error(res) == "--folder '../x' 必须是 deals/ 下的普通子目录"
    res = work("new", "--account", "甲", "--title", "乙", "--owner", "li.wei", "--amount",
               "1", "--id", "huadong-bengye-lengque-shuibeng")
    assert res.exit_code == 1
    assert error(res) == ("id 为 'huadong-bengye-lengque-shuibeng' 的商机已存在："
                          "deals/huadong/huadong-bengye-lengque-shuibeng.yaml")


def test_new_stage_refusal_in_english_lists_ids_with_labels(work: Run):
    res = work("new", "--account", "A", "--title", "B", "--owner", "li.wei", "--amount", "1",
               "--stage", "won", lang="en")
    assert res.exit_code == 2
    assert error(res) == (
        "--stage 'won': not an open stage (stages: lead (Lead confirmation), nurture (Need "
        "cultivation), evaluation (Solution evaluation), negotiation (Business negotiation); "
        "a won or lost deal is brought in by 'funnelctl import')")


def test_list_stage_by_label_in_either_language_and_a_usage_error_otherwise(sample: Run):
    def ids(*args: str) -> list[str]:
        res = sample("list", "--json", *args)
        assert res.exit_code == 0, res.output
        return [r["id"] for r in json.loads(res.stdout)]

    by_id = ids("--stage", "negotiation")
    assert by_id and ids("--stage", "商务谈判") == by_id == ids("--stage", "Business negotiation")
    assert ids("--stage", "签订合同") == ids("--stage", "won") != []
    res = sample("list", "--stage", "谈判")
    assert res.exit_code == 2
    assert error(res) == ("--stage '谈判'：没有这个阶段（可选：lead (线索确认), "
                          "nurture (需求培育), evaluation (方案评估), negotiation (商务谈判), "
                          "won (签订合同)）")


def test_show_and_edit_find_a_deal_by_prefix_or_title_and_name_its_id(work: Run):
    res = work("new", "--account", "天山乳业", "--title", "独一无二的标题", "--owner", "li.wei",
               "--amount", "1000")
    assert res.exit_code == 0, res.output
    did = res.stdout.split("\t")[0]
    shown = work("show", "独一无二的标题")
    assert shown.exit_code == 0, shown.output
    assert did in shown.stdout
    prefix = work("show", "huadong-bengye-lengq")
    assert prefix.exit_code == 0 and "huadong-bengye-lengque-shuibeng" in prefix.stdout

    rel = "deals/huadong/huadong-bengye-lengque-shuibeng.yaml"
    res = work("edit", "huadong-bengye-lengq", env={"VISUAL": None, "EDITOR": "true"})
    assert res.exit_code == 0, res.output
    assert res.stdout == f"huadong-bengye-lengque-shuibeng：没有修改（{rel}）\n"
    res = work("edit", "独一无二的标题", env={"VISUAL": None, "EDITOR": "true"}, lang="en")
    assert res.stdout.startswith(f"{did}: no changes (")

    res = work("show", "lengque")
    assert res.exit_code == 1 and "没有商机 'lengque'" in error(res)


EDITOR = r'''
import sys
from pathlib import Path
path = Path(sys.argv[-1])
seen = Path(sys.argv[1])
n = len(list(seen.parent.glob(seen.name + "*")))
Path(f"{seen}{n}").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
text = path.read_text(encoding="utf-8")
path.write_text(text.replace("stage: evaluation", "stage: 成交"), encoding="utf-8")
'''


def test_edit_lists_the_problems_in_chinese_and_gives_up_in_chinese(work: Run, tmp_path):
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    seen = tmp_path / "seen"
    rel = "deals/huadong/huadong-bengye-lengque-shuibeng.yaml"
    before = (work.root / rel).read_bytes()
    res = work("edit", "huadong-bengye-lengque-shuibeng",
               env={"VISUAL": None, "EDITOR": f"{sys.executable} {script} {seen}"})
    assert res.exit_code == 1
    assert error(res) == f"文件保存时未作修改：已放弃，{rel} 保持原样"
    assert (work.root / rel).read_bytes() == before
    second = (tmp_path / "seen1").read_text(encoding="utf-8").splitlines()
    notes = [line for line in second if line.startswith("# funnelctl:")]
    assert notes[0] == (f"# funnelctl: {rel} 有错误：请修正下面列出的问题后保存"
                        "（行号以本文件为准），或不作修改、清空保存以放弃")
    assert notes[2].startswith("# funnelctl: 第 ") and "行：" in notes[2]
    assert english(notes[0]) == []


# -- the views' commands: their own lines ----------------------------------------------


def test_views_run_in_chinese_and_their_usage_errors_are_chinese(sample: Run):
    for view in (["plan"], ["funnel"], ["board"], ["stalls"], ["review"], ["forecast"],
                 ["funnel", "--by", "owner", "--format", "md"]):
        res = sample(*view)
        assert res.exit_code == 0, (view, res.output)
        assert re.search(r"[\u4e00-\u9fff]", res.stdout), view
    res = sample("funnel", "--json", "--svg", "x.svg")
    assert res.exit_code == 2 and error(res) == "--svg 保存的是终端显示的内容：请去掉 --json"
    res = sample("review", "--since", "2026-11-01", "--since-ref", "HEAD")
    assert res.exit_code == 2
    assert error(res) == "--since 和 --since-ref 都指定例会的起点：只能给一个"
    res = sample("review", "--tag", "--owner", "li.wei")
    assert res.exit_code == 2
    assert error(res) == "--tag 保存的是整个团队的例会：请去掉 --owner 和 --team"


def test_target_titles_and_refusals_in_chinese(sample: Run):
    res = sample("target", "10")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == "2026年11月要签 10 单（团队）"
    res = sample("target", "10", "--owner", "li.wei", "--format", "md")
    assert res.stdout.splitlines()[0] == "## 2026年11月要签 10 单（li.wei）"
    res = sample("target", "4", "--by", "owner")
    titles = [line for line in res.stdout.splitlines() if "要签" in line]
    assert titles == ["chen.jing：2026年11月要签 4 单", "li.wei：2026年11月要签 4 单",
                      "wang.fang：2026年11月要签 4 单", "zhang.min：2026年11月要签 4 单"]
    res = sample("target", "3", "--amount", "5")
    assert res.exit_code == 1 and error(res) == "N 和 --amount 只能给一个"
    res = sample("target", "3", "4")
    assert res.exit_code == 2
    assert error(res) == "4：只能给一个 N（写入目标请用 'funnelctl target set N'）"
    res = sample("target", "--daily", "3")
    assert error(res) == "--daily 跟踪的是已承诺的目标：请去掉 N 和 --amount"
    res = sample("target", "--period", "2030-01")
    assert res.exit_code == 1
    assert error(res) == ("stages.yaml 中没有2030年1月的目标（请添加 'targets:' 一节，"
                          "或给出 N：funnelctl target 10）")


def test_forecast_backtest_note_outside_git(sample: Run):
    res = sample("forecast", "--backtest", "--months", "2")
    assert res.exit_code == 0, res.output
    note = res.stderr.splitlines()[0]
    assert note == ("注意：2026年9月至2026年10月 按今天的文件重演（不在 git 中）："
                    "阶段历史截至各月月初，但预计签约日和金额是今天的")
    assert english(note) == []


# -- validate, schema, init --------------------------------------------------------------


def test_validate_counts_in_chinese(work: Run):
    n = deal_count(work.root)
    res = work("validate")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[-1] == f"通过：{n} 个商机，没有问题"
    # a deal of its id alone lacks title, account, owner, amount, created, stage and
    # history: 7 problems, and the file is left out
    (work.root / "deals" / "huadong" / "x.yaml").write_text("id: x\n", encoding="utf-8")
    res = work("validate")
    assert res.exit_code == 1
    assert res.stdout.splitlines()[-1] == f"1 个文件中有 7 个问题（1 个被略过）；已读取 {n} 个商机"
    res = work("validate", "HEAD")
    assert res.exit_code == 2
    assert error(res) == "'HEAD'：版本号要配合 --changed 使用（funnelctl validate --changed HEAD）"


def test_validate_changed_in_a_repository(work: Run):
    committed(work.root)
    res = work("validate", "--changed")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[-1] == "通过：0 个有修改的商机，没有问题"
    rel = work.root / "deals" / "huadong" / "huadong-bengye-lengque-shuibeng.yaml"
    rel.write_text(rel.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    res = work("validate", "--changed")
    assert res.stdout.splitlines()[-1] == "通过：1 个有修改的商机，没有问题"


def test_schema_write_and_refusals(work: Run):
    res = work("schema", "--write")
    assert res.exit_code == 0, res.output
    path = work.root / ".funnelctl" / "deal.schema.json"
    assert res.stdout == f"已写入 {path}\n"
    assert work("schema", "--write").stdout == f"无变化：{path}\n"
    res = work("schema", "stages", "--write")
    assert res.exit_code == 2
    assert error(res) == "--write 只用于商机的 schema（funnelctl schema deal --write）"


def test_init_says_what_it_created_in_chinese(tmp_path: Path):
    res = CliRunner().invoke(app, ["--lang", "zh", "init", str(tmp_path / "p"), "--no-git"],
                             env=ENV, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert res.stdout == f"已创建 {tmp_path / 'p' / 'stages.yaml'} 和 {tmp_path / 'p' / 'deals'}/\n"
    res = CliRunner().invoke(app, ["--lang", "zh", "init", str(tmp_path / "p"), "--no-git"],
                             env=ENV, catch_exceptions=False)
    assert res.exit_code == 1
    assert error(res) == f"{tmp_path / 'p' / 'stages.yaml'} 已存在；未写入任何内容"


# -- import, export, report ------------------------------------------------------------


CSV = """\
id,account,title,owner,amount,stage,created,close
s1,华东泵业,新泵房,li.wei,100000,线索,2026-10-01,2027-01-01
s2,北方钢铁,新产线,li.wei,200000,Angebot,2026-10-01,2027-02-01
s3,东方医疗,药库,wang.fang,300000,Angebot,2026-10-01,2027-02-01
s4,东方医疗,旧单,wang.fang,,Angebot,2026-10-01,2027-02-01
"""


def test_import_dry_run_reports_in_chinese(work: Run, tmp_path: Path):
    src = tmp_path / "crm.csv"
    src.write_text(CSV, encoding="utf-8")
    maps = ["--stage-map", "线索=lead", "--stage-map", "Angebot=方案评估"]
    res = work("import", str(src), *maps)
    assert res.exit_code == 1, res.output  # s4 has no amount
    lines = res.stdout.splitlines()
    assert lines[:5] == [
        "crm.csv：4 行",
        "将创建 3 个商机：",
        "  负责人     线索确认  需求培育  方案评估  商务谈判  签订合同  丢单   合计",
        "  li.wei            1         0         1         0         0     0      2",
        "  wang.fang         0         0         1         0         0     0      1"]
    assert lines[5] == "无法导入 1 行："
    assert lines[6].startswith("  第 5 行：")
    assert lines[-1] == "试运行：未写入任何内容（--write 才会创建商机）"
    for line in lines[:6] + lines[-1:]:
        assert english(line, "crm.csv") == [], line

    res = work("import", str(src), "--stage-map", "Angebot=谈判中")
    assert res.exit_code == 2
    assert error(res) == ("--stage-map Angebot=谈判中：没有阶段 '谈判中'（可选：lead, nurture, "
                          "evaluation, negotiation, won, lost）")
    res = work("import", str(src), "--force-moves")
    assert error(res) == "--force-moves 和 --reason 要配合 --update 使用"


def test_import_stage_map_to_lost_and_won_by_label(work: Run, tmp_path: Path):
    src = tmp_path / "crm.csv"
    src.write_text("id,account,title,owner,amount,stage,created,close\n"
                   "w1,华东泵业,甲,li.wei,1,Auftrag,2026-10-01,2026-11-01\n"
                   "l1,华东泵业,乙,li.wei,1,Verloren,2026-10-01,2026-11-01\n", encoding="utf-8")
    res = work("import", str(src), "--stage-map", "Auftrag=签订合同", "--stage-map",
               "Verloren=丢单", "--json")
    data = json.loads(res.stdout)
    assert data["by_owner"] == {"li.wei": {"won": 1, "lost": 1}}


def test_export_summary_in_chinese(work: Run):
    out = work.root.parent / "out"
    res = work("export", "--format", "csv", "--out", str(out))
    assert res.exit_code == 0, res.output
    n = deal_count(work.root)
    assert res.stdout.startswith(f"已导出 {n} 个商机, ")
    assert ", 5 个阶段：" in res.stdout  # the five stages of stages.yaml with won
    assert english(res.stdout.split("：")[0]) == []
    res = work("export", "--format", "csv", "--out", "-")
    assert res.exit_code == 2
    assert error(res) == "--out -：只有 --format json 能输出到标准输出（--format csv 写入一个目录）"


def test_report_says_what_it_wrote_in_chinese(work: Run):
    out = work.root.parent / "review.html"
    res = work("report", "--html", str(out))
    assert res.exit_code == 0, res.output
    assert res.stdout == f"已写入 {out}：4 位销售，没有趋势（不在 git 中）\n"
    res = work("report", "--html", str(out), "--weeks", "0", "--owner", "li.wei")
    assert res.stdout == f"已写入 {out}：1 位销售\n"


# -- in git: history, review --tag, git-setup ------------------------------------------


def test_in_git_history_tag_and_setup_speak_chinese(work: Run):
    committed(work.root)
    res = work("history", "huadong-bengye-lengq")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("huadong-bengye-lengque-shuibeng ")
    res = work("audit", "no-such-tag..HEAD")
    assert res.exit_code == 2 and error(res).startswith("版本范围 ")

    res = work("review", "--since-ref", "HEAD", "--tag")
    assert res.exit_code == 0, res.output
    assert res.stderr.splitlines()[-1] == (
        f"已打标签 review/{TODAY}：2026年11月的预测（git show review/{TODAY}）")
    assert dt.date.fromisoformat(TODAY)  # the tag is named by the ISO day, as git refs are

    res = work("git-setup")
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        f"已把合并驱动的配置行加入 {work.root / '.gitattributes'}",
        "已在本克隆的 git 配置中注册合并驱动 funnelctl"]
    assert work("git-setup").stdout.splitlines()[-1] == \
        "合并驱动 funnelctl 已在本克隆的 git 配置中注册过"


# -- completion ------------------------------------------------------------------------


def complete(root: Path, *words: str) -> list[str]:
    """What bash is offered after ``funnelctl --dir ROOT WORDS`` (the last word being
    completed), from the real command tree."""
    line = ["funnelctl", "--dir", str(root), *words]
    res = CliRunner().invoke(app, [], prog_name="funnelctl", env={
        **ENV, "_FUNNELCTL_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(line),
        "COMP_CWORD": str(len(line) - 1)})
    return [w for w in res.stdout.splitlines() if w]


def test_deal_arguments_and_stage_options_complete(sample: Run):
    both = ["huadong-bengye-lenglian-yunshu-hetong", "huadong-bengye-lengque-shuibeng"]
    assert complete(sample.root, "show", "huadong-bengye-l") == both
    assert complete(sample.root, "edit", "huadong-bengye-l") == both
    assert complete(sample.root, "history", "huadong-bengye-l") == both
    assert complete(sample.root, "list", "--stage", "方") == ["方案评估"]
    assert complete(sample.root, "new", "--stage", "n") == ["nurture", "negotiation"]
    assert complete(sample.root, "new", "--owner", "wang") == ["wang.fang"]
