"""The movement since a revision (``review --since-ref``) as text and as Markdown: a
rep's part after his section of the review, and the team's part at the end with
the forecast of a review tag against what was signed since; and the readable
text of a review tag's message (``review --tag``).

Every piece of data passes ``safe`` (text) or ``md`` (Markdown); every word the
message catalog; stages by their labels in the active language, dates, months and
amounts as ``i18n.formats`` writes them."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from funnelctl.analysis.movement import (
    ForecastCheck,
    Movement,
    Shift,
    Snapshot,
    tally,
)
from funnelctl.i18n import N_, _, formats
from funnelctl.pipeline import Pipeline
from funnelctl.render.history import Names, status
from funnelctl.render.lines import Col, buffered, rule, table
from funnelctl.render.safe import md, safe

money = formats.money

# the kinds of movement, as a review names them (translated when shown)
LABELS = {"won": N_("won"), "lost": N_("lost"), "advanced": N_("advanced"),
          "regressed": N_("regressed"), "reopened": N_("reopened"), "new": N_("new"),
          "pushed": N_("close pushed"), "cut": N_("amount cut"), "owner": N_("owner changed"),
          "deleted": N_("deleted")}
STYLES = {"won": "green", "lost": "red", "regressed": "yellow", "pushed": "yellow",
          "cut": "yellow", "deleted": "red"}


def ref_label(mv: Movement) -> str:
    """The revision as the user named it, with its commit and day."""
    short = mv.commit[:7]
    when = f", {formats.day(mv.date)}" if mv.date else ""
    if mv.ref == mv.commit:
        return f"{short}{when}"
    return f"{mv.ref} ({short}{when})"


def _detail(s: Shift, p: Pipeline, esc) -> str:
    """What changed, in words; ``esc`` makes data safe for the format."""
    k = s.kind
    names = Names(p)

    def stage(x: str) -> str:
        return esc(names.label("stage", x))

    if k in ("advanced", "regressed"):
        return f"{stage(s.before)} -> {stage(s.after)}"
    if k == "won":
        return " ".join(([_("from {stage}").format(stage=stage(s.before))] if s.before else [])
                        + ([_("on {day}").format(day=formats.day(s.after))] if s.after
                           else []))
    if k == "lost":
        out = _("at {stage}: {reason}").format(stage=stage(s.after),
                                               reason=esc(names.reason(str(s.reason))))
        return out + (_(", to {competitor}").format(competitor=esc(s.competitor))
                      if s.competitor else "")
    if k == "reopened":
        return _("was {status}, now at {stage}").format(status=esc(status(s.before)),
                                                         stage=stage(s.after))
    if k == "new":
        return _("at {stage}").format(stage=stage(s.after))
    if k == "pushed":
        return _("close {was} -> {now}").format(was=formats.day(s.before),
                                                now=formats.day(s.after))
    if k == "cut":
        return _("amount {was} -> {now}").format(was=money(s.before), now=money(s.after))
    if k == "owner":
        return f"{esc(s.before)} -> {esc(s.after)}"
    return _("{path}, was at {stage}").format(path=esc(s.path), stage=stage(s.before))


def _counts(shifts: list[Shift]) -> str:
    return _(", ").join(_("{n} {kind} ({amount})").format(n=n, kind=_(LABELS[k]),
                                                         amount=money(v))
                        for k, n, v in tally(shifts))


def _labels() -> tuple[dict[str, str], int]:
    """The kinds' names in the active language, and the width of the widest."""
    shown = {k: _(v) for k, v in LABELS.items()}
    return shown, max(13, *map(cell_len, shown.values()))


# -- text ---------------------------------------------------------------------------


