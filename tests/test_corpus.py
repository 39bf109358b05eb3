"""A corpus of bad inputs: one file a case under tests/corpus/ (``deals/NAME.yaml``,
or ``stages/NAME.yaml`` put in place of stages.yaml), each dropped beside two good
deals. For every case:

- ``validate``, run as a process: exit 1 (0 for a file that is fine), every problem
  on ONE line ``path:line: message``, exactly the expected ones; no traceback; under
  2 s of CPU (10 s of wall clock: the machine may be loaded) and 200 MB;
- every read command (--json, and text when the bad file is read as a deal) exits
  0 or 1 without a traceback and changes no file, the good deals are still listed,
  and ``show`` of the bad file says what validate says, one line a problem;
- a write to a file that cannot be read as a deal (or under a broken stages.yaml)
  is refused with exit 1, what is wrong on one line a problem, nothing written; a
  write to a flagged deal does not crash and breaks nothing.

A case whose behaviour today is a product bug states the behaviour it should have
and is xfail(strict=True) on the aspect that fails (``validate``, ``reads`` or
``writes``), the reason saying what happens today.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing

from funnelctl.cli.app import app
from funnelctl.store import CACHE_DIR

from .conftest import REPO, TODAY, World, deal_yaml

CORPUS = Path(__file__).resolve().parent / "corpus"
GOOD = ["good-a", "good-b"]
LONG_ID = "long-" + "x" * 245  # 250 characters: deals/LONG_ID.yaml is 255 bytes long

LEFT_OUT = "left out"  # the file cannot be read as a deal: validate names it, views skip it
FLAGGED = "flagged"  # a deal that breaks a rule: it counts in every view, flagged
FINE = "fine"  # nothing wrong: the file is data (a BOM, control characters in a title)
STAGES = "stages"  # stages.yaml itself is broken: every command stops with its problems

GOAL_SECONDS = 2.0  # of CPU: a loaded machine stretches the wall clock, not this
TIMEOUT_SECONDS = 10.0  # generous: the machine the tests run on may be loaded
MAX_MB = 200


# -- how a case is put in the pipeline -----------------------------------------------


def copy(dest: Path, data: bytes | None) -> None:
    dest.write_bytes(data or b"")


BIG_PAD = 2 << 20  # the corpus file ends with "notes: >": 2 MB of text is appended


def pad_to_2mb(dest: Path, data: bytes | None) -> None:
    dest.write_bytes((data or b"") + b"  " + b"x" * BIG_PAD + b"\n")


def fifo(dest: Path, data: bytes | None) -> None:
    os.mkfifo(dest)


def outside_of(root: Path) -> Path:
    return root.parent / f"{root.name}-outside.yaml"


def symlink_out(dest: Path, data: bytes | None) -> None:
    root = dest.parent.parent
    outside_of(root).write_bytes(data or b"")
    os.symlink(outside_of(root), dest)


def symlink_nowhere(dest: Path, data: bytes | None) -> None:
    os.symlink(dest.parent / "nowhere.txt", dest)


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    lines: tuple[str, ...]  # validate's problem lines, exactly and in order
    src: str | None = ""  # the corpus file ("": deals/NAME.yaml; None: no file)
    dest: str = ""  # where it goes in the pipeline ("": deals/NAME.yaml)
    make: Callable[[Path, bytes | None], None] = copy
    bugs: dict[str, str] = field(default_factory=dict)  # aspect -> what happens today
    bad_id: str | None = ""  # the id a command names it by ("": the file's stem)
    posix: bool = False  # a FIFO, a symlink, a file name that is not UTF-8

    @property
    def source(self) -> Path | None:
        if self.src is None:
            return None
        return CORPUS / (self.src or f"deals/{self.name}.yaml")

    @property
    def target(self) -> str:
        return self.dest or f"deals/{self.name}.yaml"

    @property
    def deal_id(self) -> str | None:
        """The id to give show and the writes (None: no id reaches this file)."""
        if self.bad_id is None:
            return None
        return self.bad_id or os.path.basename(self.target).rsplit(".", 1)[0]


def deal(name: str, kind: str, *lines: str, **kw) -> Case:
    """A deal case: each line is ``LINE: message`` in deals/NAME.yaml (or in the
    file ``dest`` names)."""
    path = kw.get("dest") or f"deals/{name}.yaml"
    return Case(name, kind, tuple(f"{path}:{line}" for line in lines), **kw)


def stages(name: str, *lines: str, **kw) -> Case:
    return Case(f"stages-{name}", STAGES, tuple(f"stages.yaml:{line}" for line in lines),
                src=f"stages/{name}.yaml", dest="stages.yaml", bad_id=None, **kw)


MERGE = "a git merge conflict marker (<<<<<<<): resolve the conflict"
BIG = (CORPUS / "deals/big-file.yaml").stat().st_size + 2 + BIG_PAD + 1

CASES: list[Case] = [
    # -- YAML, bytes and encodings -----------------------------------------------------
    deal("yaml-syntax", LEFT_OUT, "3: not valid YAML: did not find expected ',' or ']'"),
    deal("tab-indent", LEFT_OUT, "10: not valid YAML: found character that cannot start any token"),
    deal("duplicate-key", LEFT_OUT, "12: not valid YAML: duplicate key 'amount'"),
    deal("empty", LEFT_OUT, "1: expected a mapping of deal fields"),
    deal("comment-only", LEFT_OUT, "1: expected a mapping of deal fields"),
    deal("merge-markers", LEFT_OUT, f"5: {MERGE}"),
    deal("utf16-bom", LEFT_OUT, "1: the file is UTF-16, not UTF-8: save it as UTF-8"),
    deal("latin1", LEFT_OUT,
         "2: not valid YAML: unacceptable character #x00fc: invalid leading UTF-8 octet"),
    deal("utf8-bom", FINE),
    deal("nul-byte", LEFT_OUT,
         "2: not valid YAML: unacceptable character #x0000: control characters are not allowed"),
    deal("raw-escape", LEFT_OUT,
         "2: not valid YAML: unacceptable character #x001b: control characters are not allowed"),
    deal("python-tag", LEFT_OUT,
         "2: not valid YAML: unsupported tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    deal("deep-nesting", LEFT_OUT, "12: not valid YAML: exceeded maximum nesting depth"),
    deal("alias-bomb", LEFT_OUT, "13: not valid YAML: too many aliases"),
    deal("self-alias", LEFT_OUT, "12: not valid YAML: an alias refers to itself"),
    deal("multi-document", LEFT_OUT, "13: not valid YAML: but found another document"),
    deal("top-level-list", LEFT_OUT, "1: expected a mapping of deal fields"),
    deal("scalar-file", LEFT_OUT, "1: expected a mapping of deal fields"),
    deal("list-for-mapping", LEFT_OUT, "12: milestones: Input should be a valid dictionary"),
    deal("big-file", LEFT_OUT, f"1: the file is {BIG:,} bytes, over the limit of 1,048,576: "
                               f"not read", make=pad_to_2mb),
    # -- fields and values -------------------------------------------------------------
    deal("missing-owner", LEFT_OUT, "1: missing 'owner'"),
    deal("bad-status", LEFT_OUT, "8: status: Input should be 'open', 'won' or 'lost'"),
    deal("empty-history", LEFT_OUT,
         "9: history: List should have at least 1 item after validation, not 0"),
    deal("impossible-date", LEFT_OUT, "6: created: expected a date YYYY-MM-DD"),
    deal("amount-inf", LEFT_OUT, "5: amount: Input should be a finite number"),
    deal("amount-nan", LEFT_OUT, "5: amount: Input should be a finite number"),
    deal("amount-negative", LEFT_OUT, "5: amount: Input should be greater than or equal to 0"),
    deal("amount-comma", LEFT_OUT,
         "5: amount: Input should be a valid number, unable to parse string as a number"),
    deal("amount-text", LEFT_OUT,
         "5: amount: Input should be a valid number, unable to parse string as a number"),
    deal("id-with-slash", LEFT_OUT,
         "1: id 'east/id-with-slash': use letters, digits, '.', '_' and '-' only"),
    deal("long-id", LEFT_OUT, "1: id: String should have at most 100 characters",
         dest=f"deals/{LONG_ID}.yaml"),
    deal("id-mismatch", FLAGGED, "1: id 'acme-cooling' differs from the file name 'id-mismatch'"),
    deal("duplicate-id", FLAGGED, "1: id 'good-a' is also used by deals/good-a.yaml",
         src="deals/duplicate-id.yaml", dest="deals/archive/good-a.yaml"),
    # walked in name order, GOOD-A.yaml before good-a.yaml: the second is reported
    Case("case-duplicate-id", FLAGGED, (
        "deals/good-a.yaml:1: id 'good-a' is also used, as 'GOOD-A', by deals/GOOD-A.yaml",),
         dest="deals/GOOD-A.yaml"),
    deal("unknown-stage", FLAGGED,
         "7: unknown stage 'closing' (stages: lead, nurture, evaluation, negotiation, won)",
         "10: history names unknown stage 'closing'"),
    deal("unknown-milestone", FLAGGED, "13: unknown milestone 'nda_signed'"),
    deal("level-9", FLAGGED, "13: need level 9 does not exist (0..4)"),
    deal("unknown-ladder", FLAGGED, "13: unknown ladder 'budget'"),
    deal("unknown-action-kind", FLAGGED,
         "13: unknown action kind 'fax' (kinds: visit, call, demo)"),
    deal("unknown-loss-reason", FLAGGED,
         "12: unknown loss reason 'weather' (reasons: competitor, no_decision, other)"),
    deal("history-back-in-time", FLAGGED,
         "13: history goes back in time: 2026-11-05 after 2026-11-10"),
    deal("history-future", FLAGGED, f"13: history date 2026-12-15 is after today ({TODAY})"),
    deal("close-before-created", FLAGGED,
         "7: close 2026-10-01 is before the deal was created (2026-11-01)"),
    deal("won-without-outcome", FLAGGED, "8: a won deal needs outcome.date"),
    deal("lost-without-reason", FLAGGED, "12: a lost deal needs outcome.reason"),
    # control characters and bidi overrides in a title are data: they must load
    deal("escape-in-title", FINE),
    deal("c1-in-title", FINE),
    deal("bidi-in-title", FINE),
    # -- what a collaborator may put in deals/ besides a file ------------------------------
    deal("fifo", LEFT_OUT, "1: not a regular file (a FIFO, device or folder): not read",
         src=None, make=fifo, posix=True),
    deal("symlink-out", LEFT_OUT, "1: a symlink that leads out of the repository: not read",
         make=symlink_out, posix=True),
    deal("symlink-nowhere", LEFT_OUT, "1: a symlink that leads nowhere", src=None,
         make=symlink_nowhere, posix=True),
    Case("non-utf8-name", LEFT_OUT,
         ("deals/\\xff.yaml:1: the file name is not valid UTF-8: rename it",),
         src="deals/non-utf8-name.yaml", dest=os.fsdecode(b"deals/\xff.yaml"), bad_id=None,
         posix=True),
    # -- stages.yaml -----------------------------------------------------------------------
    stages("yaml-syntax", "2: not valid YAML: did not find expected ',' or ']'"),
    stages("duplicate-key", "2: not valid YAML: duplicate key 'currency'"),
    stages("empty", "1: expected a mapping of settings"),
    stages("list", "1: expected a mapping of settings"),
    stages("duplicate-stage", "11: stage id 'lead' appears twice"),
    stages("probability", "5: probability must be between 0 and 1, not 1.5"),
    stages("unknown-ladder", "21: stage 'nurture' requires ladder 'budget', which is not "
                             "defined (ladders: need, power)"),
    stages("merge-markers", f"1: {MERGE}"),
    stages("latin1",
           "4: not valid YAML: unacceptable character #x00fc: invalid leading UTF-8 octet"),
]


def params(aspect: str, cases: list[Case] = CASES) -> list:
    out = []
    for c in cases:
        marks = []
        if aspect in c.bugs:
            marks.append(pytest.mark.xfail(strict=True, reason=c.bugs[aspect]))
        if c.posix:
            marks.append(pytest.mark.skipif(sys.platform == "win32", reason="POSIX files"))
        out.append(pytest.param(c, id=c.name, marks=marks))
    return out


def test_the_corpus_is_complete() -> None:
    """Forty kinds and more; every file of the corpus is a case, every case's file is
    there, and no two cases share a name."""
    assert len(CASES) >= 40
    names = [c.name for c in CASES]
    assert len(set(names)) == len(names)
    used = {c.source for c in CASES if c.source is not None}
    assert all(p.is_file() for p in used), sorted(str(p) for p in used if not p.is_file())
    on_disk = set(CORPUS.glob("deals/*.yaml")) | set(CORPUS.glob("stages/*.yaml"))
    assert on_disk == used


# -- the pipeline around a case ----------------------------------------------------------


@functools.cache
def _command(app_: typer.Typer) -> Any:
    return typer.main.get_command(app_)


@pytest.fixture(autouse=True)
def _build_the_click_command_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """typer's test runner builds the click command from the app at every invoke,
    four fifths of a short command's time: the thousand runs of this module build it
    once (the command keeps no state from one run to the next)."""
    if hasattr(typer.testing, "_get_command"):
        monkeypatch.setattr(typer.testing, "_get_command", _command)


def build(root: Path, case: Case) -> str | None:
    """Two good deals and the case's file in ``root`` (a World's); the reason to skip
    the case on this system, if any."""
    (root / "deals/good-a.yaml").write_text(deal_yaml("good-a"), encoding="utf-8")
    (root / "deals/good-b.yaml").write_text(deal_yaml("good-b", owner="bob"), encoding="utf-8")
    dest = root / case.target
    assert case.kind == STAGES or not os.path.lexists(dest), f"{case.target} is a good deal"
    dest.parent.mkdir(parents=True, exist_ok=True)
    case.make(dest, case.source.read_bytes() if case.source else None)
    if case.name == "case-duplicate-id" and os.path.samefile(dest, root / "deals/good-a.yaml"):
        return "a case-insensitive file system: GOOD-A.yaml is good-a.yaml"
    # files as a pipeline holds them, written a while ago: the parse cache keeps a file
    # changed within a few seconds out of it (it may still be changing), and the views
    # after the first then read this case from the cache, as they do in daily use
    then = time.time() - 3600
    for folder, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), (then, then), follow_symlinks=False)
    if os.path.lexists(outside_of(root)):
        os.utime(outside_of(root), (then, then))
    return None


def built(world, case: Case, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``world`` with the case in it; the working folder is its root, so that a file a
    command wrongly creates shows among the files compared."""
    monkeypatch.chdir(world.root)
    skip = build(world.root, case)
    if skip:
        pytest.skip(skip)
    return world.root


