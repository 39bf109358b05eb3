"""The weekly review as one self-contained HTML page (``funnelctl report``): the
sections the text review shows, with the funnel against the benchmark drawn per rep
and for the team, the target gaps, the warnings and questions, the leaderboard and
the trend of the weekly snapshots.

Self-contained: the style is in the page, the charts are inline SVG drawn in Python
(``render.charts``), there is no script, and the page's Content-Security-Policy
forbids fetching anything, so it shows the same on a laptop, on a phone and in a mail
years later. Every piece of data passes ``html_safe``: made safe (``render.safe``:
control and invisible characters shown as escapes), then HTML-escaped, for text and
attribute values alike.

The numbers a reader sees carry their exact values as ``data-`` attributes, with the
names and roundings of ``review --json``, so that a program (and the tests) can read
the page back.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from funnelctl.analysis.review import Leader, Section
from funnelctl.analysis.stalls import Warning
from funnelctl.analysis.targets import Progress
from funnelctl.analysis.trend import Point
from funnelctl.pipeline import Pipeline
from funnelctl.render import charts
from funnelctl.render.rep import money
from funnelctl.render.report_style import STYLE
from funnelctl.render.safe import safe
from funnelctl.render.views import num, pct


def html_safe(text: str) -> str:
    """Data for HTML, as element text or a quoted attribute's value: ``safe`` (control,
    format and invisible characters as visible escapes), then ``& < > " '`` as
    character references."""
    return html.escape(safe(text), quote=True)


_e = html_safe


def data(**values: object) -> str:
    """``data-`` attributes (``won_deals`` as ``data-won-deals``) of numbers and data;
    a value of None is left out."""
    out = []
    for k, v in values.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, float):
            v = repr(v)
        out.append(f' data-{k.replace("_", "-")}="{_e(str(v))}"')
    return "".join(out)


def _r(x: float | None, n: int = 1) -> float | None:
    """Rounded as ``review --json`` rounds."""
    return None if x is None else round(x, n)


@dataclass
class Trend:
    """What the page shows of the weekly snapshots: the points, or why there are none
    (and any note on files the snapshots could not read)."""

    points: list[Point]
    note: str | None = None


def page(today, since, period: str, reps: list[Section], team: Section | None,
         waivers: list[dict], leaders: list[Leader], p: Pipeline, trend: Trend | None,
         scope: str | None = None) -> str:
    """The whole page."""
    title = f"Weekly review {today}"
    nav = [f'<a href="#rep-{i}">{_e(s.owner)}</a>' for i, s in enumerate(reps, 1)]
    if team is not None:
        nav.append('<a href="#team">team</a>')
    nav.append('<a href="#leaderboard">leaderboard</a>')
    if trend is not None:
        nav.append('<a href="#trend">trend</a>')
    head = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing is fetched, nothing runs: the page is all there is
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'style-src \'unsafe-inline\'; img-src data:">',
        '<meta name="generator" content="funnelctl report">',
        f"<title>{_e(title)}</title>", f"<style>{STYLE}</style>", "</head>",
        f'<body{data(today=str(today), since=str(since), period=period)}>',
        f'<header><h1 id="title">{_e(title)}</h1>',
        f'<p class="sub">Moves since {_e(str(since))} · period {_e(period)}'
        + (f" · {_e(scope)}" if scope else "") + "</p>",
        f'<nav>{" ".join(nav)}</nav></header>', "<main>"]
    body = [section(s, since, f"rep-{i}") for i, s in enumerate(reps, 1)]
    if team is not None:
        body.append(section(team, since, "team"))
    if waivers:
        body.append(_waivers(waivers))
    body.append(leaderboard(leaders, period))
    if trend is not None:
        body.append(trend_section(trend, p))
    foot = ["</main>", f'<footer>funnelctl report · {_e(str(today))}</footer>', "</body>",
            "</html>", ""]
    return "\n".join(head + body + foot)


def section(s: Section, since, anchor: str) -> str:
    """A rep's section, or the team's (which counts the moves by kind, lists the
    largest warnings only and asks no question of its own)."""
    out = [f'<section class="review{" team" if s.team else ""}" id="{anchor}"'
           f'{data(owner=s.owner)}>', f"<h2>{_e(s.owner)}</h2>", '<div class="cols">',
           "<div>", funnel_chart(s), "</div>", "<div>", figures(s), "</div>", "</div>",
           funnel_table(s)]
    if s.targets:
        out.append(targets(s.targets))
    out.append(moves(s, since))
    out.append(warnings(s))
    if s.flagged:
        out.append(f"<h3>Deals that break a process rule ({len(s.flagged)})</h3>")
        out.append('<ul class="flagged">' + "".join(
            f'<li{data(deal=f["deal"])}><b>{_e(f["deal"])}</b>: '
            f'{_e("; ".join(f["problems"]))}</li>' for f in s.flagged) + "</ul>")
    if not s.team:
        out.append(questions(s))
    out.append("</section>")
    return "\n".join(out)


def funnel_chart(s: Section) -> str:
    """The funnel drawn against the benchmark, and its diagnosis."""
    rows = s.funnel.stages
    bars = charts.funnel_bars(rows)
    chart = ['<figure class="funnel-chart">']
    for r, bar in zip(rows, bars, strict=True):
        chart.append(f'<div class="bar-row"{data(stage=r.stage)}><span class="bar-label" '
                     f'title="{_e(r.label)}">{_e(r.label)}</span>{bar}<span class="bar-fig">'
                     f"{r.count} / {r.benchmark:.1f}</span></div>")
    chart.append('<figcaption><i class="key deals"></i> deals <i class="key bench"></i> '
                 'benchmark not reached <i class="key over"></i> beyond the benchmark'
                 "</figcaption></figure>")
    chart.append('<ul class="diagnosis">')
    for d in s.funnel.diagnosis:
        chart.append(f'<li class="d-{_e(d.kind)}"{data(kind=d.kind)}><b>'
                     f'{_e(d.kind.replace("_", " "))}</b>: {_e(d.message)}</li>')
    chart.append("</ul>")
    return "\n".join(chart)


def funnel_table(s: Section) -> str:
    """The funnel's numbers."""
    table = ['<div class="scroll"><table class="funnel"><thead><tr><th>stage</th>'
             '<th class="n">deals</th><th class="n">benchmark</th><th class="n">amount</th>'
             '<th class="n">weighted</th><th class="n">conversion obs/cfg</th></tr></thead>'
             "<tbody>"]
    for r in s.funnel.stages:
        table.append(
            "<tr" + data(stage=r.stage, count=r.count, benchmark=round(r.benchmark, 2),
                         amount=r.amount, weighted=round(r.weighted, 2),
                         observed=_r(r.observed, 3), conversion=r.conversion) + ">"
            f'<td>{_e(r.label)}</td><td class="n count">{r.count}</td>'
            f'<td class="n benchmark">{r.benchmark:.1f}</td>'
            f'<td class="n amount">{money(r.amount)}</td>'
            f'<td class="n weighted">{money(r.weighted)}</td>'
            f'<td class="n">{pct(r.observed)}/{pct(r.conversion)}</td></tr>')
    table.append("</tbody></table></div>")
    return "\n".join(table)