def _shift_lines(con, shifts: list[Shift], p: Pipeline, indent: str = "  ") -> None:
    shown, width = _labels()
    for s in shifts:
        line = Text(indent)
        label = shown[s.kind]
        line.append(label + " " * (width - cell_len(label)), style=STYLES.get(s.kind, ""))
        line.append(f" {safe(s.deal)} ({safe(s.account)}, {money(s.amount)}) "
                    f"{_detail(s, p, safe)}")
        con.print(line)


@buffered
def rep_movement(con: Console, shifts: list[Shift], mv: Movement, p: Pipeline) -> None:
    """A rep's movement, printed after his section of the review."""
    if not shifts:
        con.print(_("No deal changed since {ref}.").format(ref=safe(ref_label(mv))),
                  markup=False)
        return
    con.print(Text(_("Since {ref}: ").format(ref=safe(ref_label(mv))), style="bold").append(
        _counts(shifts), style=""))
    _shift_lines(con, shifts, p)


@buffered
def movement_end(con: Console, mv: Movement, shown: set[str], p: Pipeline) -> None:
    """The team's movement: its counts, the reps whose deals moved but who have no
    section of their own (``shown``: the reps that have one), the files not
    compared, and a review tag's forecast against what was signed since."""
    con.print(rule(_("since {ref}").format(ref=ref_label(mv)), con.width))
    shifts = mv.shifts
    if shifts:
        con.print(Text(_("Team: "), style="bold").append(_counts(shifts), style=""))
    else:
        con.print(_("No deal changed since {ref}.").format(ref=safe(ref_label(mv))),
                  markup=False)
    for owner, ss in mv.reps.items():
        if owner not in shown:
            con.print(Text(_("{owner} (holds no deal now):").format(owner=safe(owner)),
                           style="bold"))
            _shift_lines(con, ss, p, "    ")
    if mv.unreadable:
        con.print(Text(_("Changed files not compared:"), style="bold"))
        for line in mv.unreadable:
            con.print(f"  {safe(line)}", markup=False)
    if mv.forecast is not None:
        forecast_check(con, mv.forecast, mv.ref)


def _pair(deals: float, amount: float, digits: int = 1) -> str:
    return f"{deals:,.{digits}f} / {money(amount)}"


CHECK_HEAD = [N_("owner"), N_("forecast"), N_("signed by the tag"), N_("to come"),
              N_("signed since")]


def _owner(e, fc: ForecastCheck) -> str:
    return _("team") if e is fc.team else e.owner


def _outside(fc: ForecastCheck) -> str:
    return _("({n} more signed since, dated outside {period})").format(
        n=fc.outside, period=formats.period(fc.period))


@buffered
def forecast_check(con: Console, fc: ForecastCheck, ref: str) -> None:
    head = [_(h) for h in CHECK_HEAD]
    cols = [Col(head[0]), *(Col(h, "right") for h in head[1:])]
    rows: list[list] = [
        [Text(safe(_owner(e, fc)), style="bold" if e is fc.team else ""),
         _pair(e.expected_deals, e.expected_amount),
         _pair(e.signed_before_deals, e.signed_before_amount, 0),
         _pair(e.to_come_deals, e.to_come_amount),
         _pair(e.signed_deals, e.signed_amount, 0)]
        for e in [*fc.reps, fc.team]]
    con.lines(table(cols, rows, con.width,
                    title=_("Forecast of {ref} for {period} against what was signed since "
                            "(deals / amount)").format(ref=ref,
                                                       period=formats.period(fc.period))))
    if fc.outside:
        con.print(f"  {_outside(fc)}", markup=False)


# -- Markdown -----------------------------------------------------------------------


def _md_shifts(shifts: list[Shift], p: Pipeline) -> list[str]:
    shown = {k: _(v) for k, v in LABELS.items()}
    return [f"- **{shown[s.kind]}** {md(s.deal)} ({md(s.account)}, {money(s.amount)}) "
            f"{_detail(s, p, md)}" for s in shifts]