def snapshot(root: Path) -> dict[str, object]:
    """Every entry under the root but funnelctl's cache: a file's hash, a link's target
    (and the hash of what it leads to), the type of anything else. A FIFO is never
    opened."""
    out: dict[str, object] = {}
    for folder, dirs, files in os.walk(root):
        if folder == str(root):
            dirs[:] = [d for d in dirs if d != CACHE_DIR]
        for name in dirs + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            if os.path.islink(path):
                target = os.path.realpath(path)
                out[path] = ("link", os.readlink(path),
                             digest(target) if os.path.isfile(target) else None)
            elif os.path.isfile(path):
                out[path] = digest(path)
            else:
                out[path] = ("mode", st.st_mode & 0o170000)
    return out


def digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# -- reading what a command printed ------------------------------------------------------

PROBLEM = re.compile(r"\S.*?:\d+: \S.*")
# what a command may write on stderr: its headline, the skipped-files note and its
# items, a list item, or a problem; a continuation line or a traceback is none of these
STDERR_LINE = re.compile(r"funnelctl: \S.*|note: \S.*|  - \S.*|  \S.*?:\d+: \S.*|\S.*?:\d+: \S.*")


def shaped(stderr: str) -> list[str]:
    """stderr's lines, each asserted to be one of the shapes a command may write."""
    lines = stderr.splitlines()
    odd = [line for line in lines if not STDERR_LINE.fullmatch(line)]
    assert not odd, f"lines that are no headline, note or problem: {odd!r}\n{stderr}"
    return lines