def figures(s: Section) -> str:
    """The process figures, each with its value as ``review --json`` gives it."""
    f = s.figures
    items = [("deals", "deals", f.deals, str(f.deals)),
             ("open", "open", f.open_deals, str(f.open_deals)),
             ("won", "won", f.won, str(f.won)), ("lost", "lost", f.lost, str(f.lost)),
             ("win_rate", "win rate", _r(f.win_rate, 3), pct(f.win_rate)),
             ("cycle_days", "cycle (days)", _r(f.cycle_days), num(f.cycle_days, 0)),
             ("actions_per_won", "actions per won deal", _r(f.actions_per_won),
              num(f.actions_per_won)),
             ("average_won", "average won", _r(f.average_won), num(f.average_won, 0)),
             ("velocity_per_day", "sales velocity per day", _r(f.velocity),
              num(f.velocity, 0))]
    out = ['<h3>Process</h3><dl class="figures">']
    for key, label, value, shown in items:
        out.append(f'<div{data(figure=key, value=value)}><dt>{label}</dt>'
                   f"<dd>{_e(shown)}</dd></div>")
    out.append("</dl>")
    stays = ", ".join(f"{_e(k)} {num(v, 0)}" for k, v in f.days_in_stage.items())
    out.append(f'<p class="stays">days in stage: {stays}</p>')
    return "".join(out)


