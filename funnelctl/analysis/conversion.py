"""Conversion: configured ratios, the benchmark shape, and what the team achieved.

Observed conversion of a stage is read from the stage histories: among the deals
that reached the stage and have left it (moved on, or closed), the share that
went on to a later stage (signing counts as the stage after the last).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from funnelctl.pipeline import Pipeline
from funnelctl.summary import Summary


@dataclass
class Observed:
    stage: str
    reached: int  # deals that were ever at the stage
    left: int  # of those, deals that moved on or closed: the base of the estimate
    converted: int  # of those, deals that reached a later stage

    @property
    def rate(self) -> float | None:
        return self.converted / self.left if self.left else None


def summed(parts: list[list[Observed]], p: Pipeline) -> list[Observed]:
    """The conversion of disjoint sets of deals together (a team from its reps)."""
    return [Observed(s.id, sum(o[i].reached for o in parts), sum(o[i].left for o in parts),
                     sum(o[i].converted for o in parts)) for i, s in enumerate(p.stages)]


def observed_conversion(deals: list[Summary], p: Pipeline,
                        until: dt.date | None = None) -> list[Observed]:
    """One pass over the histories; linear in deals x history length."""
    n = len(p.stages)
    pos = p.positions
    reached = [0] * n
    left = [0] * n
    converted = [0] * n
    for d in deals:
        history = d.history if until is None else [m for m in d.history if m[1] <= until]
        if not history:
            continue
        seen: set[int] = set()
        best = -1
        for stage, _, _ in history:
            i = pos.get(stage)
            if i is not None:
                if i > best:
                    best = i
                if i < n:
                    seen.add(i)
        closed = d.status != "open" and (until is None or (d.outcome_date or until) <= until)
        cur = pos.get(history[-1][0], -1)
        for i in seen:
            reached[i] += 1
            if best > i:
                left[i] += 1
                converted[i] += 1
            elif closed or cur != i:
                left[i] += 1
    return [Observed(s.id, reached[i], left[i], converted[i]) for i, s in enumerate(p.stages)]


def benchmark_shape(top: float, rates: list[float]) -> list[float]:
    """The benchmark funnel scaled to ``top`` deals at the first stage."""
    out = [float(top)]
    for r in rates[:-1]:
        out.append(out[-1] * r)
    return out


def required_per_stage(n: float, rates: list[float]) -> list[float]:
    """Deals needed in each stage now to sign ``n``: read the funnel backwards.
    With the default ratios, 10 signed needs 12.5, 20, 50 and 100."""
    out = [0.0] * len(rates)
    need = float(n)
    for i in range(len(rates) - 1, -1, -1):
        need = need / rates[i] if rates[i] else float("inf")
        out[i] = need
    return out
