"""The pipeline as tables for BI tools: deals, their stage history, actions,
milestones ticked, checkpoint levels and contacts, with the pipeline's stages
beside them. Column names are stable (``TABLES``): a report built on them keeps
working when funnelctl grows.

CSV writes a folder with one file per table; JSON one object of tables; SQLite
one database (the standard library's sqlite3); Parquet a folder with one file per
table (pyarrow, imported only for that format). Dates are ISO ``YYYY-MM-DD``
text in CSV, JSON and SQLite, and dates in Parquet; yes/no columns are 1/0 in
SQLite. Each file is written whole or not at all (a temporary file renamed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from funnelctl.i18n import _
from funnelctl.pipeline import Pipeline

TEXT, REAL, INT, DATE, BOOL = "text", "real", "integer", "date", "bool"

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "deals": (("id", TEXT), ("path", TEXT), ("title", TEXT), ("account", TEXT),
              ("owner", TEXT), ("amount", REAL), ("currency", TEXT), ("source", TEXT),
              ("source_id", TEXT), ("created", DATE), ("close", DATE), ("stage", TEXT),
              ("status", TEXT), ("entered", DATE), ("imported", BOOL),
              ("outcome_date", DATE), ("outcome_reason", TEXT), ("competitor", TEXT),
              ("signed_amount", REAL), ("next_date", DATE), ("next_step", TEXT),
              ("snooze_until", DATE)),
    "history": (("deal_id", TEXT), ("seq", INT), ("stage", TEXT), ("date", DATE),
                ("reason", TEXT), ("waived", TEXT), ("imported", BOOL),
                ("unproven", TEXT)),
    "actions": (("deal_id", TEXT), ("seq", INT), ("date", DATE), ("kind", TEXT),
                ("goal", TEXT), ("result", TEXT), ("moved", BOOL), ("planned", BOOL)),
    "milestones": (("deal_id", TEXT), ("milestone", TEXT), ("stage", TEXT), ("date", DATE),
                   ("evidence", TEXT)),
    "levels": (("deal_id", TEXT), ("ladder", TEXT), ("level", INT), ("date", DATE),
               ("evidence", TEXT)),
    "contacts": (("deal_id", TEXT), ("seq", INT), ("name", TEXT), ("role", TEXT),
                 ("decision_maker", BOOL), ("veto", BOOL), ("met", DATE), ("agreed", BOOL)),
    "stages": (("id", TEXT), ("position", INT), ("label", TEXT), ("probability", REAL),
               ("conversion", REAL), ("stall_days", INT)),
}
FORMATS = ("csv", "json", "sqlite", "parquet")

Rows = dict[str, list[tuple]]


def _joined(items: Any) -> str | None:
    return ", ".join(items) if items else None


def tables_of(deals: list[tuple[str, Any]], p: Pipeline) -> Rows:
    """(path, deal) pairs as rows of every table, in ``TABLES``' column order."""
    out: Rows = {name: [] for name in TABLES}
    stage_of = {m.id: s.id for s in p.stages for m in s.milestones}
    for path, d in deals:
        o = d.outcome
        nxt = d.next
        snooze = d.snooze
        out["deals"].append((
            d.id, path, d.title, d.account, d.owner, float(d.amount), d.currency or p.currency,
            d.source, d.source_id, d.created, d.close, d.stage, d.status,
            max(h.date for h in d.history), bool(d.history[0].imported),
            o.date if o else None, o.reason if o else None, o.competitor if o else None,
            getattr(o, "amount", None) if o else None,
            nxt.date if nxt else None, nxt.step if nxt else None,
            snooze.until if snooze else None))
        for i, h in enumerate(d.history, 1):
            out["history"].append((d.id, i, h.stage, h.date, h.reason, _joined(h.waived),
                                   bool(h.imported), _joined(h.unproven)))
        for i, a in enumerate(d.actions, 1):
            out["actions"].append((d.id, i, a.date, a.kind, a.goal, a.result or None,
                                   bool(a.moved), bool(getattr(a, "planned", False))))
        for mid, t in d.milestones.items():
            out["milestones"].append((d.id, mid, stage_of.get(mid), t.date, t.evidence or None))
        for lid, lv in d.levels.items():
            out["levels"].append((d.id, lid, lv.level, lv.date, lv.evidence or None))
        for i, c in enumerate(d.contacts, 1):
            out["contacts"].append((d.id, i, c.name, c.role or None, bool(c.decision_maker),
                                    bool(c.veto), c.met, bool(c.agreed)))
    for i, s in enumerate(p.stages):
        out["stages"].append((s.id, i + 1, s.label, s.probability, s.conversion, s.stall_days))
    out["stages"].append((p.won.id, len(p.stages) + 1, p.won.label, 1.0, None, None))
    return out


