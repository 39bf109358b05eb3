"""Measure ``funnelctl import`` on a generated CRM export and print the figures.

    python benchmarks/import_bench.py                 # 10,000 rows
    python benchmarks/import_bench.py --rows 50000 --runs 3

A HubSpot-shaped CSV of --rows deals (open, won and lost, ten reps, dates with
times, amounts with decimals) is imported into a fresh copy of the sample's
stages.yaml in a temporary folder: the dry run, the write (every deal file
created), the same import again (nothing to change: every row found by its id),
and ``validate`` over the result. Each a median of --runs runs of the installed
``funnelctl`` as a subprocess. The goal the issue set: 10,000 rows in 10 s.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = dt.date(2026, 11, 24)
STAGES = ["Appointment Scheduled", "Qualified To Buy", "Presentation Scheduled",
          "Decision Maker Bought-In", "Contract Sent"]


def exe() -> str:
    found = shutil.which("funnelctl", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit("funnelctl is not installed beside this Python: pip install -e .")
    return found


def export_csv(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Record ID", "Deal Name", "Associated Company", "Deal owner", "Amount",
                    "Deal Stage", "Pipeline", "Create Date", "Close Date",
                    "Closed Lost Reason"])
        for i in range(rows):
            status = rnd.choice(["open", "open", "won", "lost"])
            created = TODAY - dt.timedelta(days=rnd.randint(10, 700))
            if status == "open":
                stage, close = rnd.choice(STAGES), TODAY + dt.timedelta(rnd.randint(5, 300))
            else:
                stage = "Closed Won" if status == "won" else "Closed Lost"
                close = created + dt.timedelta(rnd.randint(1, (TODAY - created).days))
            w.writerow([str(100000 + i), f"Project {i}", f"Account {i % 997}",
                        f"rep{i % 10}", f"{rnd.randint(1, 900) * 1000 + 0.5:.2f}", stage,
                        "Sales Pipeline", f"{created.isoformat()} 10:00",
                        f"{close.isoformat()} 17:00",
                        "Budget" if status == "lost" else ""])


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one command: on a shared host the CPU
    time says what the command costs, the wall time what a user waits."""
    env = {**os.environ, "FUNNELCTL_TODAY": TODAY.isoformat(), "NO_COLOR": "1"}
    t = time.perf_counter()
    proc = subprocess.Popen([exe(), *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"funnelctl {' '.join(args)} failed ({code}): {err.decode()[:2000]}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    figures: dict[str, list[tuple[float, float]]] = {
        "dry run": [], "write": [], "again": [], "validate": []}
    with tempfile.TemporaryDirectory(prefix="funnelctl-import-") as tmp:
        data = Path(tmp) / "hubspot.csv"
        export_csv(data, args.rows)
        for _ in range(args.runs):
            root = Path(tmp) / "pipeline"
            shutil.rmtree(root, ignore_errors=True)
            (root / "deals").mkdir(parents=True)
            shutil.copy2(ROOT / "stages.yaml", root / "stages.yaml")
            imp = ["import", str(data), "--from", "hubspot"]
            figures["dry run"].append(timed(imp, root))
            figures["write"].append(timed([*imp, "--write"], root))
            figures["again"].append(timed([*imp, "--write"], root))
            figures["validate"].append(timed(["validate"], root))
            made = sum(1 for _ in (root / "deals").iterdir())
    print(f"import of {args.rows:,} rows (HubSpot export shape), median of {args.runs} runs; "
          f"{made:,} deal files made; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    print(f"  {'':<9} {'wall':>8} {'cpu':>8}")
    for name, runs in figures.items():
        print(f"  {name:<9} {statistics.median(w for w, _ in runs):7.2f}s "
              f"{statistics.median(c for _, c in runs):7.2f}s")


if __name__ == "__main__":
    main()
