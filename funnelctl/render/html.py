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
the page back. Every word passes the message catalog (the page's ``lang`` is the
active language); dates, months and amounts are written as ``i18n.formats`` writes
them, stages by their labels, and ids of stages.yaml as ``render.history.Names``
names them; ``data-`` attributes keep ids, ISO dates and plain numbers.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from funnelctl import i18n
from funnelctl.analysis.review import Leader, Section
from funnelctl.analysis.stalls import Warning
from funnelctl.analysis.targets import Progress
from funnelctl.analysis.trend import Point
from funnelctl.i18n import N_, _, formats, nformat
from funnelctl.pipeline import Pipeline
from funnelctl.render import charts
from funnelctl.render.history import Names
from funnelctl.render.report_style import STYLE
from funnelctl.render.safe import safe
from funnelctl.render.views import num, pct

money = formats.money

# the kinds of move a review lists, and the funnel's diagnoses, as the page names them
MOVES = {"won": N_("won"), "lost": N_("lost"), "advanced": N_("advanced"),
         "regressed": N_("regressed"), "inflow": N_("inflow")}
DIAGNOSES = {"bulge": N_("bulge"), "clean": N_("clean"), "empty": N_("empty"),
             "late_entries": N_("late entries"), "late_entry_rep": N_("late entry rep"),
             "narrow": N_("narrow"), "thin_top": N_("thin top")}


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


def _move(kind: str) -> str:
    return _(MOVES[kind]) if kind in MOVES else kind


def _owner(owner: str, team: bool = False) -> str:
    """A section's or a target's owner: ``team`` (the whole team) in the active
    language, a rep or a team of stages.yaml as named."""
    return _("team") if team or owner == "team" else owner


def _lang() -> str:
    """The page's language as HTML names it (``en``, ``zh-CN``)."""
    return i18n.current().replace("_", "-")


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
    title = _("Weekly review {day}").format(day=formats.day(today))
    names = Names(p)
    nav = [f'<a href="#rep-{i}">{_e(s.owner)}</a>' for i, s in enumerate(reps, 1)]
    if team is not None:
        nav.append('<a href="#team">' + _e(_("team")) + "</a>")
    nav.append('<a href="#leaderboard">' + _e(_("leaderboard")) + "</a>")
    if trend is not None:
        nav.append('<a href="#trend">' + _e(_("trend")) + "</a>")
    head = [
        "<!DOCTYPE html>", f'<html lang="{_lang()}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing is fetched, nothing runs: the page is all there is
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'style-src \'unsafe-inline\'; img-src data:">',
        '<meta name="generator" content="funnelctl report">',
        f"<title>{_e(title)}</title>", f"<style>{STYLE}</style>", "</head>",
        f'<body{data(today=str(today), since=str(since), period=period)}>',
        f'<header><h1 id="title">{_e(title)}</h1>',
        '<p class="sub">' + _e(_("Moves since {day} · period {period}").format(
            day=formats.day(since), period=formats.period(period)))
        + (f" · {_e(scope)}" if scope else "") + "</p>",
        f'<nav>{" ".join(nav)}</nav></header>', "<main>"]
    body = [section(s, since, f"rep-{i}", names) for i, s in enumerate(reps, 1)]
    if team is not None:
        body.append(section(team, since, "team", names))
    if waivers:
        body.append(_waivers(waivers, names))
    body.append(leaderboard(leaders, period))
    if trend is not None:
        body.append(trend_section(trend, p))
    foot = ["</main>", "<footer>" + _e(_("funnelctl report · {day}").format(
        day=formats.day(today))) + "</footer>", "</body>",
            "</html>", ""]
    return "\n".join(head + body + foot)


