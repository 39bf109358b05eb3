"""funnelctl export: the pipeline as tables with stable column names (CSV, JSON,
SQLite, Parquet), read back and compared with the deals they came from; and the
fields ``list --json`` carries for each deal."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest

from funnelctl.io.export import TABLES

ACME = """\
    milestones:
      need_identified: {date: 2026-10-02, evidence: asked for a quote}
    levels:
      need: {level: 2, date: 2026-10-03, evidence: stated}
    contacts:
      - {name: Zhang Min, role: plant director, decision_maker: true, met: 2026-10-02}
      - {name: Li Na, veto: true}
    actions:
      - {date: 2026-10-02, kind: visit, goal: meet the director, result: need confirmed,
         moved: true}
      - {date: 2026-11-20, kind: call, goal: book the demo}
    next: {date: 2026-11-30, step: demo at the plant}
    """


@pytest.fixture
def pipeline(world):
    """Three deals: acme (two moves, contacts, actions), won and lost."""
    world.deal("acme", stage="nurture", owner="ann", amount=120000, created="2026-10-01",
               history=[("lead", "2026-10-01"), ("nurture", "2026-10-20")], extra=ACME)
    world.deal("signed", stage="won", status="won", owner="bob", amount=5000,
               history=[("lead", "2026-09-01"), ("won", "2026-11-10")],
               extra="outcome: {date: 2026-11-10}\n")
    world.deal("gone", stage="lead", status="lost", owner="bob", amount=700,
               history=[("lead", "2026-10-05")],
               extra="outcome: {date: 2026-11-01, reason: no_decision}\n")
    return world


def export(world, fmt: str, out: str):
    res = world.run("export", "--format", fmt, "--out", str(world.root / out))
    assert res.exit_code == 0, res.output
    return res


def test_sqlite_round_trip_row_counts_and_values(pipeline):
    res = export(pipeline, "sqlite", "bi.db")
    assert res.stdout.startswith("wrote 3 deals, 5 history, 2 actions, 1 milestones, "
                                 "1 levels, 2 contacts, 5 stages to ")
    con = sqlite3.connect(pipeline.root / "bi.db")
    counts = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    assert counts == {"deals": 3, "history": 5, "actions": 2, "milestones": 1, "levels": 1,
                      "contacts": 2, "stages": 5}
    assert con.execute("SELECT owner, amount, currency, created, stage, status, entered, "
                       "next_date, next_step FROM deals WHERE id = 'acme'").fetchone() == (
        "ann", 120000.0, "EUR", "2026-10-01", "nurture", "open", "2026-10-20", "2026-11-30",
        "demo at the plant")
    assert con.execute("SELECT outcome_date, outcome_reason FROM deals WHERE id = 'gone'"
                       ).fetchone() == ("2026-11-01", "no_decision")
    assert con.execute("SELECT seq, stage, date, imported FROM history WHERE deal_id = 'acme' "
                       "ORDER BY seq").fetchall() == [(1, "lead", "2026-10-01", 0),
                                                      (2, "nurture", "2026-10-20", 0)]
    assert con.execute("SELECT kind, moved FROM actions ORDER BY seq").fetchall() == [
        ("visit", 1), ("call", 0)]
    assert con.execute("SELECT milestone, stage, evidence FROM milestones").fetchall() == [
        ("need_identified", "lead", "asked for a quote")]
    assert con.execute("SELECT name, decision_maker, veto, met FROM contacts ORDER BY seq"
                       ).fetchall() == [("Zhang Min", 1, 0, "2026-10-02"), ("Li Na", 0, 1, None)]
    # every table's columns are the stable ones, in order
    for t, cols in TABLES.items():
        assert [r[1] for r in con.execute(f"PRAGMA table_info({t})")] == [c for c, _ in cols]
    con.close()


def test_the_readme_query_conversion_by_stage_and_month(pipeline):
    export(pipeline, "sqlite", "bi.db")
    con = sqlite3.connect(pipeline.root / "bi.db")
    rows = con.execute(CONVERSION_SQL).fetchall()
    # September: signed entered lead and went on (to won); October: acme and gone
    # entered lead, acme went on; acme entered nurture in October and is still there
    assert rows == [("2026-09", "lead", 1, 1, 1.0), ("2026-10", "lead", 2, 1, 0.5),
                    ("2026-10", "nurture", 1, 0, 0.0)]


CONVERSION_SQL = """
WITH entered AS (                  -- the first day each deal entered each open stage
  SELECT h.deal_id, h.stage, s.position, MIN(h.date) AS day
  FROM history h JOIN stages s ON s.id = h.stage
  WHERE s.conversion IS NOT NULL
  GROUP BY h.deal_id, h.stage),
furthest AS (                      -- the furthest stage each deal reached (won counts)
  SELECT h.deal_id, MAX(s.position) AS position
  FROM history h JOIN stages s ON s.id = h.stage
  GROUP BY h.deal_id)
