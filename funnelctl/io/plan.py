"""What an import would do: each row of the table read as a deal, and the deals to
create, the deals to change and the rows it cannot take, each with its row number
and why. Pure: nothing here reads or writes a file (the deals already in the
pipeline come in as arguments), so the dry run and ``--write`` plan alike.

History is honest. A new deal is created with the source's ``created`` date and
its current stage, and one history entry marked ``imported: true``: dated the day
of the import for an open deal (the day funnelctl saw it at that stage), the
close day for a won or lost one. The entry lists in ``unproven`` the milestones
of the stages before and the stage's entry requirements, which the source cannot
prove: the gates apply from the import on. An imported entry is no inflow and no
forced move, and its stay counts in no stage-time figure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from funnelctl import checks, i18n, readmodel, yamlio
from funnelctl.i18n import N_, _, nformat
from funnelctl.i18n.formats import day
from funnelctl.io import values
from funnelctl.io.emit import deal_text
from funnelctl.io.presets import REQUIRED, Preset, columns_of, key
from funnelctl.io.table import Table
from funnelctl.patterns import DEAL_ID_MAX, is_deal_id
from funnelctl.pipeline import Pipeline

WON, LOST = "won", "lost"
_STATUS = {"open": "open", "active": "open", "inprogress": "open", "won": WON,
           "closedwon": WON, "lost": LOST, "closedlost": LOST}
_CURRENCY = re.compile(r"[A-Z]{3}")
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
# the note of a lost deal whose source gives no reason (written in the active language)
NO_REASON = N_("not given by the source")


@dataclass
class Options:
    preset: Preset | None = None
    columns: dict[str, str] = field(default_factory=dict)  # --map FIELD=COLUMN
    stage_map: dict[str, str] = field(default_factory=dict)  # --stage-map VALUE=STAGE
    owner_map: dict[str, str] = field(default_factory=dict)  # --owner-map VALUE=OWNER
    date_order: str | None = None  # values.MDY or DMY; None: decided by the file
    folder: str = "deals"  # where new deals go, relative to the root


@dataclass
class Incoming:
    """One row read as a deal."""

    row: int
    source_id: str
    title: str
    account: str
    owner: str
    amount: float
    currency: str | None
    stage: str  # a stage id, or the won stage's id
    status: str
    created: dt.date
    close: dt.date | None
    outcome_date: dt.date | None  # a won or lost deal's day
    source: str | None
    lost_reason: str | None = None
    lost_note: str | None = None


@dataclass
class Refused:
    row: int
    reason: str

    def as_json(self) -> dict:
        return {"row": self.row, "reason": self.reason}


@dataclass
class NewDeal:
    deal: Incoming
    id: str
    path: str
    text: str

    def as_json(self) -> dict:
        d = self.deal
        return {"row": d.row, "source_id": d.source_id, "id": self.id, "path": self.path,
                "owner": d.owner, "stage": d.stage, "status": d.status}


@dataclass
class Update:
    deal: Incoming
    id: str
    path: str
    changes: list[tuple[str, Any, Any]]  # (field, value in funnelctl, value in the source)

    def as_json(self) -> dict:
        return {"row": self.deal.row, "source_id": self.deal.source_id, "id": self.id,
                "path": self.path,
                "changes": {f: {"from": a, "to": b} for f, a, b in self.changes}}


@dataclass
class Plan:
    rows: int
    new: list[NewDeal] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    refused: list[Refused] = field(default_factory=list)
    # rules a new deal would break (validate would flag it), per row: it is created
    warnings: list[Refused] = field(default_factory=list)

    def by_owner(self) -> dict[str, dict[str, int]]:
        """Owner -> stage (``lost`` for a lost deal) -> new deals."""
        out: dict[str, dict[str, int]] = {}
        for n in self.new:
            d = n.deal
            col = LOST if d.status == LOST else d.stage
            row = out.setdefault(d.owner, {})
            row[col] = row.get(col, 0) + 1
        return dict(sorted(out.items()))


class UsageError(Exception):
    """The options and the file do not fit: a usage error (exit 2)."""

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


# -- reading the rows ------------------------------------------------------------------


def stage_target(value: str, p: Pipeline, opts: Options) -> str | None:
    """The stage a source's stage name means: a stage id, ``won`` or ``lost``."""
    k = key(value)
    if k in opts.stage_map:
        return opts.stage_map[k]
    if opts.preset:
        for name, target in opts.preset.stages.items():
            if key(name) == k and (target in (WON, LOST) or p.known_stage(target)):
                return target
    for s in p.stages:
        if k in (key(s.id), key(s.label)):
            return s.id
    if k in (key(p.won.id), key(p.won.label), WON, "closedwon"):
        return WON
    if k in (key(p.lost.id), key(p.lost.label), LOST, "closedlost"):
        return LOST
    return None


