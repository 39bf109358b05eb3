"""A write killed at any moment leaves the old file or the new one, never half of one,
and nothing in ``git status`` but that file.

Two tests against a real git repository in tmp_path:

* random kills: every write command runs as its own ``python -m funnelctl`` process
  and is SIGKILLed after a random delay drawn over the whole run of the command
  (uniform between 0 and 1.2x its run time, tracked as the kills go), 200+ times in
  all, in four independent repositories at once;
* kills at every file-system step: the write runs under an audit hook that counts
  the steps it takes on the pipeline's files (open for writing, each write, chmod,
  rename, link, unlink, mkdir) and is SIGKILLed at step k, for every k; killed at a
  write, it writes half of its data first. Random kills land mostly in the
  interpreter's start-up; these hit the few milliseconds in which the file is written.

After each kill: every file the write touches holds its old or its new content (the
content a completed run of the same command writes) and reads as what it is, and
``git status`` shows nothing but those files. The repository's .gitignore is the one
funnelctl's own repository has: ``.funnelctl-cache/`` and ``.*.tmp``.
"""

from __future__ import annotations

import json
import os
import random
import select
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import pytest
from typer.main import get_command

from funnelctl.cli.app import app
from funnelctl.store import StoreError, load_pipeline, read_deal, validate_pipeline_text

from .conftest import STAGES

TODAY = "2026-11-24"

# What the repository's own .gitignore says about funnelctl's files (and what a
# pipeline made by `funnelctl init` must say): a killed write's temporary file and
# the cache folder are never shown by git
GITIGNORE = ".funnelctl-cache/\n# a write in progress\n.*.tmp\n"

ACME = """\
# Acme Pumps: line 3 cooling pumps
id: acme
title: Line 3 cooling   # as the customer calls it
account: "Acme Pumps"
owner: ann
amount: 120000
created: 2026-11-01
stage: lead
status: open
contacts:
  - name: Zhang Min
    role: plant director
    decision_maker: true
history:
  - stage: lead
    date: 2026-11-01

# what the customer has passed
milestones:
  need_identified:
    date: 2026-11-02
    evidence: 'asked for a quote'
levels:
  need: {level: 2, date: 2026-11-02, evidence: stated}
next:
  date: 2026-11-28
  step: call the CFO
crm_ref: X-1   # a key the team added
"""

# ready to sign: every milestone ticked, power 4
BOLT = """\
id: bolt
title: Port crane service
account: Bolt Logistics
owner: bob
amount: 60000
created: 2026-11-01
stage: negotiation
status: open
history:
  - stage: lead
    date: 2026-11-01
  - stage: negotiation
    date: 2026-11-03
milestones:
  need_identified: {date: 2026-11-02, evidence: mail}
  budget_approved: {date: 2026-11-02, evidence: mail}
  solution_accepted: {date: 2026-11-02}
  terms_agreed: {date: 2026-11-03}
levels:
  need: {level: 2, date: 2026-11-02, evidence: stated}
  power: {level: 4, date: 2026-11-02, evidence: met}
"""

CHANGED_DEALS = {"deals/acme.yaml": ACME, "deals/east/bolt.yaml": BOLT}


@dataclass(frozen=True)
class Write:
    name: str
    args: tuple[str, ...]  # "{root}" stands for the repository
    paths: tuple[str, ...]  # the files it may create or change, relative to the root

    def argv(self, root: Path) -> list[str]:
        return [a.replace("{root}", str(root)) for a in self.args]


