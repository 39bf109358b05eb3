"""Write the Chinese sample pipeline, generated like the English one
(benchmarks/generate.py --sample) but in Chinese: accounts, titles, contacts, goals
and results, sources and competitors; stages.yaml is the zh template (Chinese
labels beside ids, action kinds 拜访 电话 演示 技术交流 报价 回款 客诉) with teams
and targets; ids are made from the Chinese names by funnelctl itself (pinyin).

    python benchmarks/generate_zh.py examples/zh      # the repository's Chinese sample

Deterministic: the same seed and today give the same files, byte for byte.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import MILESTONES, PROFILES, REQUIRES, STAGES, TOPS, days, q, simulate

ROOT = Path(__file__).resolve().parent.parent

ACCOUNTS = ["华东泵业", "江南物流", "蓝海化工", "北方钢铁", "天山乳业", "珠江港务",
            "长城玻璃", "西湖软件", "黄河水泥", "东方医疗", "重庆机电", "长江冷链"]
TITLES = ["冷却水泵项目", "仓储自动化", "车队管理系统", "冷链运输合同", "二期系统上线",
          "备件框架协议", "锅炉改造", "港口起重机维保", "包装线改造", "水处理项目"]
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"]
GIVEN = ["建国", "丽", "伟", "芳", "军", "敏", "磊", "静", "强", "娜"]
ROLES = [("厂长", True, False), ("采购经理", False, True), ("财务总监", True, True),
         ("信息部主任", False, True), ("工程师", False, False), ("生产经理", False, False),
         ("法务", False, True)]
KINDS = ["visit", "visit", "call", "demo", "tech_exchange", "quote", "payment", "complaint"]
GOALS = [("介绍公司案例", "客户感兴趣，要求安排现场勘察"),
         ("拜访厂长", "见到厂长，要求两年内收回投资"),
         ("确认预算", "一季度预算已批准"),
         ("演示远程监控", "工程师认可远程监控功能"),
         ("商务报价", "客户要求降价 8%"),
         ("了解真实需求", "客户真正关心的是交货周期"),
         ("拜访采购部", "采购部同意进入短名单"),
         ("技术交流", "技术部认可方案，财务仍有顾虑"),
         ("催收首付款", "财务承诺月底前付款"),
         ("处理客诉", "更换了密封件，客户满意")]
STEPS = ["发送修改后的报价", "拜访工厂", "安排技术交流", "给财务总监打电话", "提交技术方案"]
SOURCES = ["展会", "老客户介绍", "官网", "电话开发", "合作伙伴", "招标"]
COMPETITORS = ["格兰富", "西门子", "施耐德", "新界泵业", "本地供应商"]
EVIDENCE = ["客户邮件", "会议纪要", "签字的意向书", "技术交流会", "厂长电话确认"]
OWNERS = ["li.wei", "wang.fang", "zhang.min", "chen.jing"]
TEAMS = """
# 团队：`--team 华东` 只看这个团队的销售。
teams:
  华东: {members: [li.wei, wang.fang], managers: [zhao.lei]}
  华南: {members: [zhang.min, chen.jing], managers: [zhao.lei]}

# 目标：团队（team 为全体）和每位销售每月的签单数与金额（元）。
targets:
  - {owner: team, period: 2026-11, deals: 8, amount: 9000000}
  - {owner: 华东, period: 2026-11, deals: 5, amount: 5500000}
  - {owner: li.wei, period: 2026-11, deals: 3, amount: 3000000}
  - {owner: wang.fang, period: 2026-11, deals: 2, amount: 2500000}
  - {owner: zhang.min, period: 2026-11, deals: 2, amount: 2000000}
  - {owner: chen.jing, period: 2026-11, deals: 1, amount: 1500000}
  - {owner: team, period: 2026-12, deals: 10, amount: 12000000}
  - {owner: li.wei, period: 2026-12, deals: 4, amount: 4000000}
  - {owner: wang.fang, period: 2026-12, deals: 3, amount: 3500000}