def problems_in(lines: list[str]) -> set[str]:
    """The ``path:line: message`` lines among a command's stderr lines."""
    return {line.strip() for line in lines
            if not line.startswith(("funnelctl: ", "note: ", "  - "))
            and PROBLEM.fullmatch(line.strip())}


def no_traceback(text: str) -> None:
    assert "Traceback (most recent call last)" not in text, text


@dataclass
class Report:
    """What ``validate --json`` says, run in this process."""

    problems: list[str]  # as path:line: message
    deals: int  # deals read (-1: stages.yaml stopped it)
    raw: tuple[int, str, str]  # exit code, stdout, stderr


def validated(world, case: Case) -> Report:
    res = world.run("validate", "--json")
    no_traceback(res.output)
    raw = (res.exit_code, res.stdout, res.stderr)
    if case.kind == STAGES:
        assert res.exit_code == 1 and res.stdout == "", res.output
        return Report(sorted(problems_in(shaped(res.stderr))), -1, raw)
    assert res.exit_code in (0, 1), res.output
    data = json.loads(res.stdout)
    return Report([f"{p['file']}:{p['line']}: {p['message']}" for p in data["problems"]],
                  data["deals"], raw)


# -- every read command ------------------------------------------------------------------

READS = [["list"], ["funnel"], ["stalls"], ["review"], ["board"], ["plan"], ["forecast"],
         ["target", "10"], ["show", GOOD[1]]]


