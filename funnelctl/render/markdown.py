"""The weekly review as Markdown, for meeting notes."""

from __future__ import annotations

from funnelctl.analysis.review import Aside, RepReview, Review
from funnelctl.pipeline import Pipeline
from funnelctl.render.rep import money
from funnelctl.render.views import num, pct


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    def cell(x: str) -> str:
        return str(x).replace("|", "\\|")

    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return out


def _rep(r: RepReview, p: Pipeline, since, team: bool = False) -> list[str]:
    """One rep's section; the team's summarises what the reps' sections list."""
    out = [f"## {r.owner}", ""]
    out += _table(["stage", "deals", "benchmark", "amount", "weighted", "conversion obs/cfg"],
                  [[s.label, str(s.count), f"{s.benchmark:.1f}", money(s.amount),
                    money(s.weighted), f"{pct(s.observed)}/{pct(s.conversion)}"]
                   for s in r.funnel.stages])
    out.append("")
    for d in r.funnel.diagnosis:
        out.append(f"- **{d.kind.replace('_', ' ')}**: {d.message}")
    for t in r.targets:
        line = f"- **target {t.period}**: signed {t.won_deals}"
        if t.target_deals is not None:
            line += f" of {t.target_deals:g} ({t.expected_by_now:.1f} due by now)"
        if t.target_amount is not None:
            line += f", {money(t.won_amount)} of {money(t.target_amount)}"
        if t.plan and t.plan.blocking:
            row = next(x for x in t.plan.rows if x.stage == t.plan.blocking)
            line += f"; blocked at {row.label}, {row.gap:.1f} deals short"
        out.append(line)
    out += ["", f"### Since {since}", ""]
    if r.moved and team:
        kinds: dict[str, list] = {}
        for m in r.moved:
            kinds.setdefault(m.kind, []).append(m)
        out += [f"- {len(ms)} {kind} ({money(sum(m.amount for m in ms))})"
                for kind, ms in kinds.items()]
    elif r.moved:
        for m in r.moved:
            extra = ""
            if m.from_stage:
                extra = f" {m.from_stage} → {m.stage}" + (" (forced)" if m.forced else "")
            if m.kind == "lost":
                extra = f" at {m.stage}: {m.reason}" + (f", to {m.competitor}"
                                                        if m.competitor else "")
            out.append(f"- {m.date} **{m.kind}** {m.deal} ({m.account}, "
                       f"{money(m.amount)}){extra}")
    else:
        out.append("- nothing moved")
    out += ["", "### Warnings", ""]
    per_deal: dict[str, list] = {}
    for w in r.warnings:  # worst first: a deal's first warning is its worst
        per_deal.setdefault(w.deal, []).append(w)
    shown = list(per_deal.values())[:5] if team else per_deal.values()
    out += [f"- {ws[0].deal} ({ws[0].owner}, {ws[0].stage}, {money(ws[0].amount)}): "
            + "; ".join(f"**{w.kind}** {w.message}" for w in ws) for ws in shown] \
        or ["- none"]
    if team and len(per_deal) > 5:
        out.append(f"- … and {len(per_deal) - 5} more deals in the reps' sections")
    if r.snoozed:
        out.append(f"- ({r.snoozed} snoozed on purpose)")
    if r.flagged:
        out += ["", "### Deals that break a process rule", ""]
        out += [f"- {f['deal']}: {'; '.join(f['problems'])}" for f in r.flagged]
    if not team:
        out += ["", "### Questions to ask", ""]
        out += [f"- {q.deal} ({q.account}): {q.text}" for q in r.questions] \
            or ["- none"]
    f = r.figures
    out += ["", "### Process", "",
            f"- deals {f.deals} (open {f.open_deals}, won {f.won}, lost {f.lost}); "
            f"win rate {pct(f.win_rate)}; actions per won deal {num(f.actions_per_won)}; "
            f"cycle {num(f.cycle_days, 0)} days",
            "- days in stage: " + ", ".join(f"{k} {num(v, 0)}"
                                            for k, v in f.days_in_stage.items()),
            f"- sales velocity {num(f.velocity, 0)} per day", ""]
    return out


def _sections(reps: list[RepReview], p: Pipeline, since) -> str:
    return "\n".join(line for r in reps for line in _rep(r, p, since))


def review(rv: Review, p: Pipeline, aside: Aside | None = None) -> str:
    """The review as Markdown. With ``aside`` (a large team), a child writes the first
    half of the reps' sections while this process writes the rest."""
    half = (len(rv.reps) + 1) // 2 if aside and len(rv.reps) >= 2 else 0
    first = aside(_sections, rv.reps[:half], p, rv.since) if aside and half else None
    out = [f"# Weekly review {rv.today}", "",
           f"Moves since {rv.since}; period {rv.period}.", ""]
    rest = [line for r in rv.reps[half:] for line in _rep(r, p, rv.since)]
    if first:
        out.append(first())
    out += rest
    if len(rv.reps) != 1:
        out += _rep(rv.team, p, rv.since, team=True)
    if rv.waivers:
        out += ["## Waivers", ""]
        out += [f"- {w['date']} {w['deal']} ({w['owner']}) → {w['stage']}: {w['reason']} "
                f"(waived: {', '.join(w['waived'])})" for w in rv.waivers]
        out.append("")
    out += [f"## Leaderboard {rv.period}", ""]
    out += _table(["#", "owner", "signed", "target", "amount", "target amount"],
                  [[str(i), x.owner, str(x.won_deals),
                    "-" if x.target_deals is None else f"{x.target_deals:g}",
                    money(x.won_amount),
                    "-" if x.target_amount is None else money(x.target_amount)]
                   for i, x in enumerate(rv.leaderboard, 1)])
    return "\n".join(out) + "\n"
