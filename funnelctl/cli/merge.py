"""Merges that understand deals: git's merge driver and its setup in a clone."""

from __future__ import annotations

from pathlib import Path

import typer

from funnelctl.cli.common import fail
from funnelctl.cli.root import app
from funnelctl.i18n import _


def _say(message: str, err: bool = False) -> None:
    """One line that may hold a file's name: through the safe-text function."""
    from funnelctl.render.safe import safe

    typer.echo(safe(message), err=err)


@app.command("merge-driver", hidden=True)
def merge_driver_cmd(
    base: Path = typer.Argument(..., help="%O: the common ancestor's version."),
    ours: Path = typer.Argument(..., help="%A: our version; the merge is written here."),
    theirs: Path = typer.Argument(..., help="%B: their version."),
    path: str = typer.Argument("", help="%P: the deal file's path, for messages."),
    marker_size: int = typer.Argument(7, min=1, max=200,
                                      help="%L: the conflict markers' length."),
) -> None:
    """git's merge driver for deal files: merges three versions of a deal by meaning.

    Actions, history entries and contacts added on both sides are kept (by date, one
    copy of an item both added); milestones ticked and ladders scored on either side
    are kept; a field changed on one side takes that side. A field both sides changed
    differently (stage, amount, a level) is a conflict: the file gets conflict
    markers around that field only and the driver exits 1, so git and 'funnelctl
    validate' name it. A version that is not a deal's YAML is merged line by line, as
    git would. Registered by 'funnelctl git-setup' (or init); git runs it, not you.

    Example: git config merge.funnelctl.driver 'funnelctl merge-driver %O %A %B %P'
    """
    from funnelctl.gitio import merge

    name = path or str(ours)
    try:
        texts = [p.read_bytes() for p in (base, ours, theirs)]
    except OSError as exc:
        fail(_("{path}: cannot read a version to merge: {error}").format(path=name,
                                                                         error=exc.strerror))
    result: merge.Merged | None = None
    try:
        base_text, ours_text, theirs_text = (t.decode("utf-8") for t in texts)
        result = merge.merge_deals(base_text, ours_text, theirs_text, marker_size)
    except Exception:  # not UTF-8, not a deal (Unmergeable), or a bug in the merge by
        pass  # meaning: git's own line merge is still a right answer
    if result is not None:
        try:
            ours.write_bytes(result.text.encode("utf-8"))
        except OSError as exc:
            fail(_("{path}: cannot write the merge: {error}").format(path=name,
                                                                     error=exc.strerror))
        if result.conflicts:
            _say("funnelctl: " + _("{path}: conflict in {fields}").format(
                path=name, fields=", ".join(result.conflicts)), err=True)
            raise typer.Exit(1)
        return
    _line_merge(name, base, ours, theirs, marker_size)


def _line_merge(name: str, base: Path, ours: Path, theirs: Path, marker_size: int) -> None:
    """What git itself would do: a merge of lines, with conflict markers."""
    from funnelctl.gitio import merge, run

    try:
        merged = merge.line_merge(Path.cwd(), base, ours, theirs, marker_size)
    except run.GitError as exc:
        fail(_("{path}: not merged: {error}").format(path=name, error=exc.message))
    if merged is None:
        fail(_("{path}: not merged: git cannot merge its lines").format(path=name))
    data, conflicted = merged
    try:
        ours.write_bytes(data)
    except OSError as exc:
        fail(_("{path}: cannot write the merge: {error}").format(path=name,
                                                                 error=exc.strerror))
    if conflicted:
        _say("funnelctl: " + _("{path}: not a deal funnelctl can merge by meaning; merged by "
                               "lines, with conflicts").format(path=name), err=True)
        raise typer.Exit(1)


@app.command("git-setup")
def git_setup_cmd(ctx: typer.Context) -> None:
    """Register funnelctl's merge driver in this clone, so that two reps' changes to one
    deal merge by meaning.

    Writes merge.funnelctl.* in the clone's .git/config (git shares no config through
    a remote: run it once in every clone) and adds 'deals/**/*.yaml merge=funnelctl'
    to the pipeline's .gitattributes when it is missing. Running it again changes
    nothing.

    Example: git clone REMOTE sales && cd sales && funnelctl git-setup
    """
    from funnelctl.cli.common import settings
    from funnelctl.gitio import run, setup
    from funnelctl.store import StoreError, find_root

    try:
        root = find_root(Path.cwd(), settings(ctx).dir)
        top = run.require_repo(root, "git-setup")
    except StoreError as exc:  # GitError among them: one line
        fail(exc.message)
    try:
        wrote = write_attributes(root, top, follow=True)
        registered = setup.register_driver(top)
    except StoreError as exc:
        fail(exc.message)
    if wrote:
        _say(_("added the merge driver's lines to {path}").format(path=root / ".gitattributes"))
    _say(_("merge driver funnelctl registered in this clone's git config") if registered
         else _("merge driver funnelctl already registered in this clone's git config"))


def write_attributes(root: Path, top: Path | None, follow: bool) -> bool:
    """Add the driver's lines to ``root/.gitattributes`` when it lacks them; whether
    it wrote. A symlinked .gitattributes is written where it leads while that stays
    in the repository (``follow``; else refused, as init refuses one)."""
    from funnelctl.gitio import setup
    from funnelctl.store import StoreError, atomic_write
    from funnelctl.store.files import FileRefused, inside

    path = root / ".gitattributes"
    if path.is_symlink():
        if not follow:
            raise StoreError(_("{path} is a symlink; nothing written").format(path=path))
        try:
            path = inside(top or root, path)
        except FileRefused:
            raise StoreError(_("{path} is a symlink that leads out of the repository; "
                               "nothing written").format(path=path)) from None
        if not path.exists():
            raise StoreError(_("{path} is a symlink that leads nowhere; nothing written")
                             .format(path=root / ".gitattributes"))
    try:
        old = path.read_bytes().decode("utf-8") if path.exists() else ""
    except UnicodeDecodeError:
        raise StoreError(_("{path} is not UTF-8 text; nothing written").format(
            path=path)) from None
    except OSError as exc:
        raise StoreError(_("{path}: cannot read: {error}").format(
            path=path, error=exc.strerror)) from None
    new = setup.attributes_text(old)
    if new is None:
        return False
    try:
        atomic_write(path, new)
    except OSError as exc:
        raise StoreError(_("{path}: cannot write: {error}").format(
            path=path, error=exc.strerror)) from None
    return True
