"""How accurate the forecast was on a pipeline whose sales process is known.

    python benchmarks/forecast_accuracy.py [--months 12] [--data DIR] [--dating sloppy]

Generates (once, under bench-data/) an 18-month pipeline with git history by
benchmarks/history_gen.py, then runs the installed ``funnelctl forecast
--backtest --months 12`` on it with ``--rates history`` and with ``--rates
config``, and prints each replayed month and the mean accuracy of each, the
calibration table, and how long each run took (cold: no cache; warm: the parse
caches filled). The bar: a mean monthly accuracy of at least 85% on the count of
deals signed with the observed rates; the script exits 1 below it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = "2026-11-24"
BAR = 0.85


def exe() -> str:
    found = shutil.which("funnelctl", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit("funnelctl is not installed beside this Python: pip install -e .")
    return found


def ensure(data: Path, dating: str) -> None:
    if (data / ".git").is_dir() and (data / "stages.yaml").exists():
        return
    print(f"generating the 18-month pipeline in {data} (a few minutes: one git commit "
          f"a week) ...", file=sys.stderr)
    subprocess.run([sys.executable, str(HERE / "history_gen.py"), str(data), "--dating",
                    dating, "--today", TODAY], check=True)


def run(data: Path, *args: str) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one run, and its JSON."""
    env = {**os.environ, "FUNNELCTL_TODAY": TODAY, "NO_COLOR": "1"}
    before = os.times()
    t = time.perf_counter()
    proc = subprocess.run([exe(), *args, "--json"], cwd=data, env=env, capture_output=True,
                          check=True)
    wall = time.perf_counter() - t
    after = os.times()
    cpu = (after.children_user - before.children_user) + \
        (after.children_system - before.children_system)
    return wall, cpu, json.loads(proc.stdout)


def pct(x: float | None) -> str:
    return "   -" if x is None else f"{x:4.0%}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--dating", choices=["stage", "sloppy"], default="stage",
                    help="how the generated reps move passed close dates")
    ap.add_argument("--data", type=Path, default=None)
    a = ap.parse_args()
    data = a.data or ROOT / "bench-data" / f"history-18m-{a.dating}"
    ensure(data, a.dating)
    bt = ["forecast", "--backtest", "--months", str(a.months)]
    timings = []
    out = {}
    for rates in ("history", "config"):
        wall, cpu, got = run(data, "--no-cache", *bt, "--rates", rates)
        timings.append((f"{' '.join(bt)} --rates {rates}, cold (--no-cache)", wall, cpu))
        wall, cpu, got = run(data, *bt, "--rates", rates)  # fills the caches
        wall, cpu, got = run(data, *bt, "--rates", rates)
        timings.append((f"{' '.join(bt)} --rates {rates}, warm", wall, cpu))
        out[rates] = got
    wall, cpu, _ = run(data, "forecast")
    timings.append(("forecast (no backtest), warm", wall, cpu))
    rows = out["history"]["backtest"]
    print(f"pipeline: {data}")
    print(f"{'month':8} {'signed':>6} {'history':>8} {'acc':>5} {'config':>8} {'acc':>5} "
          f"{'amount acc h/c':>15}  deals as of")
    for r in rows:
        h, c = r["history"], r["config"]
        print(f"{r['month']:8} {r['actual_deals']:6d} {h['deals']:8.1f} {pct(h['accuracy']):>5} "
              f"{c['deals']:8.1f} {pct(c['accuracy']):>5} "
              f"{pct(h['amount_accuracy']):>7}/{pct(c['amount_accuracy'])}  {r['source']}")
    summary = out["history"]["backtest_summary"]
    for rates in ("history", "config"):
        s = summary[rates]
        print(f"--rates {rates:7}: mean accuracy {pct(s['mean_accuracy'])} (count), "
              f"{pct(s['mean_amount_accuracy'])} (amount); mean bias "
              f"{s['mean_bias_deals']:+.1f} deals a month")
    print("calibration (history rates): chance bucket, deals, mean chance, signed in month")
    for b in out["history"]["backtest_calibration"]:
        if b["deals"]:
            print(f"  {b['from']:.0%}-{b['to']:.0%}: {b['deals']:6d}  {pct(b['mean_chance'])}  "
                  f"{pct(b['share_signed'])}")
    print("timings (wall s / cpu s):")
    for name, wall, cpu in timings:
        print(f"  {name}: {wall:.2f} / {cpu:.2f}")
    acc = summary["history"]["mean_accuracy"]
    ok = acc is not None and acc >= BAR
    print(f"the bar (history, count, >= {BAR:.0%}): {'met' if ok else 'NOT met'} ({pct(acc)})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