def section(s: Section, since, anchor: str, names: Names = Names()) -> str:
    """A rep's section, or the team's (which counts the moves by kind, lists the
    largest warnings only and asks no question of its own)."""
    out = [f'<section class="review{" team" if s.team else ""}" id="{anchor}"'
           f'{data(owner=s.owner)}>', f"<h2>{_e(_owner(s.owner, s.team))}</h2>",
           '<div class="cols">', "<div>", funnel_chart(s, names), "</div>", "<div>",
           figures(s, names), "</div>", "</div>", funnel_table(s, names)]
    if s.targets:
        out.append(targets(s.targets, names))
    out.append(moves(s, since, names))
    out.append(warnings(s, names))
    if s.flagged:
        out.append("<h3>" + _e(_("Deals that break a process rule ({n})").format(
            n=len(s.flagged))) + "</h3>")
        out.append('<ul class="flagged">' + "".join(
            f'<li{data(deal=f["deal"])}><b>{_e(f["deal"])}</b>: '
            f'{_e("; ".join(f["problems"]))}</li>' for f in s.flagged) + "</ul>")
    if not s.team:
        out.append(questions(s))
    out.append("</section>")
    return "\n".join(out)


def _stage_label(r, names: Names) -> str:
    """A funnel row's (or a plan row's) stage, by its label in the active language."""
    return names.label("stage", r.stage) if names.p is not None else r.label


def funnel_chart(s: Section, names: Names = Names()) -> str:
    """The funnel drawn against the benchmark, and its diagnosis."""
    rows = s.funnel.stages
    bars = charts.funnel_bars(rows)
    chart = ['<figure class="funnel-chart">']
    for r, bar in zip(rows, bars, strict=True):
        label = _e(_stage_label(r, names))
        chart.append(f'<div class="bar-row"{data(stage=r.stage)}><span class="bar-label" '
                     f'title="{label}">{label}</span>{bar}<span class="bar-fig">'
                     f"{r.count} / {r.benchmark:.1f}</span></div>")
    chart.append('<figcaption><i class="key deals"></i> ' + _e(_("deals"))
                 + ' <i class="key bench"></i> ' + _e(_("benchmark not reached"))
                 + ' <i class="key over"></i> ' + _e(_("beyond the benchmark"))
                 + "</figcaption></figure>")
    chart.append('<ul class="diagnosis">')
    for d in s.funnel.diagnosis:
        kind = _(DIAGNOSES[d.kind]) if d.kind in DIAGNOSES else d.kind.replace("_", " ")
        chart.append(f'<li class="d-{_e(d.kind)}"{data(kind=d.kind)}><b>'
                     f'{_e(kind)}</b>: {_e(d.message)}</li>')
    chart.append("</ul>")
    return "\n".join(chart)


NUMBER = ' class="n"'


def _th(words: list[str], numbers: range) -> str:
    """A table's header row, its words translated; the columns ``numbers`` hold
    numbers (right-aligned)."""
    return "<thead><tr>" + "".join(f"<th{NUMBER if i in numbers else ''}>{_e(_(w))}</th>"
                                   for i, w in enumerate(words)) + "</tr></thead>"


FUNNEL_HEAD = [N_("stage"), N_("deals"), N_("benchmark"), N_("amount"), N_("weighted"),
               N_("conversion obs/cfg")]


def funnel_table(s: Section, names: Names = Names()) -> str:
    """The funnel's numbers."""
    table = ['<div class="scroll"><table class="funnel">' + _th(FUNNEL_HEAD, range(1, 6))
             + "<tbody>"]
    for r in s.funnel.stages:
        table.append(
            "<tr" + data(stage=r.stage, count=r.count, benchmark=round(r.benchmark, 2),
                         amount=r.amount, weighted=round(r.weighted, 2),
                         observed=_r(r.observed, 3), conversion=r.conversion) + ">"
            f'<td>{_e(_stage_label(r, names))}</td><td class="n count">{r.count}</td>'
            f'<td class="n benchmark">{r.benchmark:.1f}</td>'
            f'<td class="n amount">{money(r.amount)}</td>'
            f'<td class="n weighted">{money(r.weighted)}</td>'
            f'<td class="n">{pct(r.observed)}/{pct(r.conversion)}</td></tr>')
    table.append("</tbody></table></div>")
    return "\n".join(table)


