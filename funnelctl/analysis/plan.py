"""The rep's plan: next steps overdue, due today, due this week, and open deals
that have no next step at all ("yesterday, today, tomorrow")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from funnelctl.i18n import N_
from funnelctl.summary import Summary

# the step of a visit planned with act --plan: English in the data (JSON), shown in the
# language of the view
PLANNED_VISIT = N_("planned visit")


@dataclass
class PlanItem:
    deal: str
    account: str
    owner: str
    stage: str
    date: dt.date | None
    step: str | None
    days: int  # days overdue (positive) or until due (negative or zero)

    def as_json(self) -> dict:
        return {"deal": self.deal, "account": self.account, "owner": self.owner,
                "stage": self.stage, "date": self.date, "step": self.step, "days": self.days}


@dataclass
class Plan:
    today: dt.date
    overdue: list[PlanItem] = field(default_factory=list)
    due_today: list[PlanItem] = field(default_factory=list)
    this_week: list[PlanItem] = field(default_factory=list)
    later: list[PlanItem] = field(default_factory=list)
    no_next_step: list[PlanItem] = field(default_factory=list)
    # visits planned (act --plan) from today to the coming Sunday, by date
    visits: list[PlanItem] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"today": self.today,
                **{k: [i.as_json() for i in getattr(self, k)]
                   for k in ("overdue", "due_today", "this_week", "later", "no_next_step",
                             "visits")}}


def next_steps(deals: list[Summary], today: dt.date) -> Plan:
    """'This week' runs to the coming Sunday; open deals only."""
    week_end = today + dt.timedelta(days=6 - today.weekday())
    plan = Plan(today)
    for d in deals:
        if d.status != "open":
            continue
        for day in d.planned_dates:
            if today <= day <= week_end:
                plan.visits.append(PlanItem(d.id, d.account, d.owner, d.stage, day,
                                            PLANNED_VISIT, (today - day).days))
        days = (today - d.next_date).days if d.next_date else 0
        item = PlanItem(d.id, d.account, d.owner, d.stage, d.next_date, d.next_step, days)
        if d.next_date is None:
            plan.no_next_step.append(item)
        elif d.next_date < today:
            plan.overdue.append(item)
        elif d.next_date == today:
            plan.due_today.append(item)
        elif d.next_date <= week_end:
            plan.this_week.append(item)
        else:
            plan.later.append(item)
    plan.overdue.sort(key=lambda i: (i.date, i.deal))
    plan.due_today.sort(key=lambda i: i.deal)
    plan.this_week.sort(key=lambda i: (i.date, i.deal))
    plan.later.sort(key=lambda i: (i.date, i.deal))
    plan.no_next_step.sort(key=lambda i: (i.owner, i.deal))
    plan.visits.sort(key=lambda i: (i.date, i.deal))
    return plan