def stage_choices(p: Pipeline) -> str:
    return ", ".join([*p.stage_ids, WON, LOST])


def read_rows(table: Table, p: Pipeline, opts: Options, today: dt.date
              ) -> tuple[list[Incoming], list[Refused]]:
    """Every row as a deal, or refused with its reason. Raises UsageError when the
    columns cannot be found or the file's dates cannot be read without
    ``--date-format``."""
    cols, problems = columns_of(table.headers, opts.preset, opts.columns)
    if problems:
        raise UsageError(problems[0], problems[1:])
    missing = [f for f in REQUIRED if f not in cols]
    if "stage" not in cols and "status" not in cols:
        missing.append("stage")
    if missing:
        shown = ", ".join(h for h in table.headers if h)
        fields = ", ".join(missing)
        raise UsageError(
            _("no column for {fields}: name it with --map FIELD=COLUMN").format(fields=fields)
            if opts.preset else
            _("no column for {fields}: name it with --map FIELD=COLUMN or choose a CRM with "
              "--from").format(fields=fields),
            [_("columns of {file}: {columns}").format(file=table.path, columns=shown)])

    def cell(cells: list[Any], f: str) -> Any:
        for i in cols.get(f, ()):
            v = cells[i] if i < len(cells) else None
            if not values.is_empty(v):
                return v.strip() if isinstance(v, str) else v
        return None

    order = opts.date_order
    if order is None:
        dates = [(n, cell(cells, f)) for n, cells in table.rows
                 for f in ("created", "close", "closed") if f in cols]
        order, problems = values.slash_order(dates)
        if problems:
            raise UsageError(problems[0])

    out: list[Incoming] = []
    refused: list[Refused] = []
    seen: dict[str, int] = {}
    for n, cells in table.rows:
        try:
            d = _row(n, lambda f, c=cells: cell(c, f), p, opts, order, today)
        except values.Unreadable as exc:
            refused.append(Refused(n, str(exc)))
            continue
        first = seen.setdefault(d.source_id, n)
        if first != n:
            refused.append(Refused(n, _("id {id!r} is on row {row} too").format(
                id=d.source_id, row=first)))
            continue
        out.append(d)
    return out, refused


# The import's fields as another language names them in a row's refusal (English names
# them by their ids, which --map takes); each msgid says which field it names
_FIELD_NAMES = {
    "id": N_("import field: id"), "account": N_("import field: account"),
    "title": N_("import field: title"), "owner": N_("import field: owner"),
    "amount": N_("import field: amount"), "currency": N_("import field: currency"),
    "stage": N_("import field: stage"), "status": N_("import field: status"),
    "created": N_("import field: created"), "close": N_("import field: close"),
    "closed": N_("import field: closed"), "source": N_("import field: source"),
    "lost_reason": N_("import field: lost_reason"),
}


def field_name(f: str) -> str:
    """A field of the import as a row's refusal names it: its id in English (``amount``,
    as --map names it), its name in another language (``金额``)."""
    if i18n.current() == i18n.DEFAULT or f not in _FIELD_NAMES:
        return f
    return _(_FIELD_NAMES[f])


def _text(get: Callable[[str], Any], f: str, required: bool = True) -> str | None:
    v = get(f)
    if v is None:
        if required:
            raise values.Unreadable(_("{field} is empty").format(field=field_name(f)))
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # an id a spreadsheet holds as a number: 1042, not 1042.0
    if isinstance(v, (dt.datetime, dt.date)):
        v = v.isoformat()
    text = " ".join(str(v).split()) if f != "id" else str(v).strip()
    if yamlio.has_surrogate(text):
        raise values.Unreadable(_("{field} is not text").format(field=field_name(f)))
    return text


def _date(get: Callable[[str], Any], f: str, order: str | None) -> dt.date | None:
    try:
        when = values.read_date(get(f), order)
    except values.Unreadable as exc:
        raise values.Unreadable(_("{field}: {error}").format(field=field_name(f),
                                                             error=exc)) from None
    if when is not None and not FIRST_DAY <= when <= LAST_DAY:
        raise values.Unreadable(_("{field}: {date} is outside {first} .. {last}").format(
            field=field_name(f), date=day(when), first=day(FIRST_DAY), last=day(LAST_DAY)))
    return when


