"""Generate a pipeline with a known sales process and 18 months of git history.

    python benchmarks/history_gen.py OUT [--months 18] [--reps 30] [--seed 11]
                                         [--today 2026-11-24] [--dating stage|sloppy]

The process is known, so that a forecast's accuracy can be judged against it:

- each rep has a win-rate multiplier (0.6 to 1.5, so the reps' win rates from
  lead run from about 20% to 50%), a speed (0.8 to 1.25 x the median days in each
  stage), an optimism about close dates and a volume of new deals;
- a deal enters at lead (85%) or later, stays a log-normal time in each stage
  (medians 18, 28, 30 and 20 days) and then advances with the stage's chance
  (70%, 72%, 78%, 85% for an average rep), or is lost, or stalls and is cleaned
  up as lost (no decision) two to seven months later;
- the rep sets a close date on each stage entry from the typical remaining time,
  times his optimism and some noise, and at six in ten weekly reviews moves a
  passed date by the same estimate from the stage the deal is at (``--dating
  sloppy``: to the typical time less the days already spent, which dates stuck
  early deals next week); amounts drop by a discount at negotiation for four
  deals in ten;
- the inflow of new deals has a mild season (fewer in August and December).

One git commit per simulated week (dated that day) writes every deal file as it
was on that day, so that ``funnelctl forecast --backtest`` can read each deal as
it was at each month start. Prints the true win rates per stage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import EN_ACCOUNTS, EN_TITLES, MILESTONES, REQUIRES, SOURCES, q

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["lead", "nurture", "evaluation", "negotiation"]
ADVANCE = [0.70, 0.72, 0.78, 0.85]  # chance to advance from each stage, average rep
MEDIAN_DAYS = [18, 28, 30, 20]  # median days in each stage
ENTRY = [0.85, 0.07, 0.05, 0.03]  # where new deals enter
LOST_SHARE = 0.85  # a deal that does not advance is lost; the rest stall
NEW_PER_REP_MONTH = 13.0


@dataclass
class Rep:
    name: str
    win: float  # multiplier of the chance to win from lead
    speed: float  # multiplier of the days in each stage
    optimism: float  # close dates are set at this share of the typical time left
    volume: float  # multiplier of new deals a month

    def advance(self, i: int) -> float:
        return min(0.97, ADVANCE[i] * self.win ** 0.25)


@dataclass
class Sim:
    id: str
    rep: Rep
    folder: str
    account: str
    title: str
    source: str
    created: dt.date
    moves: list[tuple[str, dt.date]]
    status: str = "open"  # at the end of time: won, lost or open (never closed)
    outcome: dt.date | None = None
    reason: str | None = None
    amounts: list[tuple[dt.date, int]] = field(default_factory=list)
    closes: list[tuple[dt.date, dt.date]] = field(default_factory=list)


def lognormal(rng: random.Random, median: float, sigma: float) -> int:
    return max(1, round(median * math.exp(rng.gauss(0, sigma))))


# How reps date a deal that has spent ``spent`` days at its stage: "stage" (a
# well-kept funnel) re-estimates what is left of this stage, at least a week, plus
# the typical days of the stages after it; "sloppy" takes the whole typical time
# less the days spent, at least a week (a nurture deal stuck for two months is
# dated next week, though two stages are still ahead of it)
DATING = "stage"


def typical_left(i: int, rep: Rep, spent: int = 0) -> float:
    """The days a rep expects a deal at stage ``i`` still needs to be signed."""
    if DATING == "sloppy":
        return max(7.0, sum(MEDIAN_DAYS[i:]) * rep.speed - spent)
    return max(7.0, MEDIAN_DAYS[i] * rep.speed - spent) + sum(MEDIAN_DAYS[i + 1:]) * rep.speed


def close_estimate(rng: random.Random, rep: Rep, i: int, day: dt.date, spent: int = 0
                   ) -> dt.date:
    left = max(7.0, typical_left(i, rep, spent) * rep.optimism)
    sigma = 0.35 if i < 3 else 0.2
    return day + dt.timedelta(days=lognormal(rng, left, sigma))


def simulate(rng: random.Random, rep: Rep, created: dt.date, deal: Sim) -> None:
    """The deal's whole life, to its end (which may lie after today)."""
    i = rng.choices(range(4), weights=ENTRY)[0]
    day = created
    deal.moves = [(STAGES[i], day)]
    amount = rng.choice([18, 25, 40, 60, 85, 120, 150, 240, 380, 600]) * 1000
    deal.amounts = [(day, amount)]
    deal.closes = [(day, close_estimate(rng, rep, i, day))]
    while True:
        stay = lognormal(rng, MEDIAN_DAYS[i] * rep.speed, 0.5)
        if rng.random() < rep.advance(i):
            day += dt.timedelta(days=stay)
            if i == 3:
                deal.moves.append(("won", day))
                deal.status, deal.outcome = "won", day
                deal.closes.append((day, day))
                return
            i += 1
            deal.moves.append((STAGES[i], day))
            deal.closes.append((day, close_estimate(rng, rep, i, day)))
            if i == 3 and rng.random() < 0.4:  # a discount to close
                amount = round(amount * rng.uniform(0.85, 0.95), -2)
                deal.amounts.append((day, int(amount)))
            if i >= 2 and rng.random() < 0.03:  # the customer reopens the question
                day += dt.timedelta(days=rng.randint(3, 12))
                i -= 1
                deal.moves.append((STAGES[i], day))
        elif rng.random() < LOST_SHARE:
            day += dt.timedelta(days=lognormal(rng, MEDIAN_DAYS[i] * rep.speed * 0.8, 0.5))
            deal.status, deal.outcome = "lost", day
            deal.reason = rng.choice(["competitor", "no_decision", "cancelled", "budget"])
            deal.closes.append((day, day))
            return
        else:  # stalls: nobody works it until a manager cleans it up
            day += dt.timedelta(days=stay + rng.randint(60, 200))
            deal.status, deal.outcome, deal.reason = "lost", day, "no_decision"
            deal.closes.append((day, day))
            return


