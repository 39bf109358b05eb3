"""What funnelctl says of broken data in Chinese: validate's problems of a deal file
and of stages.yaml, the refusals of the import's rows, git's and the store's errors
and a date it cannot read, on a copy of the Chinese sample (examples/zh, whose
stages.yaml says ``lang: zh``), with no English word left but ids, keys, options
and what the user typed; and the same rules' English as it always was."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from funnelctl import checks, i18n
from funnelctl.cli.app import app
from funnelctl.io import values
from funnelctl.store import load_pipeline

ZH = Path(__file__).resolve().parent.parent / "examples" / "zh"
TODAY = "2026-11-24"


@pytest.fixture(autouse=True)
def english_after():
    """A run in Chinese leaves its language active in the process: the next test
    starts in English."""
    yield
    i18n.activate("en")


@pytest.fixture
def zh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the Chinese sample, in no git repository."""
    for name in ("FUNNELCTL_DIR", "FUNNELCTL_TODAY", "FUNNELCTL_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "zh"
    shutil.copytree(ZH, root, ignore=shutil.ignore_patterns(".*"))
    return root


def run(root: Path, *args: str):
    return CliRunner().invoke(app, ["--lang", "zh", "--dir", str(root), "--today", TODAY,
                                    *args], catch_exceptions=False)


# -- no English word left ---------------------------------------------------------------

# what may stay in Latin letters: the program, file names and formats, keys of the
# files as written, and the date pattern
KEEP = {"funnelctl", "stages.yaml", "YYYY-MM-DD", "YYYY-MM", "MM-DD", "outcome.date",
        "outcome.reason", "outcome", "probability", "conversion", "stall_days",
        "follow_up_days", "CRM", "UTF-8"}


def ids_of(root: Path) -> set[str]:
    """Every id of the pipeline (stages, outcomes, milestones, ladders, kinds, loss
    reasons, people and teams) and of its deals: what a message may name as it is."""
    p = load_pipeline(root, use_cache=False)
    out = {s.id for s in p.stages} | {p.won.id, p.lost.id} | set(p.kind_ids)
    out |= {m.id for s in p.stages for m in s.milestones} | {lad.id for lad in p.ladders}
    out |= {r.id for r in p.lost.reasons} | set(p.teams)
    out |= {o for members in p.teams.values() for o in members}
    out |= {o for managers in p.team_managers.values() for o in managers}
    out |= {f.stem for f in (root / "deals").rglob("*.yaml")}
    return out


def english_words(text: str, allowed: set[str]) -> list[str]:
    """The words of three Latin letters or more in ``text`` that are neither allowed
    (an id, a key, a name of the sample) nor in what ids look like in a message:
    text the user typed or a command, quoted ('bogus', 'funnelctl list'), a path
    (deals/huadong/x.yaml), an option (--evidence), a requirement (need>=3)."""
    t = re.sub(r"'[^'\n]*'", " ", text)
    t = re.sub(r"--[a-z][a-z-]*", " ", t)
    out = []
    for tok in re.findall(r"[A-Za-z][\w./>=-]*", t):
        tok = tok.rstrip(".:-")
        if tok in allowed or tok in KEEP or "/" in tok or ">=" in tok:
            continue
        if re.search(r"[A-Za-z]{3,}", tok):
            out.append(tok)
    return out


def bad_deal(root: Path) -> str:
    """A deal file of the Chinese sample with six problems, one a line."""
    rel = "deals/huadong/bad.yaml"
    (root / rel).write_text("""\
id: bad
title: 坏商机
account: 测试客户
owner: li.wei
amount: 100000
created: 2026-11-01
close: 2026-10-01
stage: evaluation
status: open
history:
  - stage: lead
    date: 2026-11-01
  - stage: evaluation
    date: 2026-10-20
milestones:
  need_identified: {date: 2026-11-02}
  nosuch: {date: 2026-11-02}
levels:
  need: {level: 9, date: 2026-11-02}
  power: {level: 1, date: 2026-11-02}
actions:
  - {date: 2026-11-03, kind: fax, goal: 试一试}
""", encoding="utf-8")
    return rel


def test_validate_speaks_chinese_of_a_deal_with_several_problems(zh: Path) -> None:
    rel = bad_deal(zh)
    res = run(zh, "validate")
    assert res.exit_code == 1
    said = [line for line in res.output.splitlines() if line.startswith(rel + ":")]
    # path:line: the message, one a problem, each rule in Chinese, stages and ladders
    # named by their Chinese labels
    assert f"{rel}:7: 预计签约日 2026年10月1日 早于商机的创建日期（2026年11月1日）" in said
    assert f"{rel}:8: 阶段“方案评估”要求权力达到 3，本商机的权力为 1" in said
    assert f"{rel}:14: 历史记录的日期倒退：2026年11月1日之后是 2026年10月20日" in said
    assert (f"{rel}:15: 阶段“线索确认”的里程碑“客户方有名有姓的联系人确认了项目”未勾选，"
            f"但商机已经过了这个阶段") in said
    assert f"{rel}:17: 未知里程碑 'nosuch'" in said
    assert f"{rel}:19: 需求没有等级 9（0..4）" in said
    kinds = [line for line in said if line.startswith(f"{rel}:22: 未知动作类型 'fax'")]
    assert len(kinds) == 1 and "visit (拜访)" in kinds[0] and "tech_exchange (技术交流)" in kinds[0]
    assert len(said) == 9  # and two more milestones of 需求培育 not ticked
    for line in said:
        message = line.split(": ", 1)[1]
        assert not english_words(message, ids_of(zh) | {"fax", "nosuch"}), line


def test_a_broken_stages_yaml_is_reported_in_chinese(zh: Path) -> None:
    stages = zh / "stages.yaml"
    text = stages.read_text(encoding="utf-8")
    text = text.replace("    probability: 0.1\n", "    probability: 1.5\n", 1)
    text = text.replace("    requires:\n      need: 2\n", "    requires:\n      need: 2\n"
                        "      luck: 1\n", 1)
    text = text.replace("  follow_up_days: 15", "  follow_up_days: 0")
    text = text.replace("period: 2026-12, deals: 10", "period: 2026-13, deals: 10")
    stages.write_text(text, encoding="utf-8")
    res = run(zh, "validate")
    assert res.exit_code == 1
    said = [line for line in res.output.splitlines() if line.startswith("stages.yaml:")]
    assert "stages.yaml:19: probability 必须在 0 到 1 之间，而不是 1.5" in said
    assert ("stages.yaml:47: 阶段 'nurture' 要求关键要素 'luck'，但它没有定义（关键要素："
            "need, power, goal, value, collaboration）") in said
    assert "stages.yaml:175: follow_up_days 必须大于 0" in said
    assert "stages.yaml:200: 周期 '2026-13'：应为 YYYY-MM" in said
    assert len(said) == 4
    for line in said:
        assert not english_words(line.split(": ", 1)[1], ids_of_text(text)), line


def ids_of_text(stages: str) -> set[str]:
    """The ids a broken stages.yaml names (it cannot be loaded to ask it)."""
    return set(re.findall(r"\bid: (\w+)", stages)) | {"need", "power", "goal", "value",
                                                       "collaboration"}


CSV = """\
id,account,title,owner,amount,created,stage,status,close
1001,华东泵业,新泵站,li.wei,80万,2026-11-01,lead,,2026-12-31
1002,华东泵业,新泵站二期,li.wei,,2026-11-01,lead,,
1003,华南物流,冷链,zhang.min,500000,2026-12-01,lead,,
1004,华南物流,冷链二期,zhang.min,500000,2026-11-01,bogus,,
1005,华南物流,冷链三期,zhang.min,"¥50,000",2026-11-01,evaluation,,
1001,华东泵业,重复,li.wei,1,2026-11-01,lead,,
1006,西湖软件,系统,chen.jing,30000,2026-10-01,,won,
1007,西湖软件,系统二期,chen.jing,30000,2026-10-01,lead,,2026-09-01
"""


def test_an_import_dry_run_reports_in_chinese(zh: Path, tmp_path: Path) -> None:
    src = tmp_path / "deals.csv"
    src.write_text(CSV, encoding="utf-8")
    res = run(zh, "import", str(src))
    assert res.exit_code == 1  # rows it cannot take
    out = res.output
    # each row it cannot take, with why in Chinese (the fields by their names, dates
    # as Chinese writes them)
    for why in ("金额为空：金额未知，funnelctl 不会把它当作 0",
                "创建日期 2026年12月1日 晚于今天（2026年11月24日）",
                "阶段 'bogus' 不是 stages.yaml 中的阶段：请用 --stage-map 'bogus=阶段' 映射",
                "编号 '1001' 在第 2 行也出现了",
                "赢单的商机需要赢单日期：预计签约日（或结单日期）为空",
                "预计签约日 2026年9月1日 早于创建日期 2026年10月1日"):
        assert why in out, why
    assert not (zh / "deals" / "huadong" / "huadong-bengye-xin-bengzhan.yaml").exists()
    allowed = ids_of(zh) | {"bogus", "deals.csv"}
    assert not english_words(out, allowed), out


OPEN = "deals/huadong/beifang-gangtie-guolu-gaizao.yaml"  # an open deal of the sample


def test_a_git_error_is_said_in_chinese(zh: Path) -> None:
    deal = Path(OPEN).stem
    before = (zh / OPEN).read_bytes()
    res = run(zh, "snooze", deal, "--until", "2026-12-10", "--reason", "预算周期", "--commit")
    assert res.exit_code == 1
    assert (f"--commit 需要 git 仓库：{zh} 不在仓库中（在那里运行 'git init'，或运行 "
            f"'funnelctl init'）") in res.output
    assert (zh / OPEN).read_bytes() == before  # refused before anything was written
    hist = run(zh, "history", deal)
    assert hist.exit_code == 1 and "history 需要 git 仓库" in hist.output


def test_a_date_it_cannot_read_and_a_deal_it_cannot_find_are_said_in_chinese(
        zh: Path) -> None:
    deal = Path(OPEN).stem
    bad = run(zh, "snooze", deal, "--until", "bogus", "--reason", "x")
    assert bad.exit_code == 2
    assert ("'bogus' 不是 YYYY-MM-DD 格式的日期，也不是以下写法之一：MM-DD、+N/-N（天）、今天、"
            "明天、昨天、后天、周五、下周一、12月1日、2026年12月1日") in bad.output
    assert not english_words(bad.output, set()), bad.output
    past = run(zh, "snooze", deal, "--until", "2026-11-01", "--reason", "x")
    assert past.exit_code == 1
    assert "--until 2026年11月1日 不晚于今天（2026年11月24日）" in past.output
    missing = run(zh, "show", "zzz")
    assert missing.exit_code == 1
    assert "deals/ 下没有商机 'zzz'（用 'funnelctl list' 查看 id）" in missing.output


# -- the rules themselves -----------------------------------------------------------------


def test_a_refusal_names_milestones_and_ladders_by_their_chinese_labels(zh: Path) -> None:
    from funnelctl.store import load_all

    p = load_pipeline(zh, use_cache=False)
    i18n.activate("zh_CN")
    lead = next(d for d in load_all(zh, p, use_cache=False).deals
                if d.status == "open" and d.stage == "lead")
    from funnelctl.store import read_deal

    deal, _problems = read_deal(zh, lead.path, p)
    missing = dict(checks.missing_to_enter(deal, p, "evaluation"))
    # every milestone of the stages it would pass, and the entry requirements of
    # 方案评估, said by their labels (the keys stay the ids a forced move waives)
    assert missing.get("need_confirmed") == ("里程碑 need_confirmed（需求培育）："
                                             "客户用自己的话确认了需求")
    reqs = {k: v for k, v in missing.items() if ">=" in k}
    assert reqs and all(re.fullmatch(r"要求 (need|power)>=3：(需求|权力)为 \d，方案评估要求 3", v)
                        for v in reqs.values()), reqs
    i18n.activate("en")
    english = dict(checks.missing_to_enter(deal, p, "evaluation"))
    # English names the stage by its id, as it always did, and the milestone by its
    # English label (labels: {en: ...}), not by the Chinese label: of stages.yaml
    assert english["need_confirmed"] == ("milestone need_confirmed (nurture): The customer "
                                         "confirmed the need in its own words")


def test_a_decision_maker_is_singular_and_several_plural_in_english_too() -> None:
    one = checks.decision_maker_power_issues(["Wang"], 0)[0].message
    two = checks.decision_maker_power_issues(["Wang", "Li"], 0)[0].message
    assert one.startswith("decision maker Wang is marked met, but power is 0")
    assert two.startswith("decision makers Wang, Li are marked met, but power is 0")
    i18n.activate("zh_CN")
    assert checks.decision_maker_power_issues(["王"], 0)[0].message.startswith(
        "决策者 王 已标记为见过，但power为 0")


def test_the_import_reads_a_date_two_ways_in_the_language_of_the_run() -> None:
    cells = [(2, "3/4/2026")]
    assert values.slash_order(cells)[1] == [
        "dates such as '3/4/2026' (row 2) read as 4 March 2026 (month first, US) or "
        "3 April 2026 (day first): give --date-format mdy or dmy"]
    i18n.activate("zh_CN")
    assert values.slash_order(cells)[1] == [
        "像 '3/4/2026'（第 2 行）这样的日期可以读作 2026年3月4日（月在前，美式）或 "
        "2026年4月3日（日在前）：请用 --date-format mdy 或 dmy 指定"]
    with pytest.raises(values.Unreadable, match="^'-5' 是负数：金额应大于或等于 0$"):
        values.read_amount("-5")


def test_a_system_error_is_said_in_the_language_of_the_run(tmp_path: Path) -> None:
    from funnelctl.store.root import os_reason

    try:
        (tmp_path / "nothing-here").read_bytes()
    except OSError as exc:
        gone = exc
    assert os_reason(gone) == "No such file or directory"  # the system's own words
    i18n.activate("zh_CN")
    assert os_reason(gone) == "文件或文件夹不存在"


def test_a_file_the_parser_refuses_and_a_value_of_the_wrong_type_in_chinese(tmp_path) -> None:
    """The parser's and the schema's words about a broken file, in Chinese: a colon
    in a value, and an amount that is not a number (English keeps pydantic's)."""
    import shutil
    import subprocess
    import sys

    root = tmp_path / "zh"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "zh", root)
    first, second = sorted((root / "deals").rglob("*.yaml"))[:2]
    first.write_text(first.read_text(encoding="utf-8") + "title: a: b\n", encoding="utf-8")
    text = second.read_text(encoding="utf-8")
    second.write_text(re.sub(r"(?m)^amount: .*$", "amount: lots", text), encoding="utf-8")

    def validate(*lang: str) -> str:
        res = subprocess.run([sys.executable, "-m", "funnelctl", "--dir", str(root), *lang,
                              "--today", "2026-11-24", "validate"],
                             capture_output=True, text=True, encoding="utf-8")
        assert res.returncode == 1, res.stderr
        return res.stdout + res.stderr

    zh = validate()
    rel1 = first.relative_to(root).as_posix()
    rel2 = second.relative_to(root).as_posix()
    assert re.search(rf"{re.escape(rel1)}:\d+: 不是有效的 YAML：这里不能出现映射值", zh), zh
    assert re.search(rf"{re.escape(rel2)}:\d+: amount: 应为数字", zh), zh
    en = validate("--lang", "en")
    assert re.search(rf"{re.escape(rel1)}:\d+: not valid YAML: mapping values are not "
                     r"allowed in this context", en), en
    assert re.search(rf"{re.escape(rel2)}:\d+: amount: Input should be a valid number", en), en