"""


def deal_text(rng: random.Random, owner: str, profile: str, today: dt.date,
              taken: set[str]) -> tuple[str, str]:
    from funnelctl.ids import deal_id, unique_id

    created = days(today, -rng.randint(1, 180))
    history, status, closed = simulate(rng, PROFILES[profile], created, today)
    account, title = rng.choice(ACCOUNTS), rng.choice(TITLES)
    did = unique_id(deal_id(account, title), taken)
    taken.add(did)
    amount = rng.choice([18, 25, 40, 60, 85, 120, 150, 240, 380, 600]) * 10000
    stage = history[-1][0]
    lines = [f"# {account}：{title}", f"id: {did}", f"title: {q(title)}",
             f"account: {q(account)}", f"owner: {owner}", f"amount: {amount}",
             "currency: CNY", f"source: {q(rng.choice(SOURCES))}", f"created: {created}"]
    if closed:
        close = closed
    else:
        left = 4 - (STAGES.index(stage) if stage in STAGES else 4)
        close = days(history[-1][1], left * 25 + rng.randint(0, 30))
        if close < today and rng.random() < 0.7:
            close = days(today, rng.randint(5, 60))
    lines += [f"close: {close}", f"stage: {stage}", f"status: {status}", "contacts:"]
    met_dm = any(s in ("evaluation", "negotiation", "won") for s, _ in history)
    dm_met = False  # a decision maker met knows of us: power is at least 1
    for i in range(rng.randint(2, 4)):
        role, dm, veto = ROLES[i if i < 2 else rng.randrange(len(ROLES))]
        lines += [f"  - name: {rng.choice(SURNAMES)}{rng.choice(GIVEN)}", f"    role: {role}"]
        if dm:
            lines.append("    decision_maker: true")
        if veto:
            lines.append("    veto: true")
        if (dm and met_dm) or (veto and rng.random() < 0.6) or rng.random() < 0.5:
            lines.append(f"    met: {days(created, rng.randint(0, 10))}")
            dm_met = dm_met or dm
            if veto and status == "won":
                lines.append("    agreed: true")
    lines.append("history:")
    for s, d in history:
        lines += [f"  - stage: {s}", f"    date: {d}"]
    lines.append("")
    cur = STAGES.index(stage) if stage in STAGES else 4
    ticks = sorted(m for i in range(cur) for m in MILESTONES[STAGES[i]])
    if status == "open" and cur < 4:
        ticks += [m for m in MILESTONES[stage] if rng.random() < 0.4]
    span_moves = max(0, (history[-1][1] - history[0][1]).days)
    if ticks:
        lines.append("milestones:")
        for m in ticks:
            lines += [f"  {m}:", f"    date: {days(history[0][1], rng.randint(0, span_moves))}",
                      f"    evidence: {q(rng.choice(EVIDENCE))}"]
    need = {k: 0 for k in TOPS}
    for s, _ in history:
        for k, v in REQUIRES.get(s, {}).items():
            need[k] = max(need[k], v)
    lines.append("levels:")
    for k, top in TOPS.items():
        lv = min(top, need[k] + (1 if rng.random() < 0.3 else 0))
        if k == "power" and dm_met:
            lv = max(lv, 1)
        if lv == 0 and rng.random() < 0.5:
            continue
        when = days(created, rng.randint(0, max(0, (history[-1][1] - created).days)))
        lines += [f"  {k}:", f"    level: {lv}", f"    date: {when}",
                  f"    evidence: {q(rng.choice(EVIDENCE))}"]
    end = closed or today
    moves = {d for _, d in history[1:]}
    lines.append("actions:")
    for ad in sorted(days(created, rng.randint(0, max(1, (end - created).days)))
                     for _ in range(rng.randint(3, 8))):
        goal, result = rng.choice(GOALS)
        moved = ad in moves or rng.random() < 0.15
        lines += [f"  - date: {ad}", f"    kind: {rng.choice(KINDS)}", f"    goal: {q(goal)}",
                  f"    result: {q(result)}", f"    moved: {'true' if moved else 'false'}"]
    if status == "open" and rng.random() < 0.85:
        lines += ["next:", f"  date: {days(today, rng.randint(-12, 20))}",
                  f"  step: {q(rng.choice(STEPS))}"]
    comps = rng.sample(COMPETITORS, rng.randint(0, 2))
    if comps:
        lines.append(f"competitors: [{', '.join(q(c) for c in comps)}]")
    if status == "won":
        lines += ["outcome:", f"  date: {closed}"]
    elif status == "lost":
        reason = rng.choice(["competitor", "competitor", "no_decision", "cancelled", "budget"])
        lines += ["outcome:", f"  date: {closed}", f"  reason: {reason}"]
        if reason == "competitor":
            lines.append(f"  competitor: {q(rng.choice(COMPETITORS))}")
    lines.append(f"notes: {q('客户更看重准确的交货时间，而不是速度。')}")
    return did, "\n".join(lines) + "\n"


def generate(out: Path, n: int, seed: int, today: dt.date) -> None:
    rng = random.Random(seed)
    profiles = ["clean", "bulge", "late", "thin"]
    weights = [5, 3, 3, 1.5]
    deals = out / "deals"
    if deals.exists():
        shutil.rmtree(deals)
    deals.mkdir(parents=True)
    taken: set[str] = set()
    for _ in range(n):
        k = rng.choices(range(4), weights=weights)[0]
        did, text = deal_text(rng, OWNERS[k], profiles[k], today, taken)
        folder = deals / ("huadong" if k < 2 else "huanan")
        folder.mkdir(exist_ok=True)
        (folder / f"{did}.yaml").write_text(text, encoding="utf-8")
    template = (ROOT / "funnelctl" / "templates" / "stages_zh.yaml").read_text("utf-8")
    # the template, its commented-out teams and targets replaced by the sample's own
    own = template.split("\n# 团队：")[0].rstrip("\n") + "\n"
    (out / "stages.yaml").write_text(own + TEAMS, encoding="utf-8")


def story(out: Path, today: dt.date) -> None:
    """Last week's work, done with funnelctl itself: a win, a regression, a forced move,
    a snooze and a visit, so that the review has something to report."""

    def run(*args: str, day: dt.date = today, check: bool = True) -> str:
        cmd = [sys.executable, "-m", "funnelctl", "--dir", str(out), "--no-cache",
               "--today", str(day), *args]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if check and res.returncode:
            raise SystemExit(f"{' '.join(args)}: {res.stderr}")
        return res.stdout

    pick: dict[tuple[str, str], list[str]] = {}
    for d in json.loads(run("list", "--status", "open", "--json")):
        pick.setdefault((d["owner"], d["stage"]), []).append(d["id"])

    def first(owner: str, stage: str) -> str | None:
        ids = pick.get((owner, stage)) or []
        return ids.pop(0) if ids else None

    week = [days(today, -k) for k in range(6, -1, -1)]
    if (x := first("zhang.min", "negotiation")):
        for m in MILESTONES["negotiation"]:
            run("tick", x, m, "-e", "客户盖章的订单确认书", day=week[2], check=False)
        run("win", x, day=week[3])
    if (x := first("wang.fang", "evaluation")):
        run("advance", x, "--to", "nurture", day=week[1])
        run("act", x, "--kind", "meeting", "--goal", "了解项目暂停的原因", "--result",
            "新厂长要求重新确定范围", "--next", f"{days(today, 5)}: 与新厂长开研讨会",
            day=week[1])
    if (x := first("li.wei", "nurture")):
        run("advance", x, "--force", "--reason", "客户要求尽快报价，销售总监批准", day=week[4])
    if (x := first("chen.jing", "evaluation")) or (x := first("chen.jing", "lead")):
        run("snooze", x, "--until", str(days(today, 52)), "--reason",
            "客户 2027 年预算一月中旬下达", day=week[5])
    if (x := first("li.wei", "lead")):
        run("act", x, "--kind", "visit", "--goal", "与厂长确认项目", "--result",
            "已确认：三号线明年更换", "--moved", "--next", f"{days(today, 2)}: 发送现场勘察表",
            day=week[6])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--deals", type=int, default=48)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--today", default="2026-11-24")
    a = ap.parse_args()
    today = dt.date.fromisoformat(a.today)
    generate(a.out, a.deals, a.seed, today)
    story(a.out, today)


if __name__ == "__main__":
    main()
