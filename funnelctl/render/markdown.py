"""The weekly review as Markdown, for meeting notes: the sections the text review
shows, written out in full (every warning, question and rule broken).

Every piece of data passes ``md`` (``render.safe``): control characters shown, and
Markdown's own syntax escaped, so that a title shows as it is written, never as a
link, an HTML tag or a table's column."""

from __future__ import annotations

from funnelctl.analysis.review import Leader, Section
from funnelctl.i18n import N_, _, formats, nformat
from funnelctl.pipeline import Pipeline
from funnelctl.render.md_views import FUNNEL_HEADS, diagnosis_name, warning_kinds
from funnelctl.render.rep import id_names, money, money_of, waived_names
from funnelctl.render.safe import md
from funnelctl.render.views import big, move_counts, move_kinds, num, owner_name, pct


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A table of data: every cell is escaped here (a ``|`` would start a column)."""
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _h in head) + "|"]
    out += ["| " + " | ".join(md(str(c)) for c in r) + " |" for r in rows]
    return out


def _section(s: Section, p: Pipeline, since) -> list[str]:
    """One rep's section; the team's summarises what the reps' sections list."""
    names = id_names(p)  # a stage by its id in English, by its label in another
    out = [f"## {md(owner_name(s.owner) if s.team else s.owner)}", ""]
    out += _table([_(h) for h in FUNNEL_HEADS],
                  [[r.name or r.label, str(r.count), f"{r.benchmark:.1f}", money(r.amount),
                    money(r.weighted), f"{pct(r.observed)}/{pct(r.conversion)}"]
                   for r in s.funnel.stages])
    out.append("")
    for d in s.funnel.diagnosis:
        out.append(f"- **{diagnosis_name(d.kind)}**: {md(d.message)}")
    for t in s.targets:
        line = "- **" + _("target {period}").format(period=formats.period(t.period)) + "**: " \
            + (_("signed {n}").format(n=t.won_deals) if t.target_deals is None else
               _("signed {n} of {target} ({due} due by now)").format(
                   n=t.won_deals, target=f"{t.target_deals:g}",
                   due=f"{t.expected_by_now:.1f}"))
        if t.target_amount is not None:
            line += ", " + _("{won} of {target}").format(won=money(t.won_amount),
                                                         target=money(t.target_amount))
        if t.plan and t.plan.blocking:
            row = next(x for x in t.plan.rows if x.stage == t.plan.blocking)
            line += "; " + _("blocked at {stage}, {gap} deals short").format(
                stage=md(names.get(row.stage, row.label) if names else row.label),
                gap=f"{row.gap:.1f}")
        out.append(line)
    for a in s.alerts:
        out.append("- **" + _("alert") + f"**: {md(a.message)}")
    out += ["", "### " + _("Since {day}").format(day=formats.day(since)), ""]
    if s.team and s.move_kinds:
        out += [f"- {x}" for x in move_counts(s.move_kinds)]
    elif s.moved:
        kinds = move_kinds()
        reasons = id_names(p, "reason")
        for m in s.moved:
            extra = ""
            if m.from_stage:
                extra = f" {md(names.get(m.from_stage, m.from_stage))} → " \
                        f"{md(names.get(m.stage, m.stage))}" + (
                            " " + _("(forced)") if m.forced else "")
            if m.kind == "lost":
                reason = str(m.reason)
                extra = " " + _("at {stage}: {reason}").format(
                    stage=md(names.get(m.stage, m.stage)),
                    reason=md(reasons.get(reason, reason))) + (
                    _(", to {competitor}").format(competitor=md(m.competitor))
                    if m.competitor else "")
            out.append(f"- {formats.day(m.date)} **{kinds.get(m.kind, m.kind)}** {md(m.deal)} "
                       f"({md(m.account)}, {money(m.amount)}){extra}")
        if s.more_moved:
            out.append("- " + _("… and {n} more (--json has them all)").format(n=s.more_moved))
    else:
        out.append("- " + _("nothing moved"))
    out += ["", "### " + _("Warnings"), ""]
    warned, cash = warning_kinds(), money_of()
    out += [f"- {md(ws[0].deal)} ({md(ws[0].owner)}, {md(names.get(ws[0].stage, ws[0].stage))}, "
            f"{cash(ws[0].amount)}): "
            + "; ".join(f"**{warned.get(w.kind, w.kind)}** {md(w.message)}" for w in ws)
            for ws in s.warned] or ["- " + _("none")]
    if s.warned_deals > len(s.warned):
        out.append("- " + nformat("… and {n} more deal in the reps' sections",
                                  "… and {n} more deals in the reps' sections",
                                  s.warned_deals - len(s.warned)))
    if s.snoozed:
        out.append("- " + _("({n} snoozed on purpose)").format(n=s.snoozed))
    if s.flagged:
        out += ["", "### " + _("Deals that break a process rule"), ""]
        out += [f"- {md(f['deal'])}: {'; '.join(map(md, f['problems']))}" for f in s.flagged]
    if not s.team:
        out += ["", "### " + _("Questions to ask"), ""]
        out += [f"- {md(q.deal)} ({md(q.account)}): {md(q.text)}" for q in s.questions] \
            or ["- " + _("none")]
    f = s.figures
    out += ["", "### " + _("Process"), "",
            "- " + _("deals {deals} (open {open}, won {won}, lost {lost}); win rate {win_rate}; "
                     "actions per won deal {actions}; cycle {cycle} days").format(
                deals=f.deals, open=f.open_deals, won=f.won, lost=f.lost,
                win_rate=pct(f.win_rate), actions=num(f.actions_per_won),
                cycle=num(f.cycle_days, 0)),
            "- " + _("days in stage: {stays}").format(stays=", ".join(
                f"{md(names.get(k, k))} {num(v, 0)}" for k, v in f.days_in_stage.items())),
            "- " + _("sales velocity {velocity} per day").format(velocity=big(f.velocity)), ""]
    return out


