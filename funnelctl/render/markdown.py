"""The weekly review as Markdown, for meeting notes: the sections the text review
shows, written out in full (every warning, question and rule broken).

Every piece of data passes ``md`` (``render.safe``): control characters shown, and
Markdown's own syntax escaped, so that a title shows as it is written, never as a
link, an HTML tag or a table's column."""

from __future__ import annotations

from funnelctl.analysis.review import Leader, Section
from funnelctl.pipeline import Pipeline
from funnelctl.render.rep import money
from funnelctl.render.safe import md
from funnelctl.render.views import num, pct


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A table of data: every cell is escaped here (a ``|`` would start a column)."""
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(md(str(c)) for c in r) + " |" for r in rows]
    return out


def _section(s: Section, p: Pipeline, since) -> list[str]:
    """One rep's section; the team's summarises what the reps' sections list."""
    out = [f"## {md(s.owner)}", ""]
    out += _table(["stage", "deals", "benchmark", "amount", "weighted", "conversion obs/cfg"],
                  [[r.label, str(r.count), f"{r.benchmark:.1f}", money(r.amount),
                    money(r.weighted), f"{pct(r.observed)}/{pct(r.conversion)}"]
                   for r in s.funnel.stages])
    out.append("")
    for d in s.funnel.diagnosis:
        out.append(f"- **{d.kind.replace('_', ' ')}**: {md(d.message)}")
    for t in s.targets:
        line = f"- **target {t.period}**: signed {t.won_deals}"
        if t.target_deals is not None:
            line += f" of {t.target_deals:g} ({t.expected_by_now:.1f} due by now)"
        if t.target_amount is not None:
            line += f", {money(t.won_amount)} of {money(t.target_amount)}"
        if t.plan and t.plan.blocking:
            row = next(x for x in t.plan.rows if x.stage == t.plan.blocking)
            line += f"; blocked at {md(row.label)}, {row.gap:.1f} deals short"
        out.append(line)
    for a in s.alerts:
        out.append(f"- **alert**: {md(a.message)}")
    out += ["", f"### Since {since}", ""]
    if s.team and s.move_kinds:
        out += [f"- {n} {kind} ({money(amount)})" for kind, n, amount in s.move_kinds]
    elif s.moved:
        for m in s.moved:
            extra = ""
            if m.from_stage:
                extra = f" {md(m.from_stage)} → {md(m.stage)}" + (
                    " (forced)" if m.forced else "")
            if m.kind == "lost":
                extra = f" at {md(m.stage)}: {md(str(m.reason))}" + (
                    f", to {md(m.competitor)}" if m.competitor else "")
            out.append(f"- {m.date} **{m.kind}** {md(m.deal)} ({md(m.account)}, "
                       f"{money(m.amount)}){extra}")
        if s.more_moved:
            out.append(f"- … and {s.more_moved} more (--json has them all)")
    else:
        out.append("- nothing moved")
    out += ["", "### Warnings", ""]
    out += [f"- {md(ws[0].deal)} ({md(ws[0].owner)}, {md(ws[0].stage)}, "
            f"{money(ws[0].amount)}): "
            + "; ".join(f"**{w.kind}** {md(w.message)}" for w in ws) for ws in s.warned] \
        or ["- none"]
    if s.warned_deals > len(s.warned):
        out.append(f"- … and {s.warned_deals - len(s.warned)} more deals in the reps' sections")
    if s.snoozed:
        out.append(f"- ({s.snoozed} snoozed on purpose)")
    if s.flagged:
        out += ["", "### Deals that break a process rule", ""]
        out += [f"- {md(f['deal'])}: {'; '.join(map(md, f['problems']))}" for f in s.flagged]
    if not s.team:
        out += ["", "### Questions to ask", ""]
        out += [f"- {md(q.deal)} ({md(q.account)}): {md(q.text)}" for q in s.questions] \
            or ["- none"]
    f = s.figures
    out += ["", "### Process", "",
            f"- deals {f.deals} (open {f.open_deals}, won {f.won}, lost {f.lost}); "
            f"win rate {pct(f.win_rate)}; actions per won deal {num(f.actions_per_won)}; "
            f"cycle {num(f.cycle_days, 0)} days",
            "- days in stage: " + ", ".join(f"{k} {num(v, 0)}"
                                            for k, v in f.days_in_stage.items()),
            f"- sales velocity {num(f.velocity, 0)} per day", ""]
    return out


def _lines(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


# The review in three pieces, which the command writes one after the other: the
# heading, the reps' sections (on a large team, part of them written by another
# process), and the end (the team's section, the waivers and the leaderboard)


def review_head(today, since, period: str) -> str:
    return _lines([f"# Weekly review {today}", "", f"Moves since {since}; period {period}.",
                   ""])


def review_sections(sections: list[Section], p: Pipeline, since) -> str:
    return _lines([line for s in sections for line in _section(s, p, since)])


def review_end(team: Section | None, waivers: list[dict], leaders: list[Leader],
               p: Pipeline, since, period: str) -> str:
    """The team's section (none for a review of one rep), the waivers, the leaderboard."""
    out = _section(team, p, since) if team is not None else []
    if waivers:
        out += ["## Waivers", ""]
        out += [f"- {w['date']} {md(w['deal'])} ({md(w['owner'])}) → {md(w['stage'])}: "
                f"{md(str(w['reason']))} (waived: {', '.join(map(md, w['waived']))})"
                for w in waivers]
        out.append("")
    out += [f"## Leaderboard {period}", ""]
    out += _table(["#", "owner", "signed", "target", "amount", "target amount"],
                  [[str(i), x.owner, str(x.won_deals),
                    "-" if x.target_deals is None else f"{x.target_deals:g}",
                    money(x.won_amount),
                    "-" if x.target_amount is None else money(x.target_amount)]
                   for i, x in enumerate(leaders, 1)])
    return _lines(out)