WRITES = [
    Write("new", ("new", "--account", "Delta Foods", "--title", "Cold store", "--owner", "ann",
                  "--amount", "50000", "--close", "2027-03-31", "--id", "delta-cold",
                  "--folder", "east"), ("deals/east/delta-cold.yaml",)),
    Write("act", ("act", "acme", "--kind", "visit", "--goal", "confirm the project",
                  "--result", "plant manager confirmed line 3", "--moved",
                  "--next", "2026-12-01: site survey"), ("deals/acme.yaml",)),
    Write("tick", ("tick", "acme", "budget_approved", "--evidence", "CFO mail of 20 Nov"),
          ("deals/acme.yaml",)),
    Write("score", ("score", "acme", "power", "3", "--evidence", "met the plant director"),
          ("deals/acme.yaml",)),
    Write("advance", ("advance", "acme"), ("deals/acme.yaml",)),
    Write("win", ("win", "bolt"), ("deals/east/bolt.yaml",)),
    Write("lose", ("lose", "acme", "--reason", "competitor", "--competitor", "Grundfos"),
          ("deals/acme.yaml",)),
    Write("snooze", ("snooze", "acme", "--until", "2027-01-15", "--reason", "budget cycle"),
          ("deals/acme.yaml",)),
    Write("init", ("init", "{root}/sales"), ("sales/stages.yaml", "sales/.gitignore",
                                              "sales/.gitattributes", "sales/deals/.gitkeep",
                                              "sales/.funnelctl/deal.schema.json")),
    # the editor (EDITOR_SCRIPT, in env()) adds a line, as a user would
    Write("edit", ("edit", "acme"), ("deals/acme.yaml",)),
    Write("git-setup", ("git-setup",), (".gitattributes",)),
    Write("reassign", ("reassign", "--from", "ann", "--to", "cy", "--reason", "left"),
          ("deals/acme.yaml",)),
    Write("contact", ("contact", "add", "acme", "Wang Li", "--role", "CFO", "--veto",
                      "--met", "2026-11-20"), ("deals/acme.yaml",)),
    Write("assign", ("assign", "acme", "legal", "eva.law"), ("deals/acme.yaml",)),
    Write("strategy", ("strategy", "acme", "--plan", "reference visit", "--missing",
                       "the CFO's budget"), ("deals/acme.yaml",)),
    Write("check", ("check", "acme", "--note", "CFO met, waiting for legal", "--manager",
                    "mia"), ("deals/acme.yaml",)),
    Write("judge", ("judge", "acme", "keep", "--reason", "budget approved for Q1",
                    "--manager", "mia"), ("deals/acme.yaml",)),
    Write("import", ("import", "{root}/in.csv", "--write"),
          ("deals/delta-foods-cold-store.yaml",)),
]
BY_NAME = {w.name: w for w in WRITES}

# The commands that only read: every other command `funnelctl --help` lists is a write
READ_COMMANDS = {"funnel", "board", "stalls", "target", "forecast", "review", "show", "list",
                 "plan", "validate", "schema",
                 # git runs it on temporary files of its own, never on the pipeline's
                 "merge-driver", "history", "audit", "report", "account", "load", "day", "month",
                 "losses", "export"}


def test_every_write_command_is_killed() -> None:
    commands = set(get_command(app).commands)
    assert commands - READ_COMMANDS == set(BY_NAME), (
        "a command was added or removed: list it in WRITES (it writes) or READ_COMMANDS")


# -- a repository ------------------------------------------------------------------


# `edit`'s editor: appends a line to the file it is given, with no terminal
EDITOR_SCRIPT = "import sys; open(sys.argv[1], 'a').write('notes: edited by hand\\n')"


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith("FUNNELCTL_")}
    e["NO_COLOR"] = "1"
    e["VISUAL"] = shlex.join([sys.executable, "-c", EDITOR_SCRIPT])
    return e


def git(root: Path, *args: str) -> str:
    res = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                         env=env())
    assert res.returncode == 0, f"git {' '.join(args)}: {res.stderr}"
    return res.stdout


def make_repo(root: Path) -> Path:
    (root / "deals" / "east").mkdir(parents=True)
    # negotiation needs finance and legal: `assign` names a role a stage names
    (root / "stages.yaml").write_text(STAGES.replace(
        "    requires:\n      power: 4\n",
        "    requires:\n      power: 4\n    roles: [finance, legal]\n"), encoding="utf-8")
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    # what `import` reads (committed with the rest: git status shows only what it adds)
    (root / "in.csv").write_text("id,account,title,owner,amount,stage,created\n"
                                 "7,Delta Foods,Cold store,ann,50000,lead,2026-11-02\n",
                                 encoding="utf-8")
    for rel, text in CHANGED_DEALS.items():
        (root / rel).write_text(text, encoding="utf-8")
    (root / "deals" / "east" / "carl.yaml").write_text(textwrap.dedent("""\
        id: carl
        title: Forklifts
        account: Carl Steel
        owner: bob
        amount: 30000
        created: 2026-11-05
        stage: lead
        status: open
        history:
          - stage: lead
            date: 2026-11-05
        """), encoding="utf-8")
    git(root, "init", "-q")
    git(root, "config", "user.name", "Kill Test")
    git(root, "config", "user.email", "kill@test.invalid")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "pipeline")
    return root


def copy_repo(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest, symlinks=True)
    return dest