@pytest.mark.parametrize("case", params("reads"))
def test_every_read_command_still_serves_the_other_deals(world, case, monkeypatch) -> None:
    root = built(world, case, monkeypatch)
    before = snapshot(root)
    cold = validated(world, case)
    found = set(cold.problems)
    # each command as JSON; as text too when the bad file is read as a deal and so
    # goes through the renderers (a file left out is left out of both alike)
    forms = [["--json"], []] if cold.deals == 3 else [["--json"]]
    for cmd in READS:
        for form in forms:
            args = [*cmd, *form]
            res = world.run(*args)
            no_traceback(res.output)
            assert res.exit_code in (0, 1), (args, res.output)
            shown = problems_in(shaped(res.stderr))
            assert shown <= found, (args, res.stderr)
            if case.kind == STAGES or case.kind == LEFT_OUT and cmd[0] != "show":
                assert shown == found, (args, res.stderr)  # what was left out, and why
            if case.kind == STAGES:
                assert res.exit_code == 1, (args, res.output)
                continue
            assert res.exit_code == 0, (args, res.output)
            if form:
                data = json.loads(res.stdout)
                if cmd == ["list"]:
                    ids = [d["id"] for d in data]
                    assert all(g in ids for g in GOOD), ids
    if case.deal_id is not None:
        if case.make is fifo:  # show would block this process forever: a process of its own
            ran = run_process(root, "show", case.deal_id, timeout=3)
            code, err = ran.code, ran.stderr
        else:
            res = world.run("show", case.deal_id)
            no_traceback(res.output)
            code, err = res.exit_code, res.stderr
        assert problems_in(shaped(err)) <= found, err
        if case.kind == LEFT_OUT:  # refused, on the lines validate has
            assert code == 1 and err.startswith("funnelctl: "), err
        else:
            assert code in (0, 1), err
    assert snapshot(root) == before
    assert validated(world, case).raw == cold.raw  # from the cache: the same answer


