"""The movement since a revision (``review --since-ref``) as text and as Markdown: a
rep's part after his section of the review, and the team's part at the end with
the forecast of a review tag against what was signed since; and the readable
text of a review tag's message (``review --tag``).

Every piece of data passes ``safe`` (text) or ``md`` (Markdown)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from funnelctl.analysis.movement import (
    ForecastCheck,
    Movement,
    Shift,
    Snapshot,
    tally,
)
from funnelctl.pipeline import Pipeline
from funnelctl.render.lines import Col, buffered, rule, table
from funnelctl.render.rep import money
from funnelctl.render.safe import md, safe

LABELS = {"won": "won", "lost": "lost", "advanced": "advanced", "regressed": "regressed",
          "reopened": "reopened", "new": "new", "pushed": "close pushed", "cut": "amount cut",
          "owner": "owner changed", "deleted": "deleted"}
STYLES = {"won": "green", "lost": "red", "regressed": "yellow", "pushed": "yellow",
          "cut": "yellow", "deleted": "red"}


def ref_label(mv: Movement) -> str:
    """The revision as the user named it, with its commit and day."""
    short = mv.commit[:7]
    when = f", {mv.date}" if mv.date else ""
    if mv.ref == mv.commit:
        return f"{short}{when}"
    return f"{mv.ref} ({short}{when})"


def _detail(s: Shift, p: Pipeline, esc) -> str:
    """What changed, in words; ``esc`` makes data safe for the format."""
    k = s.kind
    if k in ("advanced", "regressed"):
        return f"{esc(p.label(s.before))} -> {esc(p.label(s.after))}"
    if k == "won":
        return " ".join(([f"from {esc(p.label(s.before))}"] if s.before else [])
                        + ([f"on {s.after}"] if s.after else []))
    if k == "lost":
        out = f"at {esc(p.label(s.after))}: {esc(str(s.reason))}"
        return out + (f", to {esc(s.competitor)}" if s.competitor else "")
    if k == "reopened":
        return f"was {esc(s.before)}, now at {esc(p.label(s.after))}"
    if k == "new":
        return f"at {esc(p.label(s.after))}"
    if k == "pushed":
        return f"close {s.before} -> {s.after}"
    if k == "cut":
        return f"amount {money(s.before)} -> {money(s.after)}"
    if k == "owner":
        return f"{esc(s.before)} -> {esc(s.after)}"
    return f"{esc(s.path)}, was at {esc(p.label(s.before))}"


def _counts(shifts: list[Shift]) -> str:
    return ", ".join(f"{n} {LABELS[k]} ({money(v)})" for k, n, v in tally(shifts))


# -- text ---------------------------------------------------------------------------


def _shift_lines(con, shifts: list[Shift], p: Pipeline, indent: str = "  ") -> None:
    for s in shifts:
        line = Text(indent)
        line.append(f"{LABELS[s.kind]:<13}", style=STYLES.get(s.kind, ""))
        line.append(f" {safe(s.deal)} ({safe(s.account)}, {money(s.amount)}) "
                    f"{_detail(s, p, safe)}")
        con.print(line)


@buffered
def rep_movement(con: Console, shifts: list[Shift], mv: Movement, p: Pipeline) -> None:
    """A rep's movement, printed after his section of the review."""
    if not shifts:
        con.print(f"No deal changed since {safe(ref_label(mv))}.", markup=False)
        return
    con.print(Text(f"Since {safe(ref_label(mv))}: ", style="bold").append(
        _counts(shifts), style=""))
    _shift_lines(con, shifts, p)


@buffered
def movement_end(con: Console, mv: Movement, shown: set[str], p: Pipeline) -> None:
    """The team's movement: its counts, the reps whose deals moved but who have no
    section of their own (``shown``: the reps that have one), the files not
    compared, and a review tag's forecast against what was signed since."""
    con.print(rule(f"since {ref_label(mv)}", con.width))
    shifts = mv.shifts
    if shifts:
        con.print(Text("Team: ", style="bold").append(_counts(shifts), style=""))
    else:
        con.print(f"No deal changed since {safe(ref_label(mv))}.", markup=False)
    for owner, ss in mv.reps.items():
        if owner not in shown:
            con.print(Text(f"{safe(owner)} (holds no deal now):", style="bold"))
            _shift_lines(con, ss, p, "    ")
    if mv.unreadable:
        con.print(Text("Changed files not compared:", style="bold"))
        for line in mv.unreadable:
            con.print(f"  {safe(line)}", markup=False)
    if mv.forecast is not None:
        forecast_check(con, mv.forecast, mv.ref)