def figures(s: Section, names: Names = Names()) -> str:
    """The process figures, each with its value as ``review --json`` gives it."""
    f = s.figures
    items = [("deals", N_("deals"), f.deals, str(f.deals)),
             ("open", N_("open"), f.open_deals, str(f.open_deals)),
             ("won", N_("won"), f.won, str(f.won)), ("lost", N_("lost"), f.lost, str(f.lost)),
             ("win_rate", N_("win rate"), _r(f.win_rate, 3), pct(f.win_rate)),
             ("cycle_days", N_("cycle (days)"), _r(f.cycle_days), num(f.cycle_days, 0)),
             ("actions_per_won", N_("actions per won deal"), _r(f.actions_per_won),
              num(f.actions_per_won)),
             ("average_won", N_("average won"), _r(f.average_won), money(f.average_won)),
             ("velocity_per_day", N_("sales velocity per day"), _r(f.velocity),
              money(f.velocity))]
    out = ["<h3>" + _e(_("Process")) + '</h3><dl class="figures">']
    for key, label, value, shown in items:
        out.append(f'<div{data(figure=key, value=value)}><dt>{_e(_(label))}</dt>'
                   f"<dd>{_e(shown)}</dd></div>")
    out.append("</dl>")
    stays = ", ".join(f"{_e(names.stage(k))} {num(v, 0)}" for k, v in f.days_in_stage.items())
    out.append('<p class="stays">' + _e(_("days in stage: {stays}")).format(stays=stays)
               + "</p>")
    return "".join(out)


def _verdict(ok: bool) -> str:
    word = _("on track") if ok else _("behind")
    return f'<span class="{"ok" if ok else "bad"}">{_e(word)}</span>'


PLAN_HEAD = [N_("stage"), N_("ratio"), N_("required"), N_("deals"), N_("actual"), N_("gap")]


def targets(progs: list[Progress], names: Names = Names()) -> str:
    """Each target against the share of the period gone, and the gap per stage."""
    out = ["<h3>" + _e(_("Targets")) + "</h3>"]
    for t in progs:
        out.append('<div class="target"' + data(
            owner=t.owner, period=t.period, target_deals=t.target_deals,
            target_amount=t.target_amount, won_deals=t.won_deals, won_amount=t.won_amount,
            expected_by_now=_r(t.expected_by_now, 2),
            blocking=t.plan.blocking if t.plan else None) + ">")
        line = [f"<b>{_e(_owner(t.owner))} {_e(formats.period(t.period))}</b> "
                + _e(_("({share} of the period gone):").format(share=f"{t.elapsed:.0%}"))]
        if t.target_deals is not None:
            due = t.target_deals * t.elapsed
            ok = t.won_deals >= due - 1e-9
            line.append(_e(_("signed {won} of {target} ({due} due by now), {verdict}")).format(
                won=f'<span class="won-deals">{t.won_deals}</span>',
                target=f"{t.target_deals:g}", due=f"{due:.1f}", verdict=_verdict(ok)))
        if t.target_amount is not None:
            due = t.target_amount * t.elapsed
            ok = t.won_amount >= due - 1e-9
            line.append(_e(_("{won} of {target}, {verdict}")).format(
                won=money(t.won_amount), target=money(t.target_amount),
                verdict=_verdict(ok)))
        out.append(f"<p>{' '.join(line)}</p>")
        if t.target_amount is not None:
            out.append(charts.share_bar(t.won_amount, t.target_amount))
        if t.plan:
            out.append('<div class="scroll"><table class="plan">' + _th(PLAN_HEAD, range(1, 6))
                       + "<tbody>")
            for r in t.plan.rows:
                cls = "blocking" if r.stage == t.plan.blocking else ""
                gap = "bad" if r.gap > 1e-9 else "ok"
                out.append(
                    f'<tr class="{cls}"'
                    + data(stage=r.stage, required=round(r.required, 2),
                           required_deals=r.required_deals, actual=r.actual,
                           gap=round(r.gap, 2)) + ">"
                    f"<td>{_e(_stage_label(r, names))}</td><td class=\"n\">{r.rate:.3g}</td>"
                    f'<td class="n">{r.required:.1f}</td><td class="n">{r.required_deals}</td>'
                    f'<td class="n">{r.actual}</td>'
                    f'<td class="n gap {gap}">{r.gap:+.1f}</td></tr>')
            out.append("</tbody></table></div>")
            if t.plan.blocking:
                row = next(r for r in t.plan.rows if r.stage == t.plan.blocking)
                out.append('<p class="bad">' + _e(_(
                    "blocked at {stage}: {gap} deals short (need {need}, hold {hold})").format(
                    stage=_stage_label(row, names), gap=f"{row.gap:.1f}",
                    need=f"{row.required:.1f}", hold=row.actual)) + "</p>")
        out.append("</div>")
    return "\n".join(out)