def _row(n: int, get: Callable[[str], Any], p: Pipeline, opts: Options, order: str | None,
         today: dt.date) -> Incoming:
    source_id = _text(get, "id")
    if len(source_id) > 100:  # type: ignore[arg-type]
        raise values.Unreadable(_("{field} is longer than {n} characters").format(
            field=field_name("id"), n=100))
    title, account = _text(get, "title"), _text(get, "account")
    owner = _text(get, "owner")
    owner = opts.owner_map.get(key(owner), owner)  # type: ignore[arg-type]
    try:
        read = values.read_amount(get("amount"))
    except values.Unreadable as exc:
        raise values.Unreadable(_("{field}: {error}").format(field=field_name("amount"),
                                                             error=exc)) from None
    if read is None:
        raise values.Unreadable(_("{field} is empty: unknown, and funnelctl will not take it "
                                  "as 0").format(field=field_name("amount")))
    amount, sign = read
    currency = _currency(_text(get, "currency", required=False), sign, p)
    created = _date(get, "created", order)
    if created is None:
        raise values.Unreadable(_("{field} is empty: unknown, and funnelctl will not take it "
                                  "as today").format(field=field_name("created")))
    if created > today:
        raise values.Unreadable(_("created {date} is after today ({today})").format(
            date=day(created), today=day(today)))
    close = _date(get, "close", order)
    if close is not None and close < created:
        raise values.Unreadable(_("close {date} is before created {created}").format(
            date=day(close), created=day(created)))
    stage, status = _stage_and_status(get, p, opts)
    outcome = None
    reason = note = None
    if status != "open":
        outcome = _date(get, "closed", order) or close
        won = status == WON
        if outcome is None:
            raise values.Unreadable(
                _("a won deal needs the day it was won: close (or closed) is empty") if won
                else _("a lost deal needs the day it was lost: close (or closed) is empty"))
        if outcome < created:
            raise values.Unreadable(
                (_("won on {date}, before created {created}") if won
                 else _("lost on {date}, before created {created}")).format(
                    date=day(outcome), created=day(created)))
        if outcome > today:
            raise values.Unreadable(
                (_("won on {date}, after today ({today})") if won
                 else _("lost on {date}, after today ({today})")).format(
                    date=day(outcome), today=day(today)))
        if status == LOST:
            reason, note = _loss(_text(get, "lost_reason", required=False), p)
    return Incoming(n, source_id, title, account, owner, amount, currency,  # type: ignore[arg-type]
                    stage, status, created, close, outcome,
                    _text(get, "source", required=False), reason, note)


def _currency(column: str | None, sign: str | None, p: Pipeline) -> str | None:
    """The deal's currency: the column's, else what the amount's sign says; None
    when neither says (the file then names none, as a deal in the pipeline's own
    currency does)."""
    code = None
    if column is not None:
        code = column.strip().upper()
        if not _CURRENCY.fullmatch(code):
            raise values.Unreadable(_("currency {value!r} is not a code such as EUR or "
                                      "USD").format(value=column))
    if sign is None:
        return code
    if sign == "$":
        if code is not None:
            if code not in values.DOLLARS:
                raise values.Unreadable(_sign_and_column("$", code))
            return code
        return p.currency if p.currency in values.DOLLARS else "USD"
    if sign == "¥":
        if code is not None:
            if code not in values.YEN_OR_YUAN:
                raise values.Unreadable(_sign_and_column("¥", code))
            return code
        if p.currency in values.YEN_OR_YUAN:
            return p.currency
        raise values.Unreadable(_("¥ is yen or yuan: map a currency column (--map "
                                  "currency=...)"))
    if sign == "kr":
        if code is None:
            raise values.Unreadable(_("kr is Swedish, Norwegian or Danish: map a currency "
                                      "column"))
        return code
    if code is not None and code != sign:
        raise values.Unreadable(_sign_and_column(sign, code))
    return sign


def _sign_and_column(sign: str, code: str) -> str:
    return _("the amount is in {sign}, the currency column says {code}").format(
        sign=sign, code=code)


