"""Measure funnelctl on generated pipelines and print the figures.

    python benchmarks/run.py                      # 1k and 10k deals
    python benchmarks/run.py --sizes 1000 10000 100000 --runs 5 --markdown

For each size: the raw-read floor (reading every deal file's bytes, measured in
the same run), a CPU reference (a fixed loop: a busy host shows there first),
cold (no cache), warm (nothing changed) and one-file-changed times of the read
commands, write times, --help and --version, ``review --since-ref`` on a git
copy of the pipeline with 50 files changed beside a warm review of the same copy,
and the peak memory of each command; each a median of --runs runs of the
installed ``funnelctl`` as a subprocess, with its ratio to the floor. Pipelines
are generated once under bench-data/ (git-ignored) and reused.

    python benchmarks/run.py --baseline /tmp/base/.venv/bin/funnelctl faa7942

adds the main rows of another funnelctl (an earlier commit installed in its own
venv: ``git worktree add /tmp/base faa7942``, then a venv and ``pip install -e``
there), measured in the same run on a copy of each pipeline.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = "2026-11-24"
READS = [["funnel", "--json"], ["stalls"], ["review"], ["target", "10"], ["forecast"],
         ["list", "--json"], ["list"], ["board"], ["validate"]]


def exe() -> str:
    found = shutil.which("funnelctl", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit("funnelctl is not installed beside this Python: pip install -e .")
    return found


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    e.update(FUNNELCTL_TODAY=TODAY, NO_COLOR="1", COLUMNS="100")
    return e


def run(args: list[str], cwd: Path, program: str | None = None) -> tuple[float, int]:
    """Wall seconds and peak memory (KiB) of one command (of ``program``, another
    funnelctl, if given)."""
    t = time.perf_counter()
    proc = subprocess.Popen([program or exe(), *args], cwd=cwd, env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"funnelctl {' '.join(args)} failed: {proc.stderr.read().decode()}")
    proc.stderr.close()
    return wall, usage.ru_maxrss


def median_of(n: int, args: list[str], cwd: Path, before=None,
              program: str | None = None) -> tuple[float, int]:
    walls, peaks = [], []
    for i in range(n):
        if before:
            before(i)
        w, m = run(args, cwd, program)
        walls.append(w)
        peaks.append(m)
    return statistics.median(walls), max(peaks)


def cpu_reference() -> float:
    """A fixed piece of pure Python (ten million additions), to tell a slow machine or
    a busy host from a slow funnelctl when figures of two runs differ."""
    t = time.perf_counter()
    s = 0
    for i in range(10_000_000):
        s += i
    return time.perf_counter() - t


def raw_read(root: Path) -> float:
    """The floor: find and read every deal file's bytes, in this process."""
    t = time.perf_counter()
    for folder, _, names in os.walk(root / "deals"):
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                f.read()
    return time.perf_counter() - t


def some_files(root: Path, n: int) -> list[Path]:
    """A few deal files, found without listing them all: this process stays small, so
    the peak memory of the commands it starts is theirs, not a copy of its own."""
    out: list[Path] = []
    for folder, _, names in os.walk(root / "deals"):
        out += [Path(folder, name) for name in sorted(names)[:n] if name.endswith(".yaml")]
        if len(out) >= n:
            break
    return out[:n]


