"""Eight processes write at once: every command that exits 0 is in the file at the end,
none that failed left anything, and the file validates; with the deal lock working, and
with the lock folder unusable (a file where the cache folder should be, or a read-only
cache folder), where a write locks the deal's folder instead.

Each worker is one OS process that runs funnelctl's command line in-process once per
change (the interpreter's start-up is paid once per worker, not once per change), so
the locks are taken by eight real processes at once. Each change is an action report
with its own goal text, ``w<worker>-c<change>``, which identifies it in the file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from .conftest import World

PROCESSES = 8
CHANGES = 20  # per process
# On one deal every write waits for the one before it, and each rewrites a file that
# grows by an action each time (160 actions: 650 lines, ~0.3 s a write): 8 x 8 keeps
# the scenario within seconds; FUNNELCTL_ONE_DEAL_CHANGES=20 runs the full 8 x 20.
ONE_DEAL_CHANGES = int(os.environ.get("FUNNELCTL_ONE_DEAL_CHANGES", "8"))

WORKER = r"""
import contextlib, io, json, os, sys, time, traceback
from typer.main import get_command
from funnelctl.cli.app import app

root, worker, changes, deals, go = sys.argv[1:6]
worker, changes, deals = int(worker), int(changes), deals.split(",")
command = get_command(app)
out = sys.stdout
print("ready", file=out, flush=True)
while not os.path.exists(go):  # start together
    time.sleep(0.002)
for i in range(changes):
    deal = deals[(worker + i) % len(deals)]
    goal = f"w{worker}-c{i}"
    args = ["--dir", root, "--today", "2026-11-24", "act", deal, "--kind", "call",
            "--goal", goal]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            code = command.main(args, prog_name="funnelctl", standalone_mode=False)
        code = code if isinstance(code, int) else 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except Exception:
        traceback.print_exc()
        code = "crashed"
    print(json.dumps({"goal": goal, "deal": deal, "code": code}), file=out, flush=True)
"""


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("FUNNELCTL_")}
    e["NO_COLOR"] = "1"
    return e


def run_workers(root: Path, deals: list[str], changes: int) -> list[dict]:
    """PROCESSES workers, started together, each making ``changes`` changes; returns
    every change as {goal, deal, code}."""
    go = root.parent / f"go-{time.monotonic_ns()}"
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(root), str(n), str(changes),
                               ",".join(deals), str(go)], cwd=root, env=env(), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for n in range(PROCESSES)]
    try:
        for proc in procs:  # every worker has imported funnelctl
            assert proc.stdout and proc.stdout.readline() == "ready\n", proc.communicate()
        go.touch()
        results = []
        for n, proc in enumerate(procs):
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, f"worker {n} exit {proc.returncode}: {err}"
            lines = [json.loads(line) for line in out.splitlines()]
            assert len(lines) == changes, f"worker {n}: {len(lines)} of {changes}: {err}"
            failed = [r for r in lines if r["code"] != 0]
            if failed:
                for r in failed:
                    r["stderr"] = err
            results += lines
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def deal_files(world: World, deals: list[str]) -> dict[str, Path]:
    """The deals, half in deals/east and half in deals/west: with the lock folder
    unusable a write locks the deal's folder, so two folders are locked at once."""
    paths = {}
    for i, deal in enumerate(deals):
        paths[deal] = world.deal(deal, folder="east" if i % 2 == 0 else "west",
                                 owner="ann" if i % 2 == 0 else "bob")
    return paths


def break_the_lock_folder(world: World, how: str) -> None:
    cache = world.root / ".funnelctl-cache"
    if how == "cache is a file":
        cache.write_text("not a folder\n", encoding="utf-8")
    elif how == "cache is read-only":
        cache.mkdir()
        cache.chmod(0o500)
        try:
            (cache / "probe").touch()
        except PermissionError:
            return
        (cache / "probe").unlink()
        cache.chmod(0o700)
        pytest.skip("a read-only folder stops no write here (root): 'cache is a file' "
                    "covers the unusable lock folder")


LOCKS = ["working lock", "cache is a file", "cache is read-only"]


@pytest.mark.parametrize("how", LOCKS)
@pytest.mark.parametrize("n_deals", [1, 8], ids=["one deal", "eight deals"])
def test_every_change_that_exits_0_is_in_the_file(world: World, how: str,
                                                    n_deals: int) -> None:
    deals = ["acme"] if n_deals == 1 else [f"deal-{i}" for i in range(n_deals)]
    changes = ONE_DEAL_CHANGES if n_deals == 1 else CHANGES
    paths = deal_files(world, deals)
    if how != "working lock":
        break_the_lock_folder(world, how)
    try:
        started = time.monotonic()
        results = run_workers(world.root, deals, changes)
        took = time.monotonic() - started
    finally:
        cache = world.root / ".funnelctl-cache"
        if cache.is_dir():
            cache.chmod(0o700)

    recorded = {deal: Counter(a["goal"] for a in
                              yaml.safe_load(path.read_text(encoding="utf-8")).get("actions")
                              or [])
                for deal, path in paths.items()}
    ok = [r for r in results if r["code"] == 0]
    failed = [r for r in results if r["code"] != 0]
    lost = [r["goal"] for r in ok if recorded[r["deal"]][r["goal"]] != 1]
    assert not lost, f"{len(lost)} of {len(ok)} changes that exited 0 are not in the file " \
        f"once: {lost[:10]}"
    left = [r["goal"] for r in failed if any(r["goal"] in c for c in recorded.values())]
    assert not left, f"changes that failed left their action: {left[:10]}"
    assert sum(sum(c.values()) for c in recorded.values()) == len(ok), recorded
    # nothing failed: with a working lock a write waits for it, without one it locks the
    # deal's folder instead
    assert not failed, f"{len(failed)} changes failed, e.g. {failed[0]}"
    res = world.run("validate", cache=False)
    assert res.exit_code == 0, res.output
    # no write was killed: none left a temporary file
    leftovers = [p.name for p in (world.root / "deals").rglob(".*.tmp")]
    assert not leftovers, leftovers
    print(f"\n{how}, {n_deals} deal(s): {PROCESSES} x {changes} changes in {took:.1f} s")