def targets(progs: list[Progress]) -> str:
    """Each target against the share of the period gone, and the gap per stage."""
    out = ["<h3>Targets</h3>"]
    for t in progs:
        out.append('<div class="target"' + data(
            owner=t.owner, period=t.period, target_deals=t.target_deals,
            target_amount=t.target_amount, won_deals=t.won_deals, won_amount=t.won_amount,
            expected_by_now=_r(t.expected_by_now, 2),
            blocking=t.plan.blocking if t.plan else None) + ">")
        line = [f"<b>{_e(t.owner)} {_e(t.period)}</b> ({t.elapsed:.0%} of the period gone):"]
        if t.target_deals is not None:
            due = t.target_deals * t.elapsed
            ok = t.won_deals >= due - 1e-9
            line.append(f'signed <span class="won-deals">{t.won_deals}</span> of '
                        f"{t.target_deals:g} ({due:.1f} due by now), "
                        f'<span class="{"ok" if ok else "bad"}">'
                        f'{"on track" if ok else "behind"}</span>')
        if t.target_amount is not None:
            due = t.target_amount * t.elapsed
            ok = t.won_amount >= due - 1e-9
            line.append(f"{money(t.won_amount)} of {money(t.target_amount)}, "
                        f'<span class="{"ok" if ok else "bad"}">'
                        f'{"on track" if ok else "behind"}</span>')
        out.append(f"<p>{' '.join(line)}</p>")
        if t.target_amount is not None:
            out.append(charts.share_bar(t.won_amount, t.target_amount))
        if t.plan:
            out.append('<div class="scroll"><table class="plan"><thead><tr><th>stage</th>'
                       '<th class="n">ratio</th><th class="n">required</th>'
                       '<th class="n">deals</th><th class="n">actual</th>'
                       '<th class="n">gap</th></tr></thead><tbody>')
            for r in t.plan.rows:
                cls = "blocking" if r.stage == t.plan.blocking else ""
                gap = "bad" if r.gap > 1e-9 else "ok"
                out.append(
                    f'<tr class="{cls}"'
                    + data(stage=r.stage, required=round(r.required, 2),
                           required_deals=r.required_deals, actual=r.actual,
                           gap=round(r.gap, 2)) + ">"
                    f"<td>{_e(r.label)}</td><td class=\"n\">{r.rate:.3g}</td>"
                    f'<td class="n">{r.required:.1f}</td><td class="n">{r.required_deals}</td>'
                    f'<td class="n">{r.actual}</td>'
                    f'<td class="n gap {gap}">{r.gap:+.1f}</td></tr>')
            out.append("</tbody></table></div>")
            if t.plan.blocking:
                row = next(r for r in t.plan.rows if r.stage == t.plan.blocking)
                out.append(f'<p class="bad">blocked at {_e(row.label)}: {row.gap:.1f} deals '
                           f"short (need {row.required:.1f}, hold {row.actual})</p>")
        out.append("</div>")
    return "\n".join(out)


def moves(s: Section, since) -> str:
    out = [f"<h3>Since {_e(str(since))}</h3>"]
    if s.team and s.move_kinds:
        out.append('<ul class="moves">' + "".join(
            f'<li{data(kind=kind, count=n, amount=amount)}><b>{n}</b> {_e(kind)} '
            f"({money(amount)})</li>" for kind, n, amount in s.move_kinds) + "</ul>")
    elif s.moved:
        out.append('<ul class="moves">')
        for m in s.moved:
            if m.kind in ("advanced", "regressed"):
                detail = (f"{_e(m.from_stage or '')} → {_e(m.stage)}"
                          + (" (forced)" if m.forced else ""))
            elif m.kind == "lost":
                detail = f"at {_e(m.stage)}: {_e(str(m.reason))}" + (
                    f", to {_e(m.competitor)}" if m.competitor else "")
            elif m.kind == "inflow":
                detail = f"new at {_e(m.stage)}"
            else:
                detail = ""
            out.append(f'<li class="m-{m.kind}"{data(kind=m.kind, deal=m.deal)}>'
                       f"{m.date} <b>{m.kind}</b> {_e(m.deal)} ({_e(m.account)}, "
                       f"{money(m.amount)}) {detail}</li>")
        out.append("</ul>")
        if s.more_moved:
            out.append(f"<p>… and {s.more_moved} more (review --json has them all)</p>")
    else:
        out.append(f'<p class="quiet">Nothing moved since {_e(str(since))}.</p>')
    return "\n".join(out)


def _severity(w: Warning) -> str:
    return "bad" if w.severity >= 4 else "warn" if w.severity >= 2 else ""


def warnings(s: Section) -> str:
    """Each deal's warnings on one row (the team's largest deals only)."""
    head = "Largest warnings" if s.team else "Warnings"
    counts = data(warnings=s.warnings, warned_deals=s.warned_deals)
    snoozed = f" ({s.snoozed} snoozed on purpose)" if s.snoozed else ""
    if not s.warned:
        return f'<h3>{head}</h3><p class="quiet warned"{counts}>none{snoozed}</p>'

    out = [f"<h3>{head}</h3>", '<div class="scroll"><table class="warnings"><thead><tr>'
           '<th>deal</th><th>owner</th><th>stage</th><th class="n">amount</th>'
           "<th>warnings</th></tr></thead><tbody>"]
    for ws in s.warned:
        w0 = ws[0]
        why = " · ".join(f'<span class="{_severity(w)}" title="{_e(w.message)}">'
                         f"{_e(w.short)}</span>" for w in ws)
        out.append("<tr" + data(deal=w0.deal, kinds=" ".join(w.kind for w in ws),
                                amount=w0.amount) + ">"
                   f"<td>{_e(w0.deal)}</td><td>{_e(w0.owner)}</td><td>{_e(w0.stage)}</td>"
                   f'<td class="n">{money(w0.amount)}</td><td>{why}</td></tr>')
    out.append("</tbody></table></div>")
    out.append(f'<p class="warned"{counts}>{s.warnings} warnings on {s.warned_deals} deals'
               f"{snoozed}</p>")
    return "\n".join(out)