def _lines(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


def rep_movement_md(shifts: list[Shift], mv: Movement, p: Pipeline) -> str:
    out = ["### " + _("Since {ref}").format(ref=md(ref_label(mv))), ""]
    if shifts:
        out += [_("{counts}.").format(counts=_counts(shifts)), "", *_md_shifts(shifts, p)]
    else:
        out.append("- " + _("no deal changed"))
    return _lines([*out, ""])


def movement_end_md(mv: Movement, shown: set[str], p: Pipeline) -> str:
    out = ["", "## " + _("Since {ref}").format(ref=md(ref_label(mv))), ""]
    shifts = mv.shifts
    out.append(_("Team: {counts}.").format(counts=_counts(shifts)) if shifts
               else _("No deal changed."))
    out.append("")
    for owner, ss in mv.reps.items():
        if owner not in shown:
            out += ["### " + _("{owner} (holds no deal now)").format(owner=md(owner)), "",
                    *_md_shifts(ss, p), ""]
    if mv.unreadable:
        out += ["### " + _("Changed files not compared"), ""]
        out += [f"- {md(line)}" for line in mv.unreadable]
        out.append("")
    fc = mv.forecast
    if fc is not None:
        out += ["### " + _("Forecast of {ref} for {period} against what was signed since"
                           ).format(ref=md(mv.ref), period=formats.period(fc.period)),
                "", "| " + " | ".join(_(h) for h in CHECK_HEAD) + " |",
                "|---|---|---|---|---|"]
        out += [f"| {md(_owner(e, fc))} | {_pair(e.expected_deals, e.expected_amount)} | "
                f"{_pair(e.signed_before_deals, e.signed_before_amount, 0)} | "
                f"{_pair(e.to_come_deals, e.to_come_amount)} | "
                f"{_pair(e.signed_deals, e.signed_amount, 0)} |"
                for e in [*fc.reps, fc.team]]
        if fc.outside:
            out.append(f"\n{_outside(fc)}")
        out.append("")
    return _lines(out)


# -- the review tag -----------------------------------------------------------------


TAG_HEAD = [N_("owner"), N_("expected deals"), N_("expected amount"), N_("signed"),
            N_("signed amount"), N_("open deals")]
LOAD_HEAD = [N_("stage"), N_("deals"), N_("amount"), N_("weighted")]


def tag_text(snap: Snapshot, p: Pipeline) -> str:
    """The readable part of a review tag's message: the period's forecast per rep and
    for the team, and the open pipeline per stage."""
    f = snap.forecast
    cur = snap.currency
    day, period = formats.day(snap.date), formats.period(f.period)
    out = [_("Weekly review {day}: forecast for {period}").format(day=day, period=period), "",
           _("Forecast for {period} on {day} (expected: stage probability x amount of the "
             "open deals due to close in the period, plus what is signed; {currency}):"
             ).format(period=period, day=day, currency=cur)]
    head = [_(h) for h in TAG_HEAD]
    cols = [Col(head[0]), *(Col(h, "right") for h in head[1:])]
    rows: list[list] = [[safe(x.owner), f"{x.expected_deals:.2f}", money(x.expected_amount),
                         str(x.won_deals), money(x.won_amount), str(x.open_deals)]
                        for x in [*f.owners, f.total]]
    rows[-1][0] = _("team")
    out += ["  " + _plain(line) for line in table(cols, rows, 200)]
    out += ["", _("Open pipeline per stage ({currency}):").format(currency=cur)]
    head = [_(h) for h in LOAD_HEAD]
    cols = [Col(head[0]), *(Col(h, "right") for h in head[1:])]
    names = Names(p)
    rows = [[safe(names.label("stage", s.stage) if p.stage(s.stage) else s.label),
             str(s.deals), money(s.amount), money(s.weighted)] for s in snap.pipeline]
    out += ["  " + _plain(line) for line in table(cols, rows, 200)]
    return "\n".join(out) + "\n"


def _plain(line) -> str:
    return line if isinstance(line, str) else line.plain