# -- writes ------------------------------------------------------------------------------


def writes(deal_id: str) -> list[list[str]]:
    return [["act", deal_id, "--kind", "visit", "--goal", "g", "--result", "r"],
            ["tick", deal_id, "need_identified", "--evidence", "e"],
            ["score", deal_id, "need", "2", "--evidence", "e"]]


def message(line: str) -> str:
    return PROBLEM.fullmatch(line) and line.split(": ", 1)[1] or line


@pytest.mark.parametrize("case", params("writes", [c for c in CASES
                                                     if c.kind == STAGES or c.deal_id]))
def test_a_write_refuses_what_is_not_a_deal(world, case, monkeypatch) -> None:
    root = built(world, case, monkeypatch)
    found = validated(world, case).problems
    if case.kind in (LEFT_OUT, STAGES):
        before = snapshot(root)
        for args in writes(case.deal_id or GOOD[0]):
            res = world.run(*args)
            no_traceback(res.output)
            assert res.exit_code == 1, (args, res.output)
            lines = shaped(res.stderr)
            assert lines and lines[0].startswith("funnelctl: "), res.stderr
            assert problems_in(lines) <= set(found), res.stderr
            assert case.target in res.stderr, res.stderr  # names the file to fix
        assert snapshot(root) == before
        return
    # a flagged deal (or a fine one) still takes a write, and has the same problems after
    res = world.run(*writes(case.deal_id)[0])
    no_traceback(res.output)
    assert res.exit_code in (0, 1), res.output
    shaped(res.stderr)
    after = validated(world, case).problems
    assert sorted(map(message, after)) == sorted(map(message, found))


