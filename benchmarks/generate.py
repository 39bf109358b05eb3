"""Write a realistic, valid pipeline of any size with funnelctl's own schema.

    python benchmarks/generate.py OUT_DIR --deals 10000 [--seed 7] [--today 2026-11-24]
    python benchmarks/generate.py . --sample     # the repository's sample pipeline

Deals follow the buyer's process: they enter (mostly at lead), dwell in each stage,
advance, are lost with a reason or signed. Passed milestones are ticked, ladder
levels meet each stage's entry requirements, actions (3 to 10) carry goals and
results in English and Chinese, files carry comments. Four rep profiles give the
sample its shape: a clean funnel, a funnel that bulges at evaluation, a rep whose
deals enter at negotiation, and a rep with a thin top.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["lead", "nurture", "evaluation", "negotiation"]
MILESTONES = {
    "lead": ["need_identified", "contact_confirmed"],
    "nurture": ["need_confirmed", "budget_approved"],
    "evaluation": ["solution_accepted", "value_agreed"],
    "negotiation": ["terms_agreed", "vetoes_cleared"],
}
REQUIRES = {"nurture": {"need": 2}, "evaluation": {"need": 3, "power": 3},
            "negotiation": {"power": 4, "value": 3}}
TOPS = {"need": 4, "power": 6, "goal": 3, "value": 4, "collaboration": 3}
KINDS = ["visit", "call", "demo", "meeting", "proposal", "email", "site_survey"]

# profile: entry stage weights, chance to advance from each stage, dwell days per stage
PROFILES = {
    "clean": dict(entry=[1, 0, 0, 0], adv=[0.55, 0.45, 0.65, 0.8],
                  dwell=[(8, 30), (12, 40), (12, 40), (8, 25)]),
    "bulge": dict(entry=[1, 0, 0, 0], adv=[0.7, 0.8, 0.25, 0.7],
                  dwell=[(6, 25), (8, 30), (40, 110), (8, 25)]),
    "late": dict(entry=[0.25, 0.05, 0.2, 0.5], adv=[0.5, 0.5, 0.6, 0.75],
                 dwell=[(8, 30), (10, 35), (10, 35), (8, 30)]),
    "thin": dict(entry=[1, 0, 0, 0], adv=[0.7, 0.5, 0.6, 0.8],
                 dwell=[(10, 40), (15, 45), (15, 45), (10, 30)]),
}

EN_ACCOUNTS = ["Acme Pumps", "Nordic Freight", "Baltic Steel", "Rhein Logistics",
               "Vistula Chemicals", "Alpine Dairy", "Iberia Ports", "Danube Paper",
               "Hansa Cold Chain", "Tatra Glass", "Adriatic Cement", "Lakeside Foods",
               "Orion Textiles", "Meridian Hospitals", "Ostrava Foundry", "Cascade Water",
               "Helios Solar", "Pannonia Grain", "Fjord Seafood", "Carpathia Timber"]
ZH_ACCOUNTS = ["华东重工", "江南物流", "蓝海化工", "北方钢铁", "天山乳业", "珠江港务",
               "长城玻璃", "西湖软件", "黄河水泥", "东方医疗"]
EN_TITLES = ["cooling pump replacement", "warehouse automation", "fleet telematics",
             "cold-chain contract 2027", "ERP rollout phase 2", "spare parts framework",
             "boiler retrofit", "port crane service", "packaging line", "water treatment"]
ZH_TITLES = ["冷却泵更换项目", "仓储自动化", "车队管理系统", "冷链运输合同", "二期系统上线",
             "备件框架协议", "锅炉改造", "港口起重机维保", "包装线改造", "水处理项目"]
FIRST = ["Anna", "Marco", "Li", "Jan", "Eva", "Tomas", "Mei", "Olaf", "Sara", "Wang"]
LAST = ["Berg", "Rossi", "Zhang", "Novak", "Keller", "Horvath", "Chen", "Lind", "Costa", "Liu"]
ROLES = [("plant director", True, False), ("purchasing manager", False, True),
         ("CFO", True, True), ("head of IT", False, True), ("engineer", False, False),
         ("operations manager", False, False), ("legal counsel", False, True)]
COMPETITORS = ["Grundfos", "KSB", "Wilo", "Siemens", "DHL Supply Chain", "Kuehne+Nagel",
               "SAP", "本地供应商"]
SOURCES = ["trade fair", "referral", "website", "cold call", "partner", "tender", "老客户介绍"]
GOALS = [("present our references", "interested, asked for a site survey"),
         ("meet the decision maker", "met; he wants payback under two years"),
         ("confirm the budget", "budget approved for Q1"),
         ("demo the solution", "engineers liked the remote monitoring"),
         ("discuss price", "asked for 8% discount"),
         ("了解真实需求", "客户真正关心的是交货周期"),
         ("拜访采购部", "采购部同意进入短名单"),
         ("技术交流", "技术部认可方案，财务仍有顾虑")]
PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 .,()+/'-]*$")
RESERVED = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


def q(s: str) -> str:
    """A YAML scalar for s: plain when unambiguous, else a JSON (double-quoted) string."""
    if PLAIN.match(s) and s.lower() not in RESERVED and ": " not in s and not s.endswith(":"):
        return s
    return json.dumps(s, ensure_ascii=False)


def slug(text: str) -> str:
    if not text.isascii():
        pinyin = {"华东重工": "huadong-heavy", "江南物流": "jiangnan-logistics",
                  "蓝海化工": "lanhai-chem", "北方钢铁": "beifang-steel",
                  "天山乳业": "tianshan-dairy", "珠江港务": "zhujiang-port",
                  "长城玻璃": "changcheng-glass", "西湖软件": "xihu-software",
                  "黄河水泥": "huanghe-cement", "东方医疗": "dongfang-medical"}
        return pinyin.get(text, "deal")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def days(a: dt.date, n: int) -> dt.date:
    return a + dt.timedelta(days=n)


def simulate(rng: random.Random, profile: dict, created: dt.date, today: dt.date):
    """(history [(stage, date)], status, outcome_date)."""
    entry = rng.choices(range(4), weights=profile["entry"])[0]
    history = [(STAGES[entry], created)]
    at, cur = entry, created
    while True:
        lo, hi = profile["dwell"][at]
        stay = rng.randint(lo, hi)
        if days(cur, stay) > today:
            return history, "open", None
        cur = days(cur, stay)
        if rng.random() < profile["adv"][at]:
            if at == 3:
                history.append(("won", cur))
                return history, "won", cur
            at += 1
            history.append((STAGES[at], cur))
            if rng.random() < 0.04 and at >= 2:  # a regression: back one stage
                cur = days(cur, rng.randint(3, 12))
                if cur > today:
                    return history, "open", None
                at -= 1
                history.append((STAGES[at], cur))
        elif rng.random() < 0.8:
            return history, "lost", cur
        else:  # sits on: the deal stays open at this stage, often stalled
            return history, "open", None


def deal_text(rng: random.Random, n: int, owner: str, profile_name: str, today: dt.date,
              zh: bool, span_days: int, named: set[str] | None = None) -> tuple[str, str]:
    profile = PROFILES[profile_name]
    created = days(today, -rng.randint(1, span_days))
    history, status, closed = simulate(rng, profile, created, today)
    if zh:
        account, title = rng.choice(ZH_ACCOUNTS), rng.choice(ZH_TITLES)
    else:
        account, title = rng.choice(EN_ACCOUNTS), rng.choice(EN_TITLES)
    deal_id = f"d{n:06d}"
    if named is not None:  # readable ids for the sample: account and title, unique
        base = (f"{slug(account).split('-')[0]}-{slug(title).split('-')[0]}" if not zh
                else slug(account))
        deal_id, k = base, 2
        while deal_id in named:
            deal_id, k = f"{base}-{k}", k + 1
        named.add(deal_id)
    amount = rng.choice([18, 25, 40, 60, 85, 120, 150, 240, 380, 600]) * 1000
    stage = history[-1][0]
    lines = [f"# {account}: {title}", f"id: {deal_id}", f"title: {q(title)}",
             f"account: {q(account)}", f"owner: {owner}", f"amount: {amount}",
             "currency: EUR", f"source: {q(rng.choice(SOURCES))}", f"created: {created}"]
    if closed:
        close = closed
    else:
        left = 4 - (STAGES.index(stage) if stage in STAGES else 4)
        close = days(history[-1][1], left * 25 + rng.randint(0, 30))
        if close < today and rng.random() < 0.7:  # most reps move a passed date
            close = days(today, rng.randint(5, 60))
    lines.append(f"close: {close}")
    lines += [f"stage: {stage}", f"status: {status}"]
    # contacts
    lines.append("contacts:")
    met_dm = any(s in ("evaluation", "negotiation", "won") for s, _ in history)
    for i in range(rng.randint(2, 4)):
        role, dm, veto = ROLES[i if i < 2 else rng.randrange(len(ROLES))]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        lines += [f"  - name: {name}", f"    role: {role}"]
        if dm:
            lines.append("    decision_maker: true")
        if veto:
            lines.append("    veto: true")
        if (dm and met_dm) or (veto and rng.random() < 0.6) or rng.random() < 0.5:
            lines.append(f"    met: {days(created, rng.randint(0, 10))}")
            if veto and status == "won":
                lines.append("    agreed: true")
    # history
    lines.append("history:")
    for s, d in history:
        lines += [f"  - stage: {s}", f"    date: {d}"]
    forced = status == "open" and len(history) > 1 and rng.random() < 0.03
    # milestones: every passed stage ticked; the current stage partly
    passed: set[str] = set()
    cur_idx = STAGES.index(stage) if stage in STAGES else 4
    for i in range(cur_idx):
        passed.update(MILESTONES[STAGES[i]])
    waived = []
    if forced:  # one milestone of the stage left behind was waived by a manager
        waived = [MILESTONES[STAGES[cur_idx - 1]][1]]
        passed -= set(waived)
        lines += ["    reason: customer asked for an urgent offer, manager approved",
                  f"    waived: [{waived[0]}]"]
    lines.append("")
    ticks = sorted(passed)
    if status == "open" and cur_idx < 4:
        ticks += [m for m in MILESTONES[stage] if rng.random() < 0.4]
    if ticks:
        lines.append("milestones:")
        for m in ticks:
            d = days(history[0][1], rng.randint(0, max(0, (history[-1][1] - history[0][1]).days)))
            evidence = rng.choice(["email from the customer", "meeting minutes", "会议纪要",
                                   "signed letter of intent"])
            lines += [f"  {m}:", f"    date: {d}", f"    evidence: {q(evidence)}"]
    # ladder levels: at least what every stage reached requires
    need: dict[str, int] = {k: 0 for k in TOPS}
    for s, _ in history:
        for k, v in REQUIRES.get(s, {}).items():
            need[k] = max(need[k], v)
    lines.append("levels:")
    for k, topv in TOPS.items():
        lv = min(topv, need[k] + (1 if rng.random() < 0.3 else 0))
        if lv == 0 and rng.random() < 0.5:
            continue
        when = days(created, rng.randint(0, max(0, (history[-1][1] - created).days)))
        evidence = rng.choice(["site visit", "call with the plant director", "技术交流会"])
        lines += [f"  {k}:", f"    level: {lv}", f"    date: {when}",
                  f"    evidence: {q(evidence)}"]
    # actions
    end = closed or today
    span = max(1, (end - created).days)
    n_act = rng.randint(3, 10)
    lines.append("actions:")
    move_dates = {d for _, d in history[1:]}
    for ad in sorted(days(created, rng.randint(0, span)) for _ in range(n_act)):
        goal, result = rng.choice(GOALS)
        moved = ad in move_dates or rng.random() < 0.15
        lines += [f"  - date: {ad}", f"    kind: {rng.choice(KINDS)}", f"    goal: {q(goal)}",
                  f"    result: {q(result)}", f"    moved: {'true' if moved else 'false'}"]
    if status == "open" and rng.random() < 0.85:
        nd = days(today, rng.randint(-12, 20))
        step = rng.choice(["send the revised offer", "visit the plant", "安排技术交流",
                           "call the CFO"])
        lines += ["next:", f"  date: {nd}", f"  step: {q(step)}"]
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
    if status == "open" and rng.random() < 0.03:
        lines += ["snooze:", f"  until: {days(today, rng.randint(10, 60))}",
                  "  reason: waiting for the customer's annual budget cycle"]
    lines.append("# notes kept by the rep")
    lines.append(f"notes: {q('Customer prefers exact delivery windows over speed.')}")
    return deal_id, "\n".join(lines) + "\n"


def generate(out: Path, n: int, seed: int, today: dt.date, reps: int, folders: bool,
             span_days: int = 180, named: bool = False) -> None:
    rng = random.Random(seed)
    ids: set[str] | None = set() if named else None
    names = ["li.wei", "anna.berg", "marco.rossi", "zhang.min"]
    owners = [(names[i] if i < 4 else f"rep{i:03d}") for i in range(reps)]
    profiles = ["clean", "bulge", "late", "thin"]
    weights = [5, 3, 3, 1.5]  # the thin-top rep has fewer deals
    deals = out / "deals"
    if deals.exists():
        shutil.rmtree(deals)
    deals.mkdir(parents=True)
    for i in range(n):
        k = rng.choices(range(reps), weights=[weights[j % 4] for j in range(reps)])[0]
        owner = owners[k]
        profile = profiles[k % 4]
        deal_id, text = deal_text(rng, i + 1, owner, profile, today, zh=(k % 4 == 3),
                                  span_days=span_days, named=ids)
        folder = deals / (["east", "west", "north", "south"][k % 4] if folders else "")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{deal_id}.yaml").write_text(text, encoding="utf-8")
    stages = out / "stages.yaml"
    if not stages.exists():
        shutil.copy(ROOT / "funnelctl" / "templates" / "stages_en.yaml", stages)


def sample_story(out: Path, today: dt.date) -> None:
    """Last week's work on the sample, done with funnelctl itself so that the review
    has something to report: a win, a regression, a forced move, snoozes."""
    import subprocess
    import sys

    def run(*args: str, day: dt.date = today, check: bool = True) -> str:
        cmd = [sys.executable, "-m", "funnelctl", "--dir", str(out), "--no-cache",
               "--today", str(day), *args]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if check and res.returncode:
            raise SystemExit(f"{' '.join(args)}: {res.stderr}")
        return res.stdout

    deals = json.loads(run("list", "--status", "open", "--json"))
    pick = {}
    for d in deals:
        pick.setdefault((d["owner"], d["stage"]), []).append(d["id"])

    def first(owner: str, stage: str) -> str | None:
        ids = pick.get((owner, stage)) or []
        return ids.pop(0) if ids else None

    week = [days(today, -k) for k in range(6, -1, -1)]
    if (x := first("marco.rossi", "negotiation")):  # signed on Thursday
        for m in MILESTONES["negotiation"]:
            run("tick", x, m, "-e", "signed order confirmation, ref PO-4471", day=week[2],
                check=False)
        run("win", x, day=week[3])
    if (x := first("anna.berg", "evaluation")):  # the customer reopened the need
        run("advance", x, "--to", "nurture", day=week[1])
        run("act", x, "--kind", "meeting", "--goal", "understand why they paused",
            "--result", "new plant manager wants to re-scope", "--next",
            f"{days(today, 5)}: workshop with the new plant manager", day=week[1])
    if (x := first("li.wei", "nurture")):  # pushed on by the sales director
        run("advance", x, "--force", "--reason",
            "customer asked for an urgent offer; approved by the sales director", day=week[4])
    if (x := first("zhang.min", "evaluation")) or (x := first("zhang.min", "lead")):
        run("snooze", x, "--until", str(days(today, 52)), "--reason",
            "customer's 2027 budget is released in mid January", day=week[5])
    if (x := first("anna.berg", "evaluation")):
        run("snooze", x, "--until", str(days(today, 26)), "--reason",
            "public tender opens on the 20th", day=week[5])
    if (x := first("li.wei", "lead")):
        run("act", x, "--kind", "visit", "--goal", "confirm the project with the plant manager",
            "--result", "confirmed: line 3 to be replaced next year", "--moved", "--next",
            f"{days(today, 2)}: send the site survey form", day=week[6])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--deals", type=int, default=48)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--today", default="2026-11-24")
    ap.add_argument("--reps", type=int, default=4)
    ap.add_argument("--folders", action="store_true", help="one sub-folder per region")
    ap.add_argument("--sample", action="store_true", help="the repository's sample pipeline")
    a = ap.parse_args()
    today = dt.date.fromisoformat(a.today)
    if a.sample:
        generate(a.out, 96, a.seed, today, 4, folders=True, named=True)
        sample_story(a.out, today)
    else:
        generate(a.out, a.deals, a.seed, today, max(4, a.reps), a.folders)


if __name__ == "__main__":
    main()