def snapshot(root: Path, w: Write) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for rel in w.paths:
        try:
            out[rel] = (root / rel).read_bytes()
        except FileNotFoundError:
            out[rel] = None
    return out


def changed_paths(root: Path) -> set[str]:
    """What `git status` shows: modified, added, deleted and untracked files (each file
    of an untracked folder), never an ignored one."""
    out = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all")
    return {entry[3:] for entry in out.split("\0") if entry}


def temporaries(root: Path, w: Write) -> list[str]:
    """Hidden temporary files a killed write left beside the files it writes."""
    found = []
    for folder in {(root / rel).parent for rel in w.paths}:
        if folder.is_dir():
            found += [f"{folder.name}/{p.name}" for p in folder.iterdir()
                      if p.name.startswith(".") and p.name.endswith(".tmp")]
    return sorted(found)


def parse_problems(root: Path, rel: str, data: bytes) -> list[str]:
    """Why ``data`` is not a readable file of its kind (empty: it reads cleanly).

    Called from the main thread only: yaml_rs 0.1.6 (funnelctl's fast reader)
    segfaults when its module was first imported in a thread that has ended since and
    is then called from another thread (read_deal imports it lazily)."""
    if rel.endswith("stages.yaml"):
        try:
            validate_pipeline_text(data)
        except StoreError as exc:
            return [exc.message, *map(str, exc.problems)]
        return []
    if rel.endswith((".gitignore", ".gitattributes")):
        return [] if data.endswith(b"\n") else [f"a {rel} cut short"]
    if rel.endswith(".gitkeep"):
        return [] if data == b"" else ["a .gitkeep that is not empty"]
    if rel.endswith(".json"):
        try:
            json.loads(data)
        except ValueError as exc:
            return [f"{rel} is not JSON: {exc}"]
        return []
    deal, problems = read_deal(root, rel, load_pipeline(root, use_cache=False), data)
    return ["not a deal"] * (deal is None) + [str(p) for p in problems]


Seen = set[tuple[str, bytes]]


def check(root: Path, w: Write, old: dict, new: dict, what: str, seen: Seen) -> str:
    """The state a killed write left: each file old or new, nothing else changed; the
    contents found are added to ``seen``, for ``check_readable``. Returns "old", "new"
    or "mixed" (init: one file new, the other not yet)."""
    now = snapshot(root, w)
    for rel in w.paths:
        assert now[rel] in (old[rel], new[rel]), (
            f"{what}: {rel} is neither the old nor the new content:\n"
            f"{(now[rel] or b'<missing>').decode('utf-8', 'replace')!r}")
        if now[rel] is not None:
            seen.add((rel, now[rel]))
    shown = changed_paths(root)
    assert shown <= set(w.paths), f"{what}: git status shows more than {w.paths}: {shown}"
    if now == old:
        return "old"
    return "new" if now == new else "mixed"


def check_readable(root: Path, seen: Seen) -> None:
    """Every content a killed write left reads as what it is (in the main thread)."""
    for rel, data in seen:
        problems = parse_problems(root, rel, data)
        assert not problems, f"{rel} as a killed write left it does not read: {problems}"


def restore(root: Path, w: Write, old: dict) -> None:
    if w.name == "init":
        shutil.rmtree(root / "sales", ignore_errors=True)
    for rel, data in old.items():
        path = root / rel
        if data is None:
            path.unlink(missing_ok=True)
        elif path.read_bytes() != data:
            git(root, "checkout", "-q", "--", rel)
    assert snapshot(root, w) == old, "restore failed"


def funnelctl(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "funnelctl", "--dir", str(root), "--today", TODAY, *args]


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(funnelctl(root, *args), capture_output=True, text=True, env=env(),
                          cwd=root, timeout=60)


def reference(template: Path, dest: Path, w: Write) -> tuple[dict, dict, float]:
    """The old and the new content of the write's files (what a completed run leaves),
    and how long a run takes once the cache is built (the first run builds it)."""
    root = copy_repo(template, dest)
    old = snapshot(root, w)
    for _ in range(2):
        restore(root, w, old)
        start = time.monotonic()
        res = run(root, *w.argv(root))
        took = time.monotonic() - start
        assert res.returncode == 0, f"{w.name}: {res.stdout}{res.stderr}"
    new = snapshot(root, w)
    assert new != old and all(v is not None for v in new.values()), f"{w.name} wrote nothing"
    assert changed_paths(root) == set(w.paths), f"{w.name}: {changed_paths(root)}"
    return old, new, took