# -- writers ---------------------------------------------------------------------------


def _text(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _replace(path: Path, write: Any, mode: str = "w") -> None:
    """Write ``path`` through a temporary file beside it, renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.close(fd)
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_csv(rows: Rows, out: Path) -> list[Path]:
    """One ``TABLE.csv`` per table in the folder ``out`` (UTF-8, a header line)."""
    written = []
    for name, cols in TABLES.items():
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([c for c, _ in cols])
        for r in rows[name]:
            w.writerow(["" if v is None else
                        (int(v) if isinstance(v, bool) else _text(v)) for v in r])
        path = out / f"{name}.csv"
        _replace(path, lambda tmp, text=buf.getvalue(): Path(tmp).write_text(
            text, encoding="utf-8", newline=""))
        written.append(path)
    return written


def json_text(rows: Rows) -> str:
    data = {name: [{c: _text(v) for (c, _kind), v in zip(cols, r, strict=True)}
                   for r in rows[name]] for name, cols in TABLES.items()}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write_json(rows: Rows, out: Path) -> list[Path]:
    text = json_text(rows)
    _replace(out, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return [out]


_SQL_TYPE = {TEXT: "TEXT", REAL: "REAL", INT: "INTEGER", DATE: "TEXT", BOOL: "INTEGER"}


def write_sqlite(rows: Rows, out: Path) -> list[Path]:
    """One database with a table per table; indexes on the deal id columns."""

    def write(tmp: str) -> None:
        con = sqlite3.connect(tmp)
        try:
            for name, cols in TABLES.items():
                con.execute(f"CREATE TABLE {name} ("
                            + ", ".join(f"{c} {_SQL_TYPE[t]}" for c, t in cols) + ")")
                con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(cols))})",
                                [tuple(_text(v) for v in r) for r in rows[name]])
                if cols[0][0] in ("id", "deal_id"):
                    con.execute(f"CREATE INDEX {name}_{cols[0][0]} ON {name} ({cols[0][0]})")
            con.commit()
        finally:
            con.close()

    _replace(out, write)
    return [out]


class MissingLibrary(Exception):
    """A format needs a library that is not installed."""


def write_parquet(rows: Rows, out: Path) -> list[Path]:
    """One ``TABLE.parquet`` per table in the folder ``out``."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingLibrary(_("--format parquet needs pyarrow: install funnelctl with its "
                               "io extra (pip install 'funnelctl[io]')")) from None
    kinds = {TEXT: pa.string(), REAL: pa.float64(), INT: pa.int64(), DATE: pa.date32(),
             BOOL: pa.bool_()}
    written = []
    for name, cols in TABLES.items():
        schema = pa.schema([(c, kinds[t]) for c, t in cols])
        columns = list(zip(*rows[name], strict=True)) if rows[name] else [()] * len(cols)
        table = pa.table({c: pa.array(list(v), type=kinds[t])
                          for (c, t), v in zip(cols, columns, strict=True)}, schema=schema)
        path = out / f"{name}.parquet"
        _replace(path, lambda tmp, t=table: pq.write_table(t, tmp))
        written.append(path)
    return written


WRITERS = {"csv": write_csv, "json": write_json, "sqlite": write_sqlite,
           "parquet": write_parquet}