SELECT substr(e.day, 1, 7) AS month, e.stage, COUNT(*) AS entered,
       SUM(f.position > e.position) AS went_on,
       ROUND(AVG(f.position > e.position), 2) AS conversion
FROM entered e JOIN furthest f USING (deal_id)
GROUP BY month, e.stage
ORDER BY month, MIN(e.position)
"""


def test_csv_writes_a_folder_of_tables_with_stable_headers(pipeline):
    export(pipeline, "csv", "tables")
    folder = pipeline.root / "tables"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    with open(folder / "deals.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [c for c, _ in TABLES["deals"]]
    acme = next(r for r in rows if r["id"] == "acme")
    assert (acme["amount"], acme["close"], acme["imported"], acme["path"]) == (
        "120000.0", "", "0", "deals/acme.yaml")
    with open(folder / "stages.csv", encoding="utf-8", newline="") as fh:
        stages = list(csv.reader(fh))
    assert stages[1:] == [["lead", "1", "Lead", "0.1", "0.5", "30"],
                          ["nurture", "2", "Nurture", "0.2", "0.4", "45"],
                          ["evaluation", "3", "Evaluation", "0.5", "0.625", "45"],
                          ["negotiation", "4", "Negotiation", "0.8", "0.8", "30"],
                          ["won", "5", "Signed", "1.0", "", ""]]


def test_json_to_stdout_and_to_a_file(pipeline):
    res = pipeline.run("export", "--format", "json", "--out", "-")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert list(data) == list(TABLES)
    assert [d["id"] for d in data["deals"]] == ["acme", "gone", "signed"]
    assert data["levels"] == [{"deal_id": "acme", "ladder": "need", "level": 2,
                               "date": "2026-10-03", "evidence": "stated"}]
    export(pipeline, "json", "out/all.json")
    assert json.loads((pipeline.root / "out/all.json").read_text()) == data


def test_parquet_reads_back_with_typed_columns(pipeline):
    pq = pytest.importorskip("pyarrow.parquet")
    import datetime as dt

    export(pipeline, "parquet", "pq")
    deals = pq.read_table(pipeline.root / "pq" / "deals.parquet")
    assert deals.num_rows == 3
    assert str(deals.schema.field("created").type) == "date32[day]"
    assert str(deals.schema.field("imported").type) == "bool"
    signed = dict(zip(deals["id"].to_pylist(), deals.to_pylist(), strict=True))["signed"]
    assert signed["outcome_date"] == dt.date(2026, 11, 10)
    assert signed["amount"] == 5000.0 and signed["imported"] is False
    assert pq.read_table(pipeline.root / "pq" / "history.parquet").num_rows == 5


def test_export_usage_errors_exit_2(pipeline):
    res = pipeline.run("export", "--format", "sqlite", "--out", "-")
    assert res.exit_code == 2 and "only --format json writes to stdout" in res.output
    res = pipeline.run("export", "--format", "xml", "--out", "x")
    assert res.exit_code == 2 and "csv" in res.output and "parquet" in res.output
    pipeline.write("afile", "x")
    res = pipeline.run("export", "--format", "csv", "--out", str(pipeline.root / "afile"))
    assert res.exit_code == 2 and "writes a folder" in res.output


def test_an_unreadable_deal_is_left_out_and_named(pipeline):
    pipeline.write("deals/broken.yaml", "id: [\n")
    res = export(pipeline, "sqlite", "bi.db")
    assert "wrote 3 deals" in res.stdout
    assert "1 file left out" in res.output


# -- list --json ---------------------------------------------------------------------------


def test_list_json_carries_every_summary_field(pipeline):
    rows = {r["id"]: r for r in pipeline.json("list")}
    acme = rows["acme"]
    # in nurture since 2026-10-20: 35 days to 2026-11-24; nurture's probability is 0.2
    assert {k: acme[k] for k in ("created", "close", "currency", "entered", "days_in_stage",
                                 "probability", "weighted", "next_date", "next_step",
                                 "last_action", "actions", "imported")} == {
        "created": "2026-10-01", "close": None, "currency": "EUR", "entered": "2026-10-20",
        "days_in_stage": 35, "probability": 0.2, "weighted": 24000.0,
        "next_date": "2026-11-30", "next_step": "demo at the plant",
        "last_action": "2026-11-20", "actions": 2, "imported": False}
    assert (rows["signed"]["probability"], rows["signed"]["weighted"],
            rows["signed"]["days_in_stage"], rows["signed"]["outcome_date"]) == (
        1.0, 5000.0, None, "2026-11-10")
    assert (rows["gone"]["probability"], rows["gone"]["weighted"],
            rows["gone"]["lost_reason"]) == (0.0, 0.0, "no_decision")