# -- kills at random moments --------------------------------------------------------

KILLS_PER_WRITE = 23  # 9 writes: 207 kills
REPOS = 4  # repositories killed in at once, one thread each
SPREAD = 1.2  # the delay is uniform between 0 and SPREAD x the command's run time
# The run time changes with the machine's load (0.1 s idle, 2 s when four processes
# share a core with others), so it is tracked as the kills go: after a run that ended
# before its kill the estimate shrinks, after a kill it grows, in the ratio that settles
# where 1 kill in 6 comes after the end, as it does when the delay is uniform over 1.2x
# an exact run time.
AFTER_END, BEFORE_END = 0.9, 1.02


def test_a_write_killed_at_a_random_moment_leaves_the_old_or_the_new_file(
        tmp_path: Path) -> None:
    seed = int(os.environ.get("FUNNELCTL_KILL_SEED", time.time_ns() % 1_000_000))
    template = make_repo(tmp_path / "template")
    started = time.monotonic()
    with ThreadPoolExecutor(REPOS) as pool:
        refs = dict(zip(BY_NAME, pool.map(
            lambda w: reference(template, tmp_path / f"ref-{w.name}", w), WRITES), strict=True))
    # the run time of each write as the kills find it, in any repository
    run_time = {name: took for name, (_, _, took) in refs.items()}

    def worker(n: int) -> tuple[list[tuple[str, str, float]], Seen]:
        """Kill each write its share of KILLS_PER_WRITE times in a repository of its
        own; returns every round as (write, outcome, delay) and the contents seen."""
        rng = random.Random(seed * 100 + n)
        quota = KILLS_PER_WRITE // REPOS + (n < KILLS_PER_WRITE % REPOS)
        root = copy_repo(template, tmp_path / f"repo-{n}")
        seen: Seen = set()
        rounds: list[tuple[str, str, float]] = []
        kills, tries = Counter[str](), Counter[str]()
        todo = list(WRITES)
        while todo:
            for w in list(todo):
                old, new, _ = refs[w.name]
                delay = rng.uniform(0, SPREAD * run_time[w.name])
                what = f"{w.name} killed after {delay:.3f} s (seed {seed}, repo {n})"
                proc = subprocess.Popen(funnelctl(root, *w.argv(root)), cwd=root, env=env(),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                time.sleep(delay)
                proc.kill()  # SIGKILL; nothing if it has ended already
                _, err = proc.communicate(timeout=60)
                assert proc.returncode in (0, -signal.SIGKILL), (
                    f"{what}: exit {proc.returncode}: {err.decode('utf-8', 'replace')}")
                killed = proc.returncode == -signal.SIGKILL
                run_time[w.name] *= BEFORE_END if killed else AFTER_END
                outcome = check(root, w, old, new, what, seen)
                if temporaries(root, w):
                    outcome += "+tmp"
                rounds.append((w.name, outcome if killed else "finished", delay))
                restore(root, w, old)
                kills[w.name] += killed
                tries[w.name] += 1
                if kills[w.name] >= quota or tries[w.name] >= 3 * quota:
                    todo.remove(w)
        # what the kills left (temporary files, a half-written cache) hides from git
        # and from every reader
        res = run(root, "validate")
        assert res.returncode == 0, f"validate after the kills: {res.stdout}{res.stderr}"
        assert not changed_paths(root)
        return rounds, seen

    with ThreadPoolExecutor(REPOS) as pool:
        results = list(pool.map(worker, range(REPOS)))
    rounds = [r for rs, _ in results for r in rs]
    check_readable(template, set().union(*(seen for _, seen in results)))
    elapsed = time.monotonic() - started

    outcomes = Counter(o for _, o, _ in rounds)
    per_write = Counter(name for name, o, _ in rounds if o != "finished")
    print(f"\n{len(rounds)} kill rounds in {elapsed:.1f} s (seed {seed}): {dict(outcomes)}; "
          f"kills per write {dict(per_write)}; median delay "
          + ", ".join(f"{name} {median(d for n, _, d in rounds if n == name):.2f} s"
                      for name in BY_NAME))
    assert sum(per_write.values()) >= 200, f"only {sum(per_write.values())} kills: {outcomes}"
    # the kills landed across the run: before the file was written, and after the run
    # had ended
    assert any(o.startswith("old") for o in outcomes) and outcomes["finished"], outcomes


# -- kills at every file-system step ------------------------------------------------

# A fork server: it imports funnelctl once, then for each job read from stdin forks a
# child that runs funnelctl's entry point (as `python -m funnelctl` does) under an
# audit hook. The hook counts every step the child takes on the pipeline's files (open
# for writing, each write, chmod, rename, link, unlink, mkdir; not in the cache folder,
# which is checked on every read and rebuilt when damaged), logs it, and SIGKILLs the
# child at step ``crash_at`` (0: never); killed at a write, the child writes half of
# the data first. The child is a real process killed by a real SIGKILL; only the
# interpreter's start-up and a command's first-run imports (0.3-1 s on a busy machine)
# are paid once instead of 80 times.
HARNESS = r"""
import builtins, io, json, os, signal, sys
from funnelctl.cli import app as cli
for name in ("funnelctl.edits", "funnelctl.yamlio", "funnelctl.store", "funnelctl.checks",
             "funnelctl.readmodel", "ruamel.yaml", "rich.console"):
    __import__(name)  # what the commands import lazily: each child would import it again

WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
EVENTS = {"open", "os.rename", "os.link", "os.remove", "os.mkdir", "os.chmod", "os.truncate"}
job = None  # set in the child only
busy = False


def ours(path):
    if isinstance(path, int):
        try:
            path = os.readlink(f"/proc/self/fd/{path}")
        except OSError:
            return None
    if not isinstance(path, (str, bytes, os.PathLike)):
        return None
    p = os.path.realpath(os.fsdecode(path))
    root, cache = job["root"], job["cache"]
    if p.startswith(root + os.sep) and not (p == cache or p.startswith(cache + os.sep)):
        return os.path.relpath(p, root)
    return None


def step(label, before_kill=None):
    job["count"] += 1
    os.write(job["log_fd"], f"{label}\n".encode())
    if job["count"] == job["crash_at"]:
        if before_kill:
            before_kill()
        os.kill(os.getpid(), signal.SIGKILL)


def hook(event, args):
    global busy
    if job is None or busy or event not in EVENTS:
        return
    busy = True
    try:
        if event == "open":
            path, mode, flags = args
            writing = flags & WRITING if isinstance(flags, int) else \
                any(c in (mode or "") for c in "wax+")
            rel = ours(path) if writing else None
        else:
            rel = ours(args[0])
        if rel:
            step(f"{event} {rel}")
    finally:
        busy = False


class Writer:
    def __init__(self, f, rel):
        self._f, self._rel = f, rel

    def write(self, data):
        def half():
            self._f.write(data[: len(data) // 2])
            self._f.flush()
        step(f"write {self._rel} ({len(data)})", half)
        return self._f.write(data)

    def __enter__(self):
        self._f.__enter__()
        return self

    def __exit__(self, *exc):
        return self._f.__exit__(*exc)

    def __iter__(self):
        return iter(self._f)

    def __getattr__(self, name):
        return getattr(self._f, name)


real_open = io.open


def patched_open(file, mode="r", *args, **kw):
    f = real_open(file, mode, *args, **kw)
    if job is not None and any(c in mode for c in "wax+"):
        rel = ours(file)
        if rel:
            return Writer(f, rel)
    return f


io.open = builtins.open = patched_open
sys.addaudithook(hook)
for line in sys.stdin:
    request = json.loads(line)
    if request["crash_at"] < 0:  # a warm-up, in this process: what a command imports and
        # builds on its first run (pydantic's models of stages.yaml) each child then has
        import contextlib
        from typer.main import get_command
        with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), \
                contextlib.redirect_stderr(null):
            code = get_command(cli.app).main(request["args"], standalone_mode=False)
        print(json.dumps(code or 0), flush=True)
        continue
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        try:
            root = os.path.realpath(request["root"])
            out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.chdir(root)
            sys.argv = ["funnelctl", *request["args"]]
            job = {"root": root, "cache": os.path.join(root, ".funnelctl-cache"), "count": 0,
                   "crash_at": request["crash_at"],
                   "log_fd": os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)}
            cli.main()
        finally:
            os._exit(70)
    _, status = os.waitpid(pid, 0)
    print(json.dumps(os.waitstatus_to_exitcode(status)), flush=True)
"""


class Harness:
    def __init__(self, folder: Path):
        self.folder = folder
        self.jobs = 0
        self.proc = subprocess.Popen([sys.executable, "-c", HARNESS], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env())

    def run(self, root: Path, args: list[str], crash_at: int = 0) -> tuple[int, list[str], str]:
        """Run funnelctl with ``args`` on ``root``, killed at step ``crash_at`` (-1: run
        it in the harness itself, to warm it up): its exit code, the steps it took and
        what it printed."""
        self.jobs += 1
        log, out = self.folder / f"{self.jobs}.log", self.folder / f"{self.jobs}.out"
        request = {"root": str(root), "crash_at": crash_at, "log": str(log), "out": str(out),
                   "args": ["--dir", str(root), "--today", TODAY, *args]}
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], 120)
        assert ready, f"funnelctl {' '.join(args)} on {root} hangs"
        reply = self.proc.stdout.readline()
        assert reply, "the harness died"
        if crash_at < 0:
            return json.loads(reply), [], ""
        return json.loads(reply), log.read_text().splitlines(), out.read_text()

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory):
    if not Path("/proc/self/fd").is_dir() or not hasattr(os, "fork"):
        pytest.skip("the harness forks and finds a file's path through /proc/self/fd")
    h = Harness(tmp_path_factory.mktemp("harness"))
    yield h
    h.close()