def moves(s: Section, since, names: Names = Names()) -> str:
    out = ["<h3>" + _e(_("Since {day}").format(day=formats.day(since))) + "</h3>"]
    if s.team and s.move_kinds:
        out.append('<ul class="moves">' + "".join(
            f'<li{data(kind=kind, count=n, amount=amount)}><b>{n}</b> {_e(_move(kind))} '
            f"({money(amount)})</li>" for kind, n, amount in s.move_kinds) + "</ul>")
    elif s.moved:
        out.append('<ul class="moves">')
        for m in s.moved:
            stage = _e(names.stage(m.stage))
            if m.kind in ("advanced", "regressed"):
                detail = (f"{_e(names.stage(m.from_stage or ''))} → {stage}"
                          + (_e(_(" (forced)")) if m.forced else ""))
            elif m.kind == "lost":
                detail = _e(_("at {stage}: {reason}")).format(
                    stage=stage, reason=_e(names.reason(str(m.reason)))) + (
                    _e(_(", to {competitor}")).format(competitor=_e(m.competitor))
                    if m.competitor else "")
            elif m.kind == "inflow":
                detail = _e(_("new at {stage}")).format(stage=stage)
            else:
                detail = ""
            out.append(f'<li class="m-{m.kind}"{data(kind=m.kind, deal=m.deal)}>'
                       f"{formats.day(m.date)} <b>{_e(_move(m.kind))}</b> {_e(m.deal)} "
                       f"({_e(m.account)}, {money(m.amount)}) {detail}</li>")
        out.append("</ul>")
        if s.more_moved:
            out.append("<p>" + _e(_("… and {n} more (review --json has them all)").format(
                n=s.more_moved)) + "</p>")
    else:
        out.append('<p class="quiet">' + _e(_("Nothing moved since {day}.").format(
            day=formats.day(since))) + "</p>")
    return "\n".join(out)


def _severity(w: Warning) -> str:
    return "bad" if w.severity >= 4 else "warn" if w.severity >= 2 else ""


WARNED_HEAD = [N_("deal"), N_("owner"), N_("stage"), N_("amount"), N_("warnings")]


def warnings(s: Section, names: Names = Names()) -> str:
    """Each deal's warnings on one row (the team's largest deals only)."""
    head = _e(_("Largest warnings") if s.team else _("Warnings"))
    counts = data(warnings=s.warnings, warned_deals=s.warned_deals)
    snoozed = _e(_(" ({n} snoozed on purpose)").format(n=s.snoozed)) if s.snoozed else ""
    if not s.warned:
        none = _e(_("none"))
        return f'<h3>{head}</h3><p class="quiet warned"{counts}>{none}{snoozed}</p>'

    out = [f"<h3>{head}</h3>", '<div class="scroll"><table class="warnings">'
           + _th(WARNED_HEAD, range(3, 4)) + "<tbody>"]
    for ws in s.warned:
        w0 = ws[0]
        why = " · ".join(f'<span class="{_severity(w)}" title="{_e(w.message)}">'
                         f"{_e(w.short)}</span>" for w in ws)
        out.append("<tr" + data(deal=w0.deal, kinds=" ".join(w.kind for w in ws),
                                amount=w0.amount) + ">"
                   f"<td>{_e(w0.deal)}</td><td>{_e(w0.owner)}</td>"
                   f"<td>{_e(names.stage(w0.stage))}</td>"
                   f'<td class="n">{money(w0.amount)}</td><td>{why}</td></tr>')
    out.append("</tbody></table></div>")
    out.append(f'<p class="warned"{counts}>' + _e(_("{warnings} on {deals}").format(
        warnings=nformat("{n} warning", "{n} warnings", s.warnings),
        deals=nformat("{n} deal", "{n} deals", s.warned_deals))) + f"{snoozed}</p>")
    return "\n".join(out)


