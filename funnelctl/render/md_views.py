"""The funnel and the stall warnings as Markdown (``funnel --format md``, ``stalls
--format md``), for meeting notes, as ``render.markdown`` writes the review: the
rows the terminal shows, as tables a wiki or a chat renders.

Every piece of data passes ``md`` (``render.safe``): control characters shown, and
Markdown's own syntax escaped, so that a title shows as it is written, never as a
link, an HTML tag or a table's column."""

from __future__ import annotations

from funnelctl.analysis.funnel import Funnel
from funnelctl.analysis.stalls import Stalls
from funnelctl.render.rep import money
from funnelctl.render.safe import md
from funnelctl.render.views import pct

LATE_SHOWN = 6  # deals named after "late entries", as on the terminal


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A table of data: every cell is escaped here (a ``|`` would start a column)."""
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(md(str(c)) for c in r) + " |" for r in rows]
    return out


def _lines(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


def funnel_lines(f: Funnel) -> list[str]:
    """The funnel's table and its diagnosis."""
    out = table(["stage", "deals", "benchmark", "amount", "weighted", "conversion obs/cfg"],
                [[s.label, str(s.count), f"{s.benchmark:.1f}", money(s.amount),
                  money(s.weighted), f"{pct(s.observed)}/{pct(s.conversion)}"]
                 for s in f.stages])
    out.append("")
    for d in f.diagnosis:
        line = f"- **{d.kind.replace('_', ' ')}**: {md(d.message)}"
        if d.kind == "late_entries" and d.deals:
            line += f" ({', '.join(map(md, d.deals[:LATE_SHOWN]))}" + (
                " …)" if len(d.deals) > LATE_SHOWN else ")")
        out.append(line)
    return out


def funnel_page(today, funnels: dict[str | None, Funnel]) -> str:
    """``# Funnel`` and the funnel; with one per owner (``--by owner``), a section each."""
    out = [f"# Funnel {today}", ""]
    for owner, f in funnels.items():
        if owner is not None:
            out += [f"## {md(owner)}", ""]
        out += funnel_lines(f)
        out.append("")
    return _lines(out[:-1])


def stalls_lines(s: Stalls, limit: int | None, level: int = 2) -> list[str]:
    """One row per deal, its warnings together, worst and largest deals first; the
    deals snoozed on purpose after them."""
    if not s.warnings:
        out = ["No warnings: every open deal moved, was followed up and has a next step."]
    else:
        shown, n_deals = s.grouped(limit)
        out = table(["deal", "owner", "stage", "amount", "warnings"],
                    [[ws[0].deal, ws[0].owner, ws[0].stage, money(ws[0].amount),
                      " · ".join(w.short for w in ws)] for ws in shown])
        out.append("")
        if limit is not None and n_deals > limit:
            out += [f"… and {n_deals - limit} more deals (--all shows them)", ""]
        out.append(f"{len(s.warnings)} warnings on {n_deals} deals")
    if s.snoozed:
        out += ["", f"{'#' * level} Snoozed on purpose", ""]
        out += [f"- {md(z.deal)} ({md(z.owner)}, {md(z.stage)}) until {z.until}: "
                f"{md(z.reason)}" for z in s.snoozed]
    return out


def stalls_page(today, views: dict[str | None, Stalls], limit: int | None) -> str:
    """``# Stalls`` and the warnings; with one view per owner, a section each."""
    out = [f"# Stalls {today}", ""]
    for owner, s in views.items():
        if owner is not None:
            out += [f"## {md(owner)}", ""]
        out += stalls_lines(s, limit, 3 if owner is not None else 2)
        out.append("")
    return _lines(out[:-1])
