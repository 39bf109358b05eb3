"""The report's charts as inline SVG, drawn here from numbers: no script, no library,
nothing fetched when the page is viewed. Text in a chart (a date, a count) is ours,
never data; the labels beside the charts are HTML (``render.html``)."""

from __future__ import annotations

from html import escape

from funnelctl.analysis.funnel import StageRow
from funnelctl.analysis.trend import Point
from funnelctl.i18n import _, formats

BAR_W = 200  # a funnel bar's drawing width; the SVG stretches to its box
BAR_H = 16
STAGE_COLOURS = 8  # classes s0 .. s7 in the page's style, cycled over the stages


def _n(x: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _centred(width: float, cls: str) -> str:
    return (f'<rect class="{cls}" x="{_n((BAR_W - width) / 2)}" y="0" width="{_n(width)}" '
            f'height="{BAR_H}"/>')


def funnel_bar(count: float, bench: float, top: float) -> str:
    """One stage's bar, centred as the terminal's: the deals it holds (``deals``),
    the benchmark they fall short of (``bench``), the deals beyond it (``over``)."""
    a = BAR_W * count / top if top else 0.0
    b = BAR_W * bench / top if top else 0.0
    if count and a < 2:
        a = 2.0  # a deal is always visible
    parts = []
    if b > a:
        parts.append(_centred(b, "bench"))
    if a > b:
        parts.append(_centred(a, "over"))
    if min(a, b) > 0:
        parts.append(_centred(min(a, b), "deals"))
    return (f'<svg class="bar" viewBox="0 0 {BAR_W} {BAR_H}" preserveAspectRatio="none" '
            f'aria-hidden="true">{"".join(parts)}</svg>')


def funnel_bars(rows: list[StageRow]) -> list[str]:
    """The bars of a funnel's stages, on one scale."""
    top = max([*(r.count for r in rows), *(r.benchmark for r in rows), 1])
    return [funnel_bar(r.count, r.benchmark, top) for r in rows]


def share_bar(have: float, target: float) -> str:
    """Progress towards a target: the share reached, a mark at the target."""
    top = max(have, target, 1e-9)
    w = BAR_W * have / top
    t = BAR_W * target / top
    return (f'<svg class="bar" viewBox="0 0 {BAR_W} {BAR_H}" preserveAspectRatio="none" '
            f'aria-hidden="true"><rect class="bench" x="0" y="0" width="{_n(t)}" '
            f'height="{BAR_H}"/><rect class="{"deals" if have >= target else "short"}" x="0" '
            f'y="3" width="{_n(w)}" height="{BAR_H - 6}"/></svg>')


TREND_COL = 56  # a week's column and the gap after it
TREND_H = 180  # the plot's height
TREND_TOP = 22  # room for the totals above the columns
TREND_FOOT = 34  # room for the dates below


def trend_chart(points: list[Point]) -> str:
    """Stacked columns, one per point: each stage's open deals in its colour (the
    first stage at the bottom), the total above, the day below."""
    top = max([pt.open_deals for pt in points] + [1])
    now = escape(_("now"))
    title = escape(_("open deals per stage, week by week"))
    width = TREND_COL * len(points) + 16
    height = TREND_TOP + TREND_H + TREND_FOOT
    out = [f'<svg class="trend" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{title}" width="{width}" height="{height}">',
           f'<line class="axis" x1="8" y1="{TREND_TOP + TREND_H}" x2="{width - 8}" '
           f'y2="{TREND_TOP + TREND_H}"/>']
    for i, pt in enumerate(points):
        x = 16 + i * TREND_COL
        y = TREND_TOP + TREND_H
        for s, n in enumerate(pt.counts):
            if not n:
                continue
            h = TREND_H * n / top
            y -= h
            out.append(f'<rect class="s{s % STAGE_COLOURS}" x="{x}" y="{_n(y)}" '
                       f'width="{TREND_COL - 16}" height="{_n(h)}"><title>{n}</title></rect>')
        mid = x + (TREND_COL - 16) / 2
        out.append(f'<text class="total" x="{_n(mid)}" y="{_n(y - 5)}">{pt.open_deals}</text>')
        label = now if pt.now else formats.month_day(pt.day)
        out.append(f'<text class="day" x="{_n(mid)}" y="{TREND_TOP + TREND_H + 16}">'
                   f'{label}</text>')
        if not pt.now:
            out.append(f'<text class="year" x="{_n(mid)}" y="{TREND_TOP + TREND_H + 29}">'
                       f'{pt.day.year}</text>')
    out.append("</svg>")
    return "".join(out)