@pytest.mark.parametrize("name", [w.name for w in WRITES])
def test_a_write_killed_at_any_file_system_step_leaves_the_old_or_the_new_file(
        tmp_path: Path, harness: Harness, name: str) -> None:
    w = BY_NAME[name]
    template = make_repo(tmp_path / "template")
    old = snapshot(template, w)
    warm = copy_repo(template, tmp_path / "warm")
    assert harness.run(warm, w.argv(warm), crash_at=-1)[0] == 0
    ref = copy_repo(template, tmp_path / "ref")
    code, steps, out = harness.run(ref, w.argv(ref))
    assert code == 0, out
    new = snapshot(ref, w)
    assert new != old, f"{w.name} wrote nothing"
    assert w.name == "init" or any(s.startswith(("os.rename", "os.link")) for s in steps), (
        f"{w.name}: no rename or link among the steps {steps}")
    seen: Seen = set()
    outcomes = []
    for k in range(1, len(steps) + 1):
        root = copy_repo(template, tmp_path / f"crash-{k}")
        what = f"{w.name} killed at step {k} of {steps}: {steps[k - 1]!r}"
        code, steps_k, out = harness.run(root, w.argv(root), crash_at=k)
        assert code == -signal.SIGKILL and len(steps_k) == k, (
            f"{what}: not killed there (exit {code}, steps {steps_k}): {out}")
        outcome = check(root, w, old, new, what, seen)
        left = temporaries(root, w)
        outcomes.append(outcome + ("+tmp" if left else ""))
        if outcome == "old" and left and w.name not in ("new", "init", "git-setup"):
            # the next run of the same write does it and clears what the killed one left
            code, _, out = harness.run(root, w.argv(root))
            assert code == 0, f"{what}, then run again: {out}"
            assert snapshot(root, w) == new, f"{what}, then run again: not the new content"
            assert not temporaries(root, w), f"{what}, then run again: {temporaries(root, w)}"
        shutil.rmtree(root)
    check_readable(template, seen)
    where = ref / "sales" if w.name == "init" else ref
    code, _, out = harness.run(where, ["validate"])
    assert code == 0, out
    print(f"\n{w.name}: " + ", ".join(f"{s} -> {o}" for s, o in zip(steps, outcomes,
                                                                     strict=True)))


def test_a_pipeline_made_by_init_hides_a_killed_writes_temporary_file(tmp_path: Path) -> None:
    """A write killed between creating its temporary file and renaming it leaves
    ``.NAME.XXXX.tmp`` beside the deal; in a pipeline `funnelctl init` made, git must
    not show it (the repository's own .gitignore has ``.*.tmp``)."""
    root = tmp_path / "sales"
    res = run(tmp_path, "init", str(root))
    assert res.returncode == 0, res.stderr
    git(root, "init", "-q")
    (root / "deals" / ".acme.yaml.k3j9x1.tmp").write_text("id: ac", encoding="utf-8")
    (root / ".funnelctl-cache").mkdir()
    (root / ".funnelctl-cache" / "pipeline.msgpack").write_bytes(b"\x80")
    assert changed_paths(root) == {"stages.yaml", ".gitignore", ".gitattributes",
                                   "deals/.gitkeep", ".funnelctl/deal.schema.json"}