# -- bad usage ---------------------------------------------------------------------------

USAGE = [
    pytest.param(["target", "abc"], "'abc'", id="target-not-a-number"),
    pytest.param(["show"], "Missing argument", id="show-without-id"),
    pytest.param(["no-such-command"], "No such command", id="unknown-command"),
    pytest.param(["list", "--status", "closed"], "'closed'", id="list-status"),
    pytest.param(["forecast", "--period", "2026-13"], "'2026-13'", id="forecast-period"),
    pytest.param(["review", "--period", "0000-01"], "'0000-01'", id="review-period-0000"),
    pytest.param(["review", "--format", "html"], "'html'", id="review-format"),
    pytest.param(["funnel", "--by", "stage"], "'stage'", id="funnel-by"),
    pytest.param(["target", "5", "--rates", "foo"], "'foo'", id="target-rates"),
    pytest.param(["target", "1e308"], "1e+308", id="target-huge"),
    pytest.param(["target", "nan"], "nan", id="target-nan"),
    pytest.param(["target", "--amount", "1e309"], "inf", id="target-amount-inf"),
    pytest.param(["forecast", "--backtest", "--months", "100000"], "100000",
                 id="forecast-months"),
    pytest.param(["new", "--account", "A", "--title", "T", "--owner", "x", "--amount", "nan"],
                 "nan", id="new-amount-nan"),
    pytest.param(["new", "--account", "A", "--title", "T", "--owner", "x", "--amount", "inf"],
                 "inf", id="new-amount-inf"),
    pytest.param(["new", "--account", "A", "--title", "T", "--owner", "x", "--amount", "1",
                  "--id", "a" * 300], "at most 100 characters", id="new-id-too-long"),
    pytest.param(["--today", "2026-02-30", "list"], "'2026-02-30'", id="today-impossible"),
    pytest.param(["--today", "20261124", "list"], "'20261124'", id="today-basic-format"),
    pytest.param(["--today", "2026W482", "list"], "'2026W482'", id="today-week-date"),
    pytest.param(["--today", "9999-12-31", "plan"], "9999-12-31", id="today-last-day"),
    pytest.param(["--today", "0001-01-01", "review"], "0001-01-01", id="today-first-day"),
]


@pytest.mark.parametrize(("args", "names"), USAGE)
def test_bad_usage_exits_2(world, args, names) -> None:
    world.deal("good-a")
    today = [] if "--today" in args else ["--today", str(TODAY)]
    res = world.runner.invoke(app, ["--dir", str(world.root), *today, *args],
                              catch_exceptions=False)
    no_traceback(res.output)
    assert names in res.stderr, res.stderr
    assert res.exit_code == 2, res.output