def questions(s: Section) -> str:
    if not s.questions:
        return '<h3>Questions to ask</h3><p class="quiet">none</p>'
    return ('<h3>Questions to ask</h3><ul class="questions">' + "".join(
        f'<li{data(deal=q.deal, kind=q.kind)}><b>{_e(q.deal)}</b> ({_e(q.account)}): '
        f"{_e(q.text)}</li>" for q in s.questions) + "</ul>")


def _waivers(waivers: list[dict]) -> str:
    return ('<section id="waivers"><h2>Waivers (forced moves)</h2><ul>' + "".join(
        f'<li{data(deal=w["deal"], stage=w["stage"])}>{_e(str(w["date"]))} '
        f'<b>{_e(w["deal"])}</b> ({_e(w["owner"])}) → {_e(w["stage"])}: '
        f'{_e(str(w["reason"]))} (waived: {_e(", ".join(w["waived"]))})</li>'
        for w in waivers) + "</ul></section>")


def leaderboard(leaders: list[Leader], period: str) -> str:
    out = [f'<section id="leaderboard"><h2>Leaderboard {_e(period)}</h2>',
           '<div class="scroll"><table class="leaders"><thead><tr><th class="n">#</th>'
           '<th>owner</th><th class="n">signed</th><th class="n">target</th>'
           '<th class="n">amount</th><th class="n">target amount</th><th></th></tr>'
           "</thead><tbody>"]
    for i, x in enumerate(leaders, 1):
        bar = charts.share_bar(x.won_amount, x.target_amount) if x.target_amount else ""
        out.append(
            "<tr" + data(owner=x.owner, won_deals=x.won_deals, won_amount=x.won_amount,
                         target_deals=x.target_deals, target_amount=x.target_amount) + ">"
            f'<td class="n">{i}</td><td>{_e(x.owner)}</td>'
            f'<td class="n won-deals">{x.won_deals}</td>'
            f'<td class="n">{"-" if x.target_deals is None else f"{x.target_deals:g}"}</td>'
            f'<td class="n won-amount">{money(x.won_amount)}</td>'
            f'<td class="n">{"-" if x.target_amount is None else money(x.target_amount)}</td>'
            f'<td class="chart">{bar}</td></tr>')
    out.append("</tbody></table></div></section>")
    return "\n".join(out)


def trend_section(t: Trend, p: Pipeline) -> str:
    """Open deals per stage at each week start as git held them, and now."""
    out = ['<section id="trend"><h2>Trend</h2>']
    if len(t.points) < 2:
        out.append(f'<p class="note">{_e(t.note or "no weekly snapshot to compare")}</p>')
        out.append("</section>")
        return "\n".join(out)
    out.append('<p class="sub">Open deals per stage at the start of each week, as git held '
               "the deal files then, and now.</p>")
    out.append(f'<div class="scroll">{charts.trend_chart(t.points)}</div>')
    out.append('<p class="legend">' + " ".join(
        f'<i class="key s{i % charts.STAGE_COLOURS}"></i> {_e(s.label)}'
        for i, s in enumerate(p.stages)) + "</p>")
    out.append('<div class="scroll"><table class="trend-table"><thead><tr><th>week</th>'
               + "".join(f'<th class="n">{_e(s.label)}</th>' for s in p.stages)
               + '<th class="n">open</th><th class="n">amount</th><th class="n">weighted</th>'
               "</tr></thead><tbody>")
    for pt in t.points:
        day = "now" if pt.now else str(pt.day)
        out.append("<tr" + data(day=str(pt.day), now=pt.now, open=pt.open_deals,
                                amount=round(pt.amount, 2), weighted=round(pt.weighted, 2))
                   + ">"
                   f"<td>{day}</td>"
                   + "".join(f'<td class="n"{data(stage=s.id)}>{n}</td>'
                             for s, n in zip(p.stages, pt.counts, strict=True))
                   + f'<td class="n">{pt.open_deals}</td><td class="n">{money(pt.amount)}</td>'
                   f'<td class="n">{money(pt.weighted)}</td></tr>')
    out.append("</tbody></table></div>")
    if t.note:
        out.append(f'<p class="note">{_e(t.note)}</p>')
    out.append("</section>")
    return "\n".join(out)