def _stage_and_status(get: Callable[[str], Any], p: Pipeline, opts: Options
                      ) -> tuple[str, str]:
    raw_status = _text(get, "status", required=False)
    status = None
    if raw_status is not None:
        k = key(raw_status)
        if k == "deleted":
            raise values.Unreadable(_("deleted in the source"))
        status = _STATUS.get(k)
        if status is None:
            raise values.Unreadable(_("status {value!r} is not open, won or lost").format(
                value=raw_status))
    raw_stage = _text(get, "stage", required=False)
    target = stage_target(raw_stage, p, opts) if raw_stage is not None else None
    if raw_stage is not None and target is None and status != WON:
        raise values.Unreadable(
            _("stage {value!r} is not a stage of stages.yaml: map it with --stage-map "
              "'{raw}=STAGE' (stages: {stages})").format(value=raw_stage, raw=raw_stage,
                                                         stages=stage_choices(p)))
    if status is None:
        if target is None:
            raise values.Unreadable(_("{field} is empty").format(field=field_name("stage")))
        status = WON if target == WON else LOST if target == LOST else "open"
    if status == WON:
        return p.won.id, WON
    if status == LOST:
        # the stage it was lost at, when the source kept it; else the first, the
        # only one it surely reached
        return (target if target not in (None, WON, LOST) else p.stages[0].id), LOST
    if target in (WON, LOST):
        raise values.Unreadable(
            (_("status open, but stage {value!r} means won") if target == WON
             else _("status open, but stage {value!r} means lost")).format(value=raw_stage))
    if target is None:
        raise values.Unreadable(_("{field} is empty").format(field=field_name("stage")))
    return target, "open"


def _loss(text: str | None, p: Pipeline) -> tuple[str, str | None]:
    """A lost deal's reason (an id of stages.yaml) and note. The source's words name
    a reason by its id or label; else they are kept as the note of the reason for
    what fits nowhere (``other``), or of the first that needs no competitor."""
    reasons = p.lost.reasons
    if text:
        for r in reasons:
            if key(text) in (key(r.id), key(r.label)) and r.competitor != "required":
                return r.id, None
    spare = [r for r in reasons if r.competitor != "required"]
    spare.sort(key=lambda r: r.id != "other")
    if not spare:
        raise values.Unreadable(_("a lost deal needs a loss reason, and every reason of "
                                  "stages.yaml needs the competitor, which the source lacks"))
    r = spare[0]
    note = text or (_(NO_REASON) if r.note == "required" else None)
    return r.id, note


# -- the deals ------------------------------------------------------------------------


def unproven(p: Pipeline, stage: str) -> list[str]:
    """What a deal that arrives at ``stage`` has passed unseen: the milestones of the
    stages before and the stage's entry requirements (the keys a waiver names)."""
    passed = p.stages[: p.index(stage)]
    out = [issue.about for issue in checks.milestone_gaps(passed, (), ())]
    s = p.stage(stage)
    if s is not None:
        out += [r.about for r in checks.requirement_issues(s, {}, ())]
    return out


def deal_data(d: Incoming, deal_id: str, p: Pipeline, today: dt.date) -> dict:
    """The new deal's file as data, keys in the order ``new`` writes them."""
    data: dict[str, Any] = {"id": deal_id, "title": d.title, "account": d.account,
                            "owner": d.owner,
                            "amount": int(d.amount) if d.amount.is_integer() else d.amount}
    if d.currency is not None:
        data["currency"] = d.currency
    if d.source is not None:
        data["source"] = d.source
    data["source_id"] = d.source_id
    data["created"] = d.created
    if d.close is not None:
        data["close"] = d.close
    data["stage"] = d.stage
    data["status"] = d.status
    data["contacts"] = []
    entry: dict[str, Any] = {"stage": d.stage, "date": d.outcome_date or today,
                             "imported": True}
    gaps = unproven(p, d.stage)
    if gaps:
        entry["unproven"] = gaps
    data["history"] = [entry]
    if d.status != "open":
        outcome: dict[str, Any] = {"date": d.outcome_date}
        if d.lost_reason:
            outcome["reason"] = d.lost_reason
        if d.lost_note:
            outcome["note"] = d.lost_note
        data["outcome"] = outcome
    return data


def new_id(d: Incoming, taken: set[str]) -> str:
    """A slug of account and title, as ``new`` makes one, with -2, -3 ... after it
    while that is taken (compared ignoring case, as a file system may)."""
    from funnelctl.edits import slug

    base = slug(f"{d.account}-{d.title}")[: DEAL_ID_MAX - 8]
    did, n = base, 1
    while did.casefold() in taken or not is_deal_id(did):
        n += 1
        did = f"{base}-{n}"
    taken.add(did.casefold())
    return did