# -- validate as a process of its own: time and memory ---------------------------------------


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str
    seconds: float  # wall clock
    cpu: float  # user and system time: what a loaded machine does not inflate much
    mb: float  # peak resident memory
    changed: bool = False  # a file of the pipeline changed (or appeared)
    skip: str | None = None


def run_process(root: Path, *args: str, timeout: float = TIMEOUT_SECONDS) -> Ran:
    """funnelctl as a process of its own, killed after ``timeout``; its resources as
    os.wait4 reports them for that one child."""
    cmd = [sys.executable, "-m", "funnelctl", "--dir", str(root), "--today", str(TODAY), *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNNELCTL_")}
    env.update(NO_COLOR="1", COLUMNS="120",
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                cwd=root, env=env)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                pytest.fail(f"funnelctl {' '.join(args)} still running after {timeout:.0f} s")
            time.sleep(0.005)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        kb = usage.ru_maxrss / (1024 if sys.platform == "darwin" else 1)  # bytes there
        return Ran(proc.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), seconds,
                   usage.ru_utime + usage.ru_stime, kb / 1024)


def _build_and_validate(case: Case, root: Path) -> Ran:
    skip = build(root, case)
    if skip:
        return Ran(0, "", "", 0, 0, 0, skip=skip)
    before = snapshot(root)
    ran = run_process(root, "validate")
    ran.changed = snapshot(root) != before
    return ran


VALIDATE_TEST = "test_validate_says_what_is_wrong_on_one_line"


@pytest.fixture(scope="module", autouse=True)
def _validate_processes(request, tmp_path_factory) -> Iterator[dict[str, Future]]:
    """The selected cases' validate processes, started with the module's first test and
    run two at a time in the background while the tests above run in this process: a
    process costs half a second of CPU, most of it imports, and there are sixty.
    Each process gets a pipeline of its own, built like the ``world`` fixture's."""
    cases = [item.callspec.params["case"] for item in request.session.items
             if getattr(item, "originalname", None) == VALIDATE_TEST
             and item.module is sys.modules[__name__] and sys.platform != "win32"]
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="corpus-validate")
    futures = {}
    for case in cases:
        root = tmp_path_factory.mktemp(f"corpus-{len(futures)}")
        World(root)  # stages.yaml and deals/, as the fixture makes them
        futures[case.name] = pool.submit(_build_and_validate, case, root)
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


def summary(case: Case) -> str:
    n = len(case.lines)
    left = 1 if case.kind == LEFT_OUT else 0
    return (f"{n} problem{'s' if n != 1 else ''} in 1 file ({left} left out); "
            f"{3 - left} deals read")


@pytest.mark.skipif(sys.platform == "win32", reason="os.wait4")
@pytest.mark.parametrize("case", params("validate"))
def test_validate_says_what_is_wrong_on_one_line(case, _validate_processes, request) -> None:
    ran = _validate_processes[case.name].result()
    if ran.skip:
        pytest.skip(ran.skip)
    # recorded for the JUnit report (record_property without its xunit2 warning)
    request.node.user_properties += [("validate_seconds", round(ran.seconds, 3)),
                                     ("validate_cpu_seconds", round(ran.cpu, 3)),
                                     ("validate_mb", round(ran.mb, 1))]
    no_traceback(ran.stderr)
    assert ran.cpu < GOAL_SECONDS, \
        f"{case.name}: validate took {ran.cpu:.2f} s of CPU ({ran.seconds:.2f} s in all)"
    assert ran.mb < MAX_MB, f"{case.name}: validate peaked at {ran.mb:.0f} MB"
    assert not ran.changed, "validate changed a file of the pipeline"
    if case.kind == STAGES:
        assert (ran.code, ran.stdout) == (1, "")
        assert ran.stderr.splitlines() == ["funnelctl: stages.yaml is broken", *case.lines]
    elif case.kind == FINE:
        assert (ran.code, ran.stdout, ran.stderr) == (0, "ok: 3 deals, no problems\n", "")
    else:
        assert ran.stdout.splitlines() == [*case.lines, summary(case)]
        assert (ran.code, ran.stderr) == (1, "")