def _pair(deals: float, amount: float, digits: int = 1) -> str:
    return f"{deals:,.{digits}f} / {money(amount)}"


@buffered
def forecast_check(con: Console, fc: ForecastCheck, ref: str) -> None:
    cols = [Col("owner"), *(Col(h, "right") for h in (
        "forecast", "signed by the tag", "to come", "signed since"))]
    rows: list[list] = [
        [Text(safe(e.owner), style="bold" if e is fc.team else ""),
         _pair(e.expected_deals, e.expected_amount),
         _pair(e.signed_before_deals, e.signed_before_amount, 0),
         _pair(e.to_come_deals, e.to_come_amount),
         _pair(e.signed_deals, e.signed_amount, 0)]
        for e in [*fc.reps, fc.team]]
    con.lines(table(cols, rows, con.width,
                    title=f"Forecast of {ref} for {fc.period} against what was signed "
                          f"since (deals / amount)"))
    if fc.outside:
        con.print(f"  ({fc.outside} more signed since, dated outside {fc.period})",
                  markup=False)


# -- Markdown -----------------------------------------------------------------------


def _md_shifts(shifts: list[Shift], p: Pipeline) -> list[str]:
    return [f"- **{LABELS[s.kind]}** {md(s.deal)} ({md(s.account)}, {money(s.amount)}) "
            f"{_detail(s, p, md)}" for s in shifts]


def _lines(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


def rep_movement_md(shifts: list[Shift], mv: Movement, p: Pipeline) -> str:
    out = [f"### Since {md(ref_label(mv))}", ""]
    if shifts:
        out += [f"{_counts(shifts)}.", "", *_md_shifts(shifts, p)]
    else:
        out.append("- no deal changed")
    return _lines([*out, ""])


def movement_end_md(mv: Movement, shown: set[str], p: Pipeline) -> str:
    out = ["", f"## Since {md(ref_label(mv))}", ""]
    shifts = mv.shifts
    out.append(f"Team: {_counts(shifts)}." if shifts else "No deal changed.")
    out.append("")
    for owner, ss in mv.reps.items():
        if owner not in shown:
            out += [f"### {md(owner)} (holds no deal now)", "", *_md_shifts(ss, p), ""]
    if mv.unreadable:
        out += ["### Changed files not compared", ""]
        out += [f"- {md(line)}" for line in mv.unreadable]
        out.append("")
    fc = mv.forecast
    if fc is not None:
        out += [f"### Forecast of {md(mv.ref)} for {fc.period} against what was signed since",
                "", "| owner | forecast | signed by the tag | to come | signed since |",
                "|---|---|---|---|---|"]
        out += [f"| {md(e.owner)} | {_pair(e.expected_deals, e.expected_amount)} | "
                f"{_pair(e.signed_before_deals, e.signed_before_amount, 0)} | "
                f"{_pair(e.to_come_deals, e.to_come_amount)} | "
                f"{_pair(e.signed_deals, e.signed_amount, 0)} |"
                for e in [*fc.reps, fc.team]]
        if fc.outside:
            out.append(f"\n({fc.outside} more signed since, dated outside {fc.period})")
        out.append("")
    return _lines(out)


# -- the review tag -----------------------------------------------------------------


def tag_text(snap: Snapshot, p: Pipeline) -> str:
    """The readable part of a review tag's message: the period's forecast per rep and
    for the team, and the open pipeline per stage."""
    f = snap.forecast
    cur = snap.currency
    out = [f"Weekly review {snap.date}: forecast for {f.period}", "",
           f"Forecast for {f.period} on {snap.date} (expected: stage probability x amount "
           f"of the open deals due to close in the period, plus what is signed; {cur}):"]
    cols = [Col("owner"), *(Col(h, "right") for h in (
        "expected deals", "expected amount", "signed", "signed amount", "open deals"))]
    rows: list[list] = [[safe(x.owner), f"{x.expected_deals:.2f}", money(x.expected_amount),
                         str(x.won_deals), money(x.won_amount), str(x.open_deals)]
                        for x in [*f.owners, f.total]]
    rows[-1][0] = "team"
    out += ["  " + _plain(line) for line in table(cols, rows, 200)]
    out += ["", f"Open pipeline per stage ({cur}):"]
    cols = [Col("stage"), *(Col(h, "right") for h in ("deals", "amount", "weighted"))]
    rows = [[safe(s.label), str(s.deals), money(s.amount), money(s.weighted)]
            for s in snap.pipeline]
    out += ["  " + _plain(line) for line in table(cols, rows, 200)]
    return "\n".join(out) + "\n"


def _plain(line) -> str:
    return line if isinstance(line, str) else line.plain