def latest(changes: list[tuple[dt.date, object]], day: dt.date):
    found = None
    for when, value in changes:
        if when > day:
            break
        found = value
    return found


def deal_text(d: Sim, day: dt.date) -> str:
    """The deal file as it was on ``day``."""
    moves = [m for m in d.moves if m[1] <= day]
    closed = d.outcome is not None and d.outcome <= day
    stage = moves[-1][0]
    status = d.status if closed else "open"
    lines = [f"# {d.account}: {d.title}", f"id: {d.id}", f"title: {q(d.title)}",
             f"account: {q(d.account)}", f"owner: {d.rep.name}",
             f"amount: {latest(d.amounts, day)}", "currency: EUR", f"source: {q(d.source)}",
             f"created: {d.created}", f"close: {latest(sorted(d.closes), day)}",
             f"stage: {stage}", f"status: {status}"]
    reached = {s for s, _ in moves}
    at = 4 if stage == "won" else STAGES.index(stage)
    lines += ["contacts:", "  - name: Eva Keller", "    role: plant director",
              "    decision_maker: true"]
    if reached & {"evaluation", "negotiation", "won"}:
        lines.append(f"    met: {d.created}")
    lines.append("history:")
    for s, when in moves:
        lines += [f"  - stage: {s}", f"    date: {when}"]
    left_on = {}
    for (s, _), (_, when) in zip(moves, moves[1:], strict=False):
        left_on.setdefault(s, when)
    ticks = [(m, left_on.get(s, moves[-1][1])) for s in STAGES[:at] for m in MILESTONES[s]]
    if ticks:
        lines.append("milestones:")
        for m, when in ticks:
            lines += [f"  {m}:", f"    date: {when}", "    evidence: meeting minutes"]
    need: dict[str, int] = {"need": 1, "power": 1, "value": 0}
    for s in reached:
        for k, v in REQUIRES.get(s, {}).items():
            need[k] = max(need[k], v)
    lines.append("levels:")
    for k, v in need.items():
        if v:
            lines += [f"  {k}:", f"    level: {v}", f"    date: {moves[-1][1]}"]
    lines.append("actions:")
    lines += [f"  - date: {d.created}", "    kind: visit", "    goal: present our references",
              "    result: interested", "    moved: false"]
    for s, when in moves[1:]:
        lines += [f"  - date: {when}", "    kind: meeting", f"    goal: {q('move to ' + s)}",
                  "    result: agreed", "    moved: true"]
    if closed:
        lines += ["outcome:", f"  date: {d.outcome}"]
        if d.status == "lost":
            lines.append(f"  reason: {d.reason}")
            if d.reason == "competitor":
                lines.append("  competitor: KSB")
    return "\n".join(lines) + "\n"


def make_reps(rng: random.Random, n: int) -> list[Rep]:
    reps = []
    for k in range(n):
        reps.append(Rep(f"rep{k + 1:02d}", win=rng.uniform(0.6, 1.5),
                        speed=rng.uniform(0.8, 1.25), optimism=rng.uniform(0.75, 1.0),
                        volume=rng.uniform(0.6, 1.4)))
    return reps


def season(day: dt.date) -> float:
    """New deals a day relative to the average: fewer in August and December."""
    return {8: 0.75, 12: 0.8, 1: 1.1, 9: 1.15}.get(day.month, 1.0)