def questions(s: Section) -> str:
    head = "<h3>" + _e(_("Questions to ask")) + "</h3>"
    if not s.questions:
        return head + '<p class="quiet">' + _e(_("none")) + "</p>"
    return (head + '<ul class="questions">' + "".join(
        f'<li{data(deal=q.deal, kind=q.kind)}><b>{_e(q.deal)}</b> ({_e(q.account)}): '
        f"{_e(q.text)}</li>" for q in s.questions) + "</ul>")


def _date(value) -> str:
    return formats.day(value) if isinstance(value, dt.date) else str(value)


def _waivers(waivers: list[dict], names: Names = Names()) -> str:
    return ('<section id="waivers"><h2>' + _e(_("Waivers (forced moves)")) + "</h2><ul>"
            + "".join(
                f'<li{data(deal=w["deal"], stage=w["stage"])}>{_e(_date(w["date"]))} '
                f'<b>{_e(w["deal"])}</b> ({_e(w["owner"])}) → {_e(names.stage(w["stage"]))}: '
                f'{_e(str(w["reason"]))} ' + _e(_("(waived: {items})").format(
                    items=", ".join(names.waived(x) for x in w["waived"]))) + "</li>"
                for w in waivers) + "</ul></section>")


LEADER_HEAD = [N_("owner"), N_("signed"), N_("target"), N_("amount"), N_("target amount")]


def leaderboard(leaders: list[Leader], period: str) -> str:
    head = "".join(f'<th class="n">{_e(_(w))}</th>' for w in LEADER_HEAD[1:])
    out = ['<section id="leaderboard"><h2>' + _e(_("Leaderboard {period}").format(
        period=formats.period(period))) + "</h2>",
           '<div class="scroll"><table class="leaders"><thead><tr><th class="n">#</th>'
           f"<th>{_e(_(LEADER_HEAD[0]))}</th>{head}<th></th></tr></thead><tbody>"]
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
    out = ['<section id="trend"><h2>' + _e(_("Trend")) + "</h2>"]
    if len(t.points) < 2:
        note = t.note or _("no weekly snapshot to compare")
        out.append(f'<p class="note">{_e(note)}</p>')
        out.append("</section>")
        return "\n".join(out)
    out.append('<p class="sub">' + _e(_("Open deals per stage at the start of each week, as "
                                         "git held the deal files then, and now.")) + "</p>")
    out.append(f'<div class="scroll">{charts.trend_chart(t.points)}</div>')
    out.append('<p class="legend">' + " ".join(
        f'<i class="key s{i % charts.STAGE_COLOURS}"></i> {_e(i18n.label(s))}'
        for i, s in enumerate(p.stages)) + "</p>")
    out.append('<div class="scroll"><table class="trend-table"><thead><tr><th>'
               + _e(_("week")) + "</th>"
               + "".join(f'<th class="n">{_e(i18n.label(s))}</th>' for s in p.stages)
               + "".join(f'<th class="n">{_e(_(w))}</th>'
                         for w in (N_("open"), N_("amount"), N_("weighted")))
               + "</tr></thead><tbody>")
    now = _e(_("now"))
    for pt in t.points:
        day = now if pt.now else formats.day(pt.day)
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
