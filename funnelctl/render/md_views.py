"""The funnel and the stall warnings as Markdown (``funnel --format md``, ``stalls
--format md``), for meeting notes, as ``render.markdown`` writes the review: the
rows the terminal shows, as tables a wiki or a chat renders.

Every piece of data passes ``md`` (``render.safe``): control characters shown, and
Markdown's own syntax escaped, so that a title shows as it is written, never as a
link, an HTML tag or a table's column."""

from __future__ import annotations

from funnelctl import i18n
from funnelctl.analysis.funnel import Funnel
from funnelctl.analysis.stalls import Stalls, named
from funnelctl.i18n import N_, _, formats, nformat
from funnelctl.render.rep import money, money_of
from funnelctl.render.safe import md
from funnelctl.render.views import pct, warnings_on

LATE_SHOWN = 6  # deals named after "late entries", as on the terminal

FUNNEL_HEADS = (N_("stage"), N_("deals"), N_("benchmark"), N_("amount"), N_("weighted"),
                N_("conversion obs/cfg"))
STALLS_HEADS = (N_("deal"), N_("owner"), N_("stage"), N_("amount"), N_("warnings"))
# the funnel's diagnoses in notes (their kind in words; a kind not named: its id so)
DIAGNOSIS = {"bulge": N_("bulge"), "narrow": N_("narrow"), "thin_top": N_("thin top"),
             "late_entries": N_("late entries"), "late_entry_rep": N_("late entry rep"),
             "empty": N_("empty"), "clean": N_("clean")}
# a warning's kind in notes: its id in English (as ``--json`` has it), words in another
WARNING_KIND = {"judge": N_("judge"), "stalled": N_("stalled"),
                "no_progress": N_("no progress"), "next_overdue": N_("next step overdue"),
                "follow_up": N_("follow up"), "recheck": N_("re-check"),
                "no_next_step": N_("no next step")}


def diagnosis_name(kind: str) -> str:
    return _(DIAGNOSIS[kind]) if kind in DIAGNOSIS else kind.replace("_", " ")


def warning_kinds() -> dict[str, str]:
    """Each kind of warning as the notes name it: ``no_progress`` (English: the id, as
    ever), ``无进展``."""
    if i18n.current() == i18n.DEFAULT:
        return {}
    return {k: _(v) for k, v in WARNING_KIND.items()}


def table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A table of data: every cell is escaped here (a ``|`` would start a column)."""
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _h in head) + "|"]
    out += ["| " + " | ".join(md(str(c)) for c in r) + " |" for r in rows]
    return out


def _lines(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


def funnel_lines(f: Funnel) -> list[str]:
    """The funnel's table and its diagnosis."""
    out = table([_(h) for h in FUNNEL_HEADS],
                [[s.name or s.label, str(s.count), f"{s.benchmark:.1f}", money(s.amount),
                  money(s.weighted), f"{pct(s.observed)}/{pct(s.conversion)}"]
                 for s in f.stages])
    out.append("")
    for d in f.diagnosis:
        line = f"- **{diagnosis_name(d.kind)}**: {md(d.message)}"
        if d.kind == "late_entries" and d.deals:
            line += f" ({', '.join(map(md, d.deals[:LATE_SHOWN]))}" + (
                " …)" if len(d.deals) > LATE_SHOWN else ")")
        out.append(line)
    return out


def funnel_page(today, funnels: dict[str | None, Funnel]) -> str:
    """``# Funnel`` and the funnel; with one per owner (``--by owner``), a section each."""
    out = ["# " + _("Funnel {today}").format(today=formats.day(today)), ""]
    for owner, f in funnels.items():
        if owner is not None:
            out += [f"## {md(owner)}", ""]
        out += funnel_lines(f)
        out.append("")
    return _lines(out[:-1])


def stalls_lines(s: Stalls, limit: int | None, level: int = 2) -> list[str]:
    """One row per deal, its warnings together, worst and largest deals first; the
    deals snoozed on purpose after them."""
    english = i18n.current() == i18n.DEFAULT  # a stage by its id, else by its label
    if not s.warnings:
        out = [_("No warnings: every open deal moved, was followed up and has a next step.")]
    else:
        shown, n_deals = s.grouped(limit)
        cash = money_of()
        out = table([_(h) for h in STALLS_HEADS],
                    [[ws[0].deal, ws[0].owner,
                      ws[0].stage if english else named(ws[0].at), cash(ws[0].amount),
                      " · ".join(w.short for w in ws)] for ws in shown])
        out.append("")
        if limit is not None and n_deals > limit:
            out += [nformat("… and {n} more deal ({more})", "… and {n} more deals ({more})",
                            n_deals - limit, more=_("--all shows them")), ""]
        out.append(warnings_on(len(s.warnings), n_deals))
    if s.snoozed:
        out += ["", f"{'#' * level} " + _("Snoozed on purpose"), ""]
        out += ["- " + _("{deal} ({owner}, {stage}) until {day}: {reason}").format(
            deal=md(z.deal), owner=md(z.owner),
            stage=md(z.stage if english or z.at is None else named(z.at)),
            day=formats.day(z.until), reason=md(z.reason)) for z in s.snoozed]
    return out


def stalls_page(today, views: dict[str | None, Stalls], limit: int | None) -> str:
    """``# Stalls`` and the warnings; with one view per owner, a section each."""
    out = ["# " + _("Stalls {today}").format(today=formats.day(today)), ""]
    for owner, s in views.items():
        if owner is not None:
            out += [f"## {md(owner)}", ""]
        out += stalls_lines(s, limit, 3 if owner is not None else 2)
        out.append("")
    return _lines(out[:-1])
