"""Editing a deal by hand, checked like ``crontab -e``: edit.

The deal is copied to a folder of its own outside the repository and opened in the
user's editor; what is saved is read as ``validate`` reads a deal file. A version
with new problems is opened again with the problems listed at the top as comments
(taken out again before the next check), until it is valid or the user gives up.
Only a valid version reaches the deal file: under the deal's lock, atomically, and
only if it changed.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Optional

import typer

from funnelctl.cli.common import (
    COMMIT_OPT,
    changed_between,
    commit_change,
    err_console,
    fail,
    report_change,
    root_and_pipeline,
    say,
    settings,
    wants_commit,
)
from funnelctl.cli.completion import complete_deal
from funnelctl.cli.root import app
from funnelctl.i18n import _, nformat

if TYPE_CHECKING:
    import datetime as dt

    from funnelctl.pipeline import Pipeline
    from funnelctl.problems import Problem

# Every line edit adds at the top starts so; they are taken out before each check
NOTE = b"# funnelctl: "
BOM = b"\xef\xbb\xbf"
DIFF_LINES = 30  # of a change made on disk meanwhile, shown in the notes


@app.command("edit")
def edit_cmd(
    ctx: typer.Context,
    deal: str = typer.Argument(..., help="Deal id.", autocompletion=complete_deal),
    commit: Optional[bool] = COMMIT_OPT,
) -> None:
    """Edit a deal file in your editor, checked on save like 'crontab -e'.

    Opens a copy of the deal in $VISUAL, else $EDITOR, else vi. When you save and
    quit, the copy is checked as validate checks a deal; if it has a problem the
    deal did not have before, the editor opens again with the problems listed at
    the top (lines as in the file you see), until the deal is valid or you give up
    by saving it unchanged or empty (then nothing is written, exit 1). A valid
    version is written in place of the deal, atomically, and only if it changed.

    Example: EDITOR=nano funnelctl edit acme-cooling --commit
    """
    from funnelctl.cli.common import deal_titles
    from funnelctl.store import StoreError, find_deal

    root, pipeline = root_and_pipeline(ctx)
    command = _editor_command()
    wants_commit(ctx, root, pipeline, commit)
    try:  # by its id, the beginning of one, or its exact title
        rel = find_deal(root, deal, titles=lambda: deal_titles(ctx, root, pipeline))
    except StoreError as exc:
        fail(exc.message)
    deal = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]  # the id found, not what was typed
    original = _read(root, rel, pipeline)
    today = settings(ctx).today
    _readable, before = _check(root, rel, pipeline, original, today)
    saved = _edit_loop(root, rel, pipeline, today, command, original, before)
    if saved is None:
        say(_("{id}: no changes ({path})").format(id=deal, path=rel))
        report_change(ctx, Path(rel).stem, rel, [])
        return
    say(_("{id}: edited ({path})").format(id=deal, path=rel))
    report_change(ctx, Path(rel).stem, rel, changed_between(original, saved))
    _readable, after = _check(root, rel, pipeline, saved, today)
    if after:
        con = err_console()
        con.print(_("note: {path} is still flagged, as it was before the edit:").format(
            path=rel), style="yellow", markup=False)
        from funnelctl.render.safe import safe

        for p in after:
            con.print(f"  {safe(str(p))}", markup=False)
    commit_change(ctx, root, [rel], f"edit {deal}: {_changed_keys(original, saved)}")


def _editor_command() -> list[str]:
    """$VISUAL, else $EDITOR, else vi, as an argument list: split like a shell would
    split it, and never run through one."""
    import shlex

    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "")
        try:
            words = shlex.split(value)
        except ValueError as exc:
            fail(_("${name} {value!r} cannot be read as a command ({error})").format(
                name=name, value=value, error=exc), code=2)
        if words:
            return words
    return ["vi"]


def _read(root: Path, rel: str, pipeline: Pipeline) -> bytes:
    from funnelctl.store.files import FileRefused, read_file

    try:
        return read_file(root, rel, pipeline.max_file_bytes)
    except FileRefused as exc:
        fail(f"{rel}: {exc.message}")
    except OSError as exc:
        fail(_("{path}: cannot read: {error}").format(path=rel, error=exc.strerror))


def _check(root: Path, rel: str, pipeline: Pipeline, data: bytes,
           today: dt.date) -> tuple[bool, list[Problem]]:
    """Whether ``data`` reads as a deal, and its problems as validate reports them."""
    from funnelctl import yamlio
    from funnelctl.checks import dated_after_today
    from funnelctl.problems import Problem
    from funnelctl.store import read_deal

    limit = pipeline.max_file_bytes
    if len(data) > limit:
        return False, [Problem(rel, 1, _(
            "the file is {size} bytes, over the limit of {limit} (max_file_bytes in "
            "stages.yaml)").format(size=f"{len(data):,}", limit=f"{limit:,}"), True)]
    deal, problems = read_deal(root, rel, pipeline, data)
    if deal is None:
        return False, problems
    outcome = deal.outcome.date if deal.outcome is not None else None
    late = dated_after_today([(h.stage, h.date, False) for h in deal.history], outcome, today)
    problems.extend(Problem(rel, yamlio.line_of(data, loc), msg) for loc, msg in late)
    return True, sorted(problems, key=lambda p: p.line)


def _new_problems(readable: bool, found: list[Problem], before: list[Problem]
                  ) -> list[Problem]:
    """What stops the write: everything, when the text is no deal at all; else the
    problems the deal did not have before the edit (a deal flagged already can be
    edited without fixing all of it first, but an edit may not add a problem)."""
    if not readable:
        return found
    known = Counter(p.message for p in before)
    out = []
    for p in found:
        if known[p.message]:
            known[p.message] -= 1
        else:
            out.append(p)
    return out


def _edit_loop(root: Path, rel: str, pipeline: Pipeline, today: dt.date, command: list[str],
               original: bytes, before: list[Problem]) -> bytes | None:
    """Run the editor until what it saves is valid, then write it; the text written,
    or None when nothing changed. Giving up exits 1 with nothing written."""
    import shutil
    import tempfile

    from funnelctl.schema_export import SCHEMA_DIR

    try:  # private (0700), in the system's temporary folder: never in the repository
        folder = Path(tempfile.mkdtemp(prefix="funnelctl-edit-"))
    except OSError as exc:
        fail(_("cannot make a temporary folder for the copy: {error}; nothing "
               "written").format(error=exc.strerror))
    try:
        work = folder / rel  # at the deal's own depth: a schema comment's path holds
        work.parent.mkdir(parents=True)
        if (root / SCHEMA_DIR).is_dir():
            try:
                os.symlink(root / SCHEMA_DIR, folder / SCHEMA_DIR)
            except OSError:
                pass  # only the editor's schema check misses it
        return _rounds(root, rel, pipeline, today, command, work, original, before)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _rounds(root: Path, rel: str, pipeline: Pipeline, today: dt.date, command: list[str],
            work: Path, original: bytes, before: list[Problem]) -> bytes | None:
    base = original  # the deal file as this edit knows it
    shown = original  # what the editor was last given, without the notes
    notes: list[bytes] = []
    overwrite = False  # the last notes said the file changed on disk meanwhile
    while True:
        work.write_bytes(_with_notes(shown, notes))
        _run_editor(command, work)
        try:
            saved = _without_notes(work.read_bytes())
        except OSError as exc:
            _give_up(rel, _("cannot read what the editor saved: {error}").format(
                error=exc.strerror))
        if not saved.strip(b" \t\r\n" + BOM):
            _give_up(rel, _("the file was saved empty"))
        if saved == base:
            return None
        if notes and saved == shown and not overwrite:
            _give_up(rel, _("the file was saved unchanged"))
        readable, found = _check(root, rel, pipeline, saved, today)
        blocking = _new_problems(readable, found, before)
        if blocking:
            offset = len(blocking) + 2
            notes = [_("{path} is not valid: fix what is listed below and save (lines as "
                       "in this file), or save it unchanged or empty to give up").format(
                         path=rel).encode(),
                     b"",
                     *(_("line {n}: {message}").format(n=p.line + offset, message=p.message)
                       .encode() for p in blocking)]
            shown, overwrite = saved, False
            continue
        now = _write(root, rel, pipeline, base, saved)
        if now is None:
            return saved
        # someone changed the deal while it was edited: show what, and let the user decide
        notes = [_("{path} was changed by someone else while you edited it; your version "
                   "is below. Save it again to write it over theirs, or save it empty to "
                   "give up. Their change:").format(path=rel).encode(), *_diff(base, now)]
        base, shown, overwrite = now, saved, True


def _write(root: Path, rel: str, pipeline: Pipeline, base: bytes, saved: bytes
           ) -> bytes | None:
    """Write ``saved`` under the deal's lock if the file still holds ``base``; None
    when written (or nothing to write), else what the file holds now."""
    from funnelctl.store import StoreError, atomic_write_bytes, deal_lock
    from funnelctl.store.files import FileRefused, inside
    from funnelctl.store.update import _remove_stale_temporaries

    try:
        with deal_lock(root, rel):
            now = _read(root, rel, pipeline)
            if now != base:
                return None if now == saved else now
            try:
                path = inside(root, root / rel)  # a symlinked deal is written where it leads
                # what a write killed before its rename left beside the deal (the lock
                # is held: no write is in progress), as every other write does
                _remove_stale_temporaries(path)
                atomic_write_bytes(path, saved)
            except FileRefused as exc:
                fail(_("{path}: {error}; nothing written").format(path=rel,
                                                                  error=exc.message))
            except OSError as exc:
                fail(_("{path}: cannot write: {error}; nothing written").format(
                    path=rel, error=exc.strerror))
    except StoreError as exc:
        fail(exc.message, exc.problems)
    return None


def _run_editor(command: list[str], path: Path) -> None:
    """Run the editor on ``path`` and wait. Ctrl-C and Ctrl-\\ belong to the editor
    meanwhile (vi uses them), as git and crontab have it."""
    import signal
    import subprocess

    ignored = {}
    for sig in (signal.SIGINT, getattr(signal, "SIGQUIT", None)):
        if sig is not None:
            ignored[sig] = signal.signal(sig, signal.SIG_IGN)
    try:
        code = subprocess.run([*command, str(path)], check=False).returncode
    except FileNotFoundError:
        fail(_("cannot run the editor {editor!r}: not found (set VISUAL or EDITOR); "
               "nothing written").format(editor=command[0]))
    except OSError as exc:
        fail(_("cannot run the editor {editor!r}: {error}; nothing written").format(
            editor=command[0], error=exc.strerror))
    finally:
        for sig, handler in ignored.items():
            signal.signal(sig, handler)
    if code != 0:
        fail(_("the editor exited with status {code}; nothing written").format(code=code))


def _give_up(rel: str, why: str) -> NoReturn:
    fail(_("{why}: gave up, {path} left as it was").format(why=why, path=rel))


def _eol(data: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in data else b"\n"


def _with_notes(text: bytes, notes: list[bytes]) -> bytes:
    """The notes as comment lines at the top (after a byte order mark)."""
    if not notes:
        return text
    from funnelctl.yamlio import comment_safe

    eol = _eol(text)
    bom = BOM if text.startswith(BOM) else b""
    lines = b"".join(NOTE.rstrip() + (b" " + comment_safe(n.decode()).encode() if n else b"")
                     + eol for n in notes)
    return bom + lines + text[len(bom):]


def _without_notes(data: bytes) -> bytes:
    """What the user saved without the notes at its top."""
    bom = BOM if data.startswith(BOM) else b""
    body = data[len(bom):]
    prefix = NOTE.rstrip()
    while body.startswith(prefix):
        end = body.find(b"\n")
        body = b"" if end < 0 else body[end + 1:]
    return bom + body


def _diff(old: bytes, new: bytes) -> list[bytes]:
    import difflib

    lines = list(difflib.unified_diff(old.decode("utf-8", "replace").splitlines(),
                                      new.decode("utf-8", "replace").splitlines(),
                                      lineterm="", n=0))[2:]  # no ---/+++ header
    if len(lines) > DIFF_LINES:
        more = len(lines) - DIFF_LINES
        lines = [*lines[:DIFF_LINES], nformat("... {n} more line", "... {n} more lines", more)]
    return [line.encode("utf-8") for line in lines]


def _changed_keys(old: bytes, new: bytes) -> str:
    """The top-level keys an edit changed, for the commit's subject."""
    from funnelctl.yamlio import YamlError, load_fast

    try:
        a, b = load_fast(old), load_fast(new)
    except YamlError:
        return "by hand"
    if not isinstance(a, dict) or not isinstance(b, dict):
        return "by hand"
    keys = [k for k in b if a.get(k) != b.get(k)] + [k for k in a if k not in b]
    return ", ".join(str(k) for k in keys) or "layout"