def checked_text(data: dict, comment: str, p: Pipeline, today: dt.date
                 ) -> tuple[str, list[str]]:
    """A new deal's file and what ``validate`` would say of it. ``emit`` writes text
    that reads back as its data (tests/test_import.py holds it to that on arbitrary
    text), so the data is checked as it is, without reading the file back: a
    reference parse (what a quoted id such as "1042" gets) would double the cost of
    an import. A first message starting with ``!`` means the file is no deal at
    all (a bug: never written)."""
    return deal_text(data, comment), check_new(data, p, today)


def check_new(data: Any, p: Pipeline, today: dt.date) -> list[str]:
    """What ``validate`` would say of a new deal's data, as messages."""
    deal = readmodel.deal_or_none(data)
    if deal is None:
        from pydantic import ValidationError

        from funnelctl.model import Deal

        try:
            deal = Deal.model_validate(data)
        except ValidationError as exc:
            return [f"!{e['loc']}: {e['msg']}" for e in exc.errors(include_url=False)]
    found = [msg for _loc, msg in checks.process_findings(deal, p)]
    found += [msg for _loc, msg in checks.dated_after_today(
        [(h.stage, h.date, False) for h in deal.history],
        deal.outcome.date if deal.outcome else None, today)]
    return found


# -- against the pipeline ---------------------------------------------------------------


def changes_of(d: Incoming, deal: Any, p: Pipeline) -> list[tuple[str, Any, Any]]:
    """What the source says that the deal file does not. An empty cell is unknown:
    it changes nothing."""
    out: list[tuple[str, Any, Any]] = []
    for f in ("title", "account", "owner", "amount", "currency", "source", "close"):
        new, old = getattr(d, f), getattr(deal, f)
        if f == "currency":
            old = old or p.currency
        if new is not None and new != old:
            out.append((f, old, new))
    if d.status != deal.status:
        out.append(("status", deal.status, d.status))
    elif d.status == "open" and d.stage != deal.stage:
        out.append(("stage", deal.stage, d.stage))
    return out


def make_plan(rows: list[Incoming], refused: list[Refused], p: Pipeline, today: dt.date,
              opts: Options, by_source: dict[str, list[Any]], taken: set[str],
              read: Callable[[str], Any], total: int) -> Plan:
    """The plan for ``rows``. ``by_source``: source id -> the summaries of the deals
    that carry it; ``taken``: every deal id in use, casefolded; ``read``: path -> the
    deal in that file (None when it cannot be read)."""
    plan = Plan(total, refused=list(refused))
    taken = set(taken)
    for d in rows:
        held = by_source.get(d.source_id, [])
        if len(held) > 1:
            plan.refused.append(Refused(d.row, nformat(
                "id {id!r} is the source id of {n} deal: {paths}",
                "id {id!r} is the source id of {n} deals: {paths}", len(held),
                id=d.source_id, paths=", ".join(s.path for s in held))))
            continue
        if held:
            s = held[0]
            # a summary holds what is compared, but a won deal's amount is the signed one
            # there: that deal is read (an edit reads the file again under its lock)
            deal = read(s.path) if s.status == WON else s
            if deal is None:
                plan.refused.append(Refused(d.row, _("{path} (id {id}) cannot be read: see "
                                                     "'funnelctl validate'").format(
                    path=s.path, id=d.source_id)))
                continue
            changes = changes_of(d, deal, p)
            if changes:
                plan.updates.append(Update(d, s.id, s.path, changes))
            else:
                plan.unchanged += 1
            continue
        deal_id = new_id(d, taken)
        rel = f"{opts.folder}/{deal_id}.yaml"
        text, found = checked_text(deal_data(d, deal_id, p, today),
                                   f"{d.account}: {d.title}", p, today)
        if len(text.encode("utf-8")) > p.max_file_bytes:
            plan.refused.append(Refused(d.row, _("the deal's file would be larger than "
                                                 "{limit} bytes").format(
                limit=p.max_file_bytes)))
            continue
        if found and found[0].startswith("!"):  # a bug in the import: never written
            plan.refused.append(Refused(d.row, _("cannot be written as a deal: {why}").format(
                why=found[0][1:])))
            continue
        plan.warnings.extend(Refused(d.row, msg) for msg in found)
        plan.new.append(NewDeal(d, deal_id, rel, text))
    plan.refused.sort(key=lambda r: r.row)
    return plan
