"""The funnel's shape against the benchmark, and its diagnosis in words.

- bulge ("pregnant funnel"): a stage holds more deals than the benchmark lets
  through from the stage above: count > above x ratio x BULGE_FACTOR, and at
  least BULGE_MIN_EXCESS deals over it (so that 2 against 1.5 is not a sickness);
- thin top: fewer leads than the benchmark needs to have fed the later stages
  (for each later stage j: count_j / product of the ratios up to j), by the same
  margin as a bulge: need > leads x BULGE_FACTOR and at least BULGE_MIN_EXCESS more;
- narrow bottom: a stage holds fewer deals than the benchmark expects from the
  stage above: count < above x ratio / BULGE_FACTOR, and at least
  BULGE_MIN_EXCESS short of it; with the period's target, what the target needs
  there too (the work at the stage above does not move deals on, often because
  the month went to one customer);
- empty: no open deal at all (not "clean");
- late entries: deals whose first history entry is already at the third open
  stage (evaluation by default) or later; a rep with at least LATE_MIN such deals
  that make up more than half of his deals is named;
- observed conversion per stage beside the configured ratio.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from funnelctl import i18n
from funnelctl.analysis.conversion import Observed, benchmark_shape, observed_conversion
from funnelctl.i18n import _, nformat
from funnelctl.pipeline import Pipeline
from funnelctl.summary import Summary

BULGE_FACTOR = 1.5
BULGE_MIN_EXCESS = 2
LATE_MIN = 2


@dataclass
class StageRow:
    stage: str
    label: str
    count: int
    amount: float
    weighted: float
    benchmark: float
    conversion: float
    observed: float | None
    observed_base: int
    name: str = ""  # the stage's label in the active language (label: as stages.yaml has it)

    def as_json(self) -> dict:
        return {"stage": self.stage, "label": self.label, "count": self.count,
                "amount": self.amount, "weighted": round(self.weighted, 2),
                "benchmark": round(self.benchmark, 2), "conversion": self.conversion,
                "observed_conversion": None if self.observed is None else round(self.observed, 3),
                "observed_base": self.observed_base}


@dataclass
class Diagnosis:
    kind: str  # bulge | narrow | thin_top | late_entries | late_entry_rep | empty | clean
    message: str
    stage: str | None = None
    owner: str | None = None
    deals: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        out: dict = {"kind": self.kind, "message": self.message}
        if self.stage:
            out["stage"] = self.stage
        if self.owner:
            out["owner"] = self.owner
        if self.deals:
            out["deals"] = self.deals
        return out


@dataclass
class Funnel:
    stages: list[StageRow]
    diagnosis: list[Diagnosis]
    late: list[tuple[str, str, str]]  # (deal, owner, entry stage)

    def as_json(self) -> dict:
        return {"stages": [s.as_json() for s in self.stages],
                "diagnosis": [d.as_json() for d in self.diagnosis]}


def late_index(p: Pipeline) -> int:
    return min(2, len(p.stages) - 1)


@dataclass
class StageTally:
    """What a funnel counts of a set of deals. Tallies of disjoint sets add up, so a
    team's funnel is the sum of its reps' and its deals are not counted twice."""

    count: list[int]
    amount: list[float]
    weighted: list[float]
    late: list[tuple[str, str, str]]  # (deal, owner, entry stage)
    per_owner: dict[str, int]  # deals of each owner, to judge a rep's late entries

    @staticmethod
    def summed(parts: list[StageTally]) -> StageTally:
        """The tally of disjoint sets of deals together (a team from its reps)."""
        per_owner: Counter[str] = Counter()
        late: list[tuple[str, str, str]] = []
        for t in parts:
            per_owner.update(t.per_owner)
            late.extend(t.late)
        return StageTally([sum(c) for c in zip(*(t.count for t in parts), strict=True)],
                          [sum(a) for a in zip(*(t.amount for t in parts), strict=True)],
                          [sum(w) for w in zip(*(t.weighted for t in parts), strict=True)],
                          late, dict(per_owner))


def stage_tally(deals: list[Summary], p: Pipeline) -> StageTally:
    n = len(p.stages)
    count = [0] * n
    amount = [0.0] * n
    weighted = [0.0] * n
    pos = p.positions
    probability = [s.probability for s in p.stages]
    late_stages = {s for s, i in pos.items() if i >= late_index(p)}
    late: list[tuple[str, str, str]] = []
    for d in deals:
        if d.status == "open":
            i = pos.get(d.stage)
            if i is not None and i < n:
                count[i] += 1
                amount[i] += d.amount
                weighted[i] += d.amount * probability[i]
        first = d.history[0][0]
        if first in late_stages and not d.imported:  # an import brings its stage along
            late.append((d.id, d.owner, first))
    return StageTally(count, amount, weighted, late, dict(Counter(d.owner for d in deals)))


def funnel_shape(deals: list[Summary], p: Pipeline,
                 observed: list[Observed] | None = None,
                 target: float | None = None) -> Funnel:
    obs = observed if observed is not None else observed_conversion(deals, p)
    return funnel_of(stage_tally(deals, p), p, obs, target)


def funnel_of(t: StageTally, p: Pipeline, obs: list[Observed],
              target: float | None = None) -> Funnel:
    """The funnel and its diagnosis from what was counted; ``target``: the deals to
    sign in the period, which the narrow bottom is also measured against."""
    n = len(p.stages)
    count, amount, weighted = t.count, t.amount, t.weighted
    rates = [s.conversion for s in p.stages]
    bench = benchmark_shape(count[0], rates)
    name = [i18n.label(s) for s in p.stages]  # what the sentences call each stage
    rows = [StageRow(s.id, s.label, count[i], amount[i], weighted[i], bench[i], s.conversion,
                     obs[i].rate, obs[i].left, name[i]) for i, s in enumerate(p.stages)]
    diagnosis: list[Diagnosis] = []
    for i in range(1, n):
        allowed = count[i - 1] * rates[i - 1]
        if count[i] > allowed * BULGE_FACTOR and count[i] - allowed >= BULGE_MIN_EXCESS:
            diagnosis.append(Diagnosis(
                "bulge",
                nformat("{stage} holds {n} deal; from {above_n} in {above} the benchmark lets "
                        "{allowed} through: deals pile up here and do not move",
                        "{stage} holds {n} deals; from {above_n} in {above} the benchmark lets "
                        "{allowed} through: deals pile up here and do not move", count[i],
                        stage=name[i], above_n=count[i - 1], above=name[i - 1],
                        allowed=format(allowed, "g")),
                stage=p.stages[i].id))
    # what the target needs at each stage: target / the ratios from there to a signature
    needs = [0.0] * n
    if target:
        rest = 1.0
        for i in range(n - 1, -1, -1):
            rest *= rates[i]
            needs[i] = target / rest if rest else 0.0
    for i in range(1, n):
        expected = count[i - 1] * rates[i - 1]
        if count[i] * BULGE_FACTOR < expected and expected - count[i] >= BULGE_MIN_EXCESS:
            want = _(", and the target of {target} needs {need} here").format(
                target=format(target, "g"), need=format(needs[i], ".3g")) \
                if target and needs[i] > count[i] else ""
            diagnosis.append(Diagnosis(
                "narrow",
                nformat("{stage} holds {n} deal; from {above_n} in {above} the benchmark "
                        "expects {expected}{want}: the visits do not move deals on to {stage}",
                        "{stage} holds {n} deals; from {above_n} in {above} the benchmark "
                        "expects {expected}{want}: the visits do not move deals on to {stage}",
                        count[i], stage=name[i], above_n=count[i - 1], above=name[i - 1],
                        expected=format(expected, ".3g"), want=want),
                stage=p.stages[i].id))
    cum = 1.0
    need_top = 0.0
    feeder = None
    for j in range(1, n):
        cum *= rates[j - 1]
        if cum and count[j] / cum > need_top:
            need_top, feeder = count[j] / cum, j
    if (feeder is not None and need_top > count[0] * BULGE_FACTOR
            and need_top - count[0] >= BULGE_MIN_EXCESS):
        diagnosis.append(Diagnosis(
            "thin_top",
            _("only {n} in {first}; the {feeder_n} in {feeder} needed about {need} there at "
              "the benchmark ratios: next quarter will starve").format(
                n=count[0], first=name[0], feeder_n=count[feeder], feeder=name[feeder],
                need=math.ceil(need_top - 1e-9)),
            stage=p.stages[0].id))
    li = late_index(p)
    late, per_owner = sorted(t.late), t.per_owner
    late_owner: dict[str, list[str]] = defaultdict(list)
    for deal, owner, _stage in late:
        late_owner[owner].append(deal)
    if late:
        diagnosis.append(Diagnosis(
            "late_entries",
            nformat("{n} deal entered the pipeline at {stage} or later",
                    "{n} deals entered the pipeline at {stage} or later", len(late),
                    stage=name[li]),
            deals=[x[0] for x in late]))
    for owner in sorted(late_owner):
        ids = late_owner[owner]
        if len(ids) >= LATE_MIN and len(ids) * 2 > per_owner[owner]:
            diagnosis.append(Diagnosis(
                "late_entry_rep",
                _("{owner}: {n} of {total} deals entered at {stage} or later: a genius, or a "
                  "pipeline kept back until it was nearly closed").format(
                    owner=owner, n=len(ids), total=per_owner[owner], stage=name[li]),
                owner=owner, deals=ids))
    if not diagnosis and not any(count):
        diagnosis.append(Diagnosis("empty", _("empty: no open deals")))
    elif not diagnosis:
        diagnosis.append(Diagnosis("clean", _("the funnel narrows steadily: no bulge, "
                                              "no narrow step, no thin top, no late entries")))
    return Funnel(rows, diagnosis, late)