def ensure_pipeline(size: int) -> Path:
    root = ROOT / "bench-data" / f"{size}"
    if not (root / "stages.yaml").exists() or \
            sum(len(names) for _, _, names in os.walk(root / "deals")) != size:
        print(f"generating {size} deals in {root} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(root), "--deals",
                        str(size), "--reps", str(max(4, size // 250)), "--folders"], check=True)
        time.sleep(2.1)  # let the files age past the cache's racy window
    return root


def measure(size: int, runs: int) -> list[tuple[str, float, int | None]]:
    root = ensure_pipeline(size)
    rows: list[tuple[str, float, int | None]] = []
    floor = statistics.median(raw_read(root) for _ in range(3))
    rows.append(("raw read of all files (floor)", floor, None))
    rows.append(("cpu reference: 10M additions in Python", cpu_reference(), None))
    cache = root / ".funnelctl-cache"

    def drop_cache(_: int) -> None:
        shutil.rmtree(cache, ignore_errors=True)

    run(["--version"], root)  # compile bytecode once
    w, m = median_of(min(runs, 3), ["funnel", "--json"], root, drop_cache)
    rows.append(("cold: funnel --json (builds the cache)", w, m))
    w, m = median_of(min(runs, 3), ["--no-cache", "funnel", "--json"], root)
    rows.append(("--no-cache funnel --json", w, m))
    run(["validate"], root)  # warm the cache
    for args in READS:
        w, m = median_of(runs, args, root)
        rows.append((f"warm: {' '.join(args)}", w, m))
    files = some_files(root, 50)

    def touch_one(i: int) -> None:
        path = files[(i * 7919) % len(files)]
        path.write_bytes(path.read_bytes())  # same bytes, new mtime: re-parsed

    w, m = median_of(runs, ["funnel", "--json"], root, touch_one)
    rows.append(("one file changed: funnel --json", w, m))
    work = root.parent / f"{size}-writes"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(root, work, ignore=shutil.ignore_patterns(".funnelctl-cache"))
    ids = [p.stem for p in some_files(work, runs * 3)]
    writes = [
        ("write: act", lambda d: ["act", d, "--kind", "call", "--goal", "check the budget"]),
        ("write: score", lambda d: ["score", d, "goal", "2", "--evidence", "benchmark"]),
        ("write: tick", lambda d: ["tick", d, "need_identified", "--evidence", "benchmark"]),
        ("write: advance (refused or done)", lambda d: ["advance", d]),
    ]
    for label, make in writes:
        walls, peaks = [], []
        for i in range(runs):
            wv, mv = run(make(ids[i]), work)
            walls.append(wv)
            peaks.append(mv)
        rows.append((label, statistics.median(walls), max(peaks)))
    walls = []
    for i in range(runs):
        wv, _ = run(["new", "--account", f"Bench {i}", "--title", "new deal", "--owner",
                     "rep000", "--amount", "1000"], work)
        walls.append(wv)
    rows.append(("write: new", statistics.median(walls), None))
    shutil.rmtree(work, ignore_errors=True)
    for args in (["--help"], ["--version"]):
        w, m = median_of(runs, args, root)
        rows.append((" ".join(args), w, m))
    rows += since_ref_rows(root, size, runs)
    if BASELINE:
        rows += baseline_rows(root, size, runs)
    return rows


BASELINE: list[str] = []  # --baseline: another funnelctl and its name


def baseline_rows(root: Path, size: int, runs: int) -> list[tuple[str, float, int | None]]:
    """The main figures of another funnelctl (an earlier commit's, installed in its own
    venv) in this same run, on a copy of the pipeline with its own cache: what a change
    gained, apart from how fast this machine is today."""
    program, name = BASELINE
    work = root.parent / f"{size}-baseline"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(root, work, ignore=shutil.ignore_patterns(".funnelctl-cache"))
    time.sleep(2.1)  # past the cache's racy window
    cache = work / ".funnelctl-cache"

    def drop_cache(_: int) -> None:
        shutil.rmtree(cache, ignore_errors=True)

    run(["--version"], work, program)
    rows: list[tuple[str, float, int | None]] = []
    w, m = median_of(min(runs, 3), ["funnel", "--json"], work, drop_cache, program)
    rows.append((f"{name}: cold: funnel --json", w, m))
    run(["validate"], work, program)
    for args in (["funnel", "--json"], ["review"], ["list", "--json"], ["list"],
                 ["--version"]):
        w, m = median_of(runs, args, work, program=program)
        rows.append((f"{name}: {'warm: ' if args[0] != '--version' else ''}{' '.join(args)}",
                     w, m))
    shutil.rmtree(work, ignore_errors=True)
    return rows


CHANGED = 50  # deal files changed since the commit review --since-ref compares with
AMOUNT = re.compile(r"^amount: (\d+)$", re.MULTILINE)


def git_copy(root: Path, size: int) -> Path:
    """The pipeline committed to a fresh git repository beside it, then CHANGED deal
    files changed in the working tree (each amount cut by a tenth): what
    ``review --since-ref HEAD`` compares. The files are older than git's index when
    it is written, so that git trusts its stat data as it does in a working clone."""
    work = root.parent / f"{size}-git"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(root, work, ignore=shutil.ignore_patterns(".funnelctl-cache"))
    (work / ".gitignore").write_text(".funnelctl-cache/\n", encoding="utf-8")
    time.sleep(2.1)
    git_env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
               "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "the pipeline"]):
        subprocess.run(["git", *args], cwd=work, env=git_env, check=True)
    changed = 0
    for path in some_files(work, CHANGED * 2):
        text = path.read_text(encoding="utf-8")
        cut = AMOUNT.sub(lambda m: f"amount: {int(m.group(1)) * 9 // 10}", text, count=1)
        if cut != text:
            path.write_text(cut, encoding="utf-8")
            changed += 1
            if changed == CHANGED:
                break
    return work


def since_ref_rows(root: Path, size: int, runs: int) -> list[tuple[str, float, int | None]]:
    """review --since-ref HEAD with CHANGED files changed, against a warm review of the
    same repository, run in turns (a busy host slows both alike), warm (the blobs
    at HEAD parsed by an earlier run) and first (their parse cache removed); and the
    medians of the differences of the pairs, the figures the budget (+0.1 s) is
    about."""
    if shutil.which("git") is None:
        return []
    work = git_copy(root, size)
    run(["validate"], work)  # warm the cache
    since = ["review", "--since-ref", "HEAD"]
    run(since, work)  # compile what only --since-ref imports
    parsed = work / ".funnelctl-cache" / "since.msgpack"

    def first() -> None:
        parsed.unlink(missing_ok=True)

    times: list[list[float]] = [[], [], []]
    peaks = [0, 0, 0]
    for _ in range(runs):
        for i, args, before in ((0, ["review"], None), (1, since, None), (2, since, first)):
            if before:
                before()
            w, m = run(args, work)
            times[i].append(w)
            peaks[i] = max(peaks[i], m)
    shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    plain, warm, cold = times
    return [(f"git, {CHANGED} files changed: warm review", med(plain), peaks[0]),
            (f"git, {CHANGED} files changed: review --since-ref HEAD", med(warm), peaks[1]),
            ("  --since-ref over warm review (paired)",
             med(b - a for a, b in zip(plain, warm, strict=True)), None),
            (f"git, {CHANGED} files changed: first review --since-ref HEAD", med(cold),
             peaks[2]),
            ("  first --since-ref over warm review (paired)",
             med(b - a for a, b in zip(plain, cold, strict=True)), None)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--baseline", nargs=2, metavar=("FUNNELCTL", "NAME"),
                    help="also measure this funnelctl program (an earlier commit's, in "
                    "its own venv), its rows named NAME")
    a = ap.parse_args()
    if a.baseline:
        BASELINE[:] = a.baseline
    results = {size: measure(size, a.runs) for size in a.sizes}
    labels = [r[0] for r in results[a.sizes[0]]]
    if a.markdown:
        head = f"| measured (median of {a.runs}) | " + " | ".join(
            f"{s:,} deals" for s in a.sizes) + " |"
        print(head)
        print("|---|" + "---|" * len(a.sizes))
    for i, label in enumerate(labels):
        cells = []
        for size in a.sizes:
            _, wall, peak = results[size][i]
            floor = results[size][0][1]
            cell = f"{wall:.3f} s"
            if i > 1 and not label.startswith(" "):  # an indented row is a difference
                cell += f" ({wall / floor:.0f}x)"
            if peak:
                cell += f", {peak / 1024:.0f} MB"
            cells.append(cell)
        if a.markdown:
            print(f"| {label} | " + " | ".join(cells) + " |")
        else:
            print(f"{label:<40}" + "".join(f"{c:>28}" for c in cells))
    print(f"\n(x: times the raw-read floor; MB: peak resident memory; {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