def build(rng: random.Random, reps: list[Rep], start: dt.date, today: dt.date) -> list[Sim]:
    deals: list[Sim] = []
    day = start
    while day <= today:
        for rep in reps:
            lam = NEW_PER_REP_MONTH * rep.volume * season(day) / 30.4
            # Poisson by inversion: a few new deals a day at most
            n, p, u = 0, math.exp(-lam), rng.random()
            acc = p
            while u > acc:
                n += 1
                p *= lam / n
                acc += p
            for _ in range(n):
                account, title = rng.choice(EN_ACCOUNTS), rng.choice(EN_TITLES)
                d = Sim(f"h{len(deals) + 1:05d}", rep, f"deals/{rep.name}", account, title,
                        rng.choice(SOURCES), day, [])
                simulate(rng, rep, day, d)
                deals.append(d)
        day += dt.timedelta(days=1)
    return deals


def git(cwd: Path, *args: str, day: dt.date | None = None) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="Sales Ops", GIT_AUTHOR_EMAIL="ops@example.com",
               GIT_COMMITTER_NAME="Sales Ops", GIT_COMMITTER_EMAIL="ops@example.com",
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    if day is not None:
        stamp = f"{day}T18:00:00+0100"
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)


def write_history(out: Path, deals: list[Sim], start: dt.date, today: dt.date,
                  rng: random.Random) -> int:
    """One commit a week, the last on ``today``; between two, every deal whose file
    changed is written. At each weekly review a rep moves six in ten of his passed
    close dates."""
    if out.exists():
        shutil.rmtree(out)
    (out / "deals").mkdir(parents=True)
    shutil.copy(ROOT / "funnelctl" / "templates" / "stages_en.yaml", out / "stages.yaml")
    git(out, "init", "-q", "-b", "main")
    weeks = []
    w = today
    while w >= start:
        weeks.append(w)
        w -= dt.timedelta(days=7)
    weeks.reverse()
    commits = 0
    prev = start - dt.timedelta(days=1)
    for week in weeks:
        for d in deals:
            if d.created > week or (d.outcome is not None and d.outcome <= prev):
                continue  # not yet in, or closed and written before
            changed = d.created > prev or any(prev < when <= week for _, when in d.moves) \
                or any(prev < when <= week for when, _ in d.amounts) \
                or any(prev < when <= week for when, _ in d.closes)
            if d.outcome is None or d.outcome > week:
                close = latest(sorted(d.closes), week)
                if close < week and rng.random() < 0.6:
                    moves = [m for m in d.moves if m[1] <= week]
                    i = STAGES.index(moves[-1][0])
                    spent = (week - moves[-1][1]).days
                    d.closes.append((week, close_estimate(rng, d.rep, i, week, spent)))
                    changed = True
            if changed:
                path = out / d.folder / f"{d.id}.yaml"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(deal_text(d, week), encoding="utf-8")
        git(out, "add", "-A")
        git(out, "commit", "-q", "--allow-empty", "-m", f"week of {week}", day=week)
        commits += 1
        prev = week
    return commits


def true_rates(reps: list[Rep]) -> list[float]:
    """The chance to be won from each stage, for the average of the reps."""
    out = []
    for i in range(4):
        rates = [math.prod(r.advance(j) for j in range(i, 4)) for r in reps]
        out.append(sum(rates) / len(rates))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--months", type=int, default=18)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--today", default="2026-11-24")
    ap.add_argument("--dating", choices=["stage", "sloppy"], default="stage",
                    help="how reps move a passed close date (see the module's help)")
    a = ap.parse_args()
    global DATING
    DATING = a.dating
    rng = random.Random(a.seed)
    today = dt.date.fromisoformat(a.today)
    y, m = today.year, today.month - a.months
    while m < 1:
        y, m = y - 1, m + 12
    start = dt.date(y, m, 1)
    reps = make_reps(rng, a.reps)
    deals = build(rng, reps, start, today)
    commits = write_history(a.out, deals, start, today, rng)
    won = sum(1 for d in deals if d.status == "won" and d.outcome <= today)
    lost = sum(1 for d in deals if d.status == "lost" and d.outcome <= today)
    print(f"{len(deals)} deals from {start} to {today} ({won} won, {lost} lost, "
          f"{len(deals) - won - lost} open), {a.reps} reps, {commits} weekly commits in {a.out}")
    print("true chance to be won from each stage (average rep): " + ", ".join(
        f"{s} {r:.0%}" for s, r in zip(STAGES, true_rates(reps), strict=True)))


if __name__ == "__main__":
    main()