def _lines(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


# The review in three pieces, which the command writes one after the other: the
# heading, the reps' sections (on a large team, part of them written by another
# process), and the end (the team's section, the waivers and the leaderboard)


def review_head(today, since, period: str) -> str:
    return _lines(["# " + _("Weekly review {today}").format(today=formats.day(today)), "",
                   _("Moves since {since}; period {period}.").format(
                       since=formats.day(since), period=formats.period(period)), ""])


def review_sections(sections: list[Section], p: Pipeline, since) -> str:
    return _lines([line for s in sections for line in _section(s, p, since)])


LEADER_HEADS = ("#", N_("owner"), N_("signed"), N_("target"), N_("amount"), N_("target amount"))


def review_end(team: Section | None, waivers: list[dict], leaders: list[Leader],
               p: Pipeline, since, period: str) -> str:
    """The team's section (none for a review of one rep), the waivers, the leaderboard."""
    out = _section(team, p, since) if team is not None else []
    if waivers:
        names = id_names(p)
        out += ["## " + _("Waivers"), ""]
        out += [f"- {formats.day(w['date'])} {md(w['deal'])} ({md(w['owner'])}) → "
                f"{md(names.get(w['stage'], w['stage']))}: {md(str(w['reason']))} "
                + _("(waived: {items})").format(
                    items=", ".join(map(md, waived_names(w["waived"], p))))
                for w in waivers]
        out.append("")
    out += ["## " + _("Leaderboard {period}").format(period=formats.period(period)), ""]
    out += _table([_(h) for h in LEADER_HEADS],
                  [[str(i), x.owner, str(x.won_deals),
                    "-" if x.target_deals is None else f"{x.target_deals:g}",
                    money(x.won_amount),
                    "-" if x.target_amount is None else money(x.target_amount)]
                   for i, x in enumerate(leaders, 1)])
    return _lines(out)
