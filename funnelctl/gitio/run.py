"""The one module that runs git: argument lists, never a shell; no prompt, no pager,
no colour, paths as bytes git does not quote. Every failure is a ``GitError`` with
one line to show, so a command stops with a message, not a traceback."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from funnelctl.i18n import _
from funnelctl.store.root import StoreError


class GitError(StoreError):
    """git is missing, the folder is no repository, or a git command failed."""


# git must neither ask (a credential prompt would hang a command), nor page, nor
# translate the messages funnelctl reads back
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat", "LC_ALL": "C",
        "GIT_OPTIONAL_LOCKS": "0"}
_CONFIG = ("-c", "core.quotepath=off", "-c", "color.ui=false", "-c", "log.showSignature=false")


def git(cwd: Path, *args: str, input: bytes | None = None, check: bool = True,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` in ``cwd``; output as bytes. ``check``: a non-zero exit raises
    GitError with git's own first line of complaint."""
    full_env = {**os.environ, **_ENV, **(env or {})}
    try:
        proc = subprocess.run(["git", *_CONFIG, *args], cwd=cwd, input=input,
                              capture_output=True, env=full_env)
    except FileNotFoundError:
        raise GitError(_("git is not installed (or not on PATH)")) from None
    if check and proc.returncode != 0:
        raise GitError(failed(args[0], proc))
    return proc


def failed(command: str, proc: subprocess.CompletedProcess[bytes]) -> str:
    """``git COMMAND failed: git's own first line of complaint`` (git's words are
    git's: it runs in the C locale, so that funnelctl can read them)."""
    return _("git {command} failed: {message}").format(
        command=command, message=first_line(proc.stderr or proc.stdout))


def first_line(data: bytes) -> str:
    for line in data.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line.startswith(("hint:", "warning:")) or not line:
            continue
        return line.removeprefix("fatal: ").removeprefix("error: ")
    return _("(no message)")


def toplevel(path: Path) -> Path | None:
    """The work tree ``path`` is in, or None outside any git repository."""
    proc = git(path, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        return None
    return Path(os.fsdecode(proc.stdout.rstrip(b"\n")))


def require_repo(root: Path, what: str) -> Path:
    """The repository's top level, or a one-line GitError naming the feature."""
    top = toplevel(root)
    if top is None:
        raise GitError(_("{what} needs a git repository: {root} is not in one "
                         "(run 'git init' there, or 'funnelctl init')").format(
            what=what, root=root))
    return top


def resolve(root: Path, rev: str) -> str:
    """A revision (tag, branch, commit, ``@{2026-11-17}``) as a full commit id; a
    GitError when git does not know it."""
    if rev.startswith("-"):
        raise GitError(_("{rev}: not a revision").format(rev=rev))
    proc = git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}",
               check=False)
    if proc.returncode != 0:
        raise GitError(_("{rev}: no such revision in this repository").format(rev=rev))
    return proc.stdout.decode("ascii").strip()


def show(root: Path, rev: str, rel: str) -> bytes | None:
    """The bytes of ``rel`` (relative to ``root``) at commit ``rev``; None when the
    file did not exist there."""
    proc = git(root, "cat-file", "blob", f"{rev}:./{rel}", check=False)
    return proc.stdout if proc.returncode == 0 else None


@dataclass(frozen=True)
class Change:
    """One file git reports changed: ``status`` is A, M, D or R (renamed, with
    ``old`` its earlier path); paths are relative to the pipeline root."""

    status: str
    path: str
    old: str | None = None


def changed_since(root: Path, rev: str, under: str = "deals") -> list[Change]:
    """Files under ``under`` that differ between commit ``rev`` and the working tree
    (staged or not, and untracked files git does not ignore), renames detected.
    git compares by its index stat data, so only what changed is read."""
    out = git(root, "diff", "--name-status", "-z", "-M", "--no-ext-diff", "--relative",
              rev, "--", under).stdout
    fields = out.split(b"\0")
    changes: list[Change] = []
    i = 0
    while i < len(fields) - 1:
        status = fields[i].decode("ascii")
        if status.startswith(("R", "C")):
            old, new = os.fsdecode(fields[i + 1]), os.fsdecode(fields[i + 2])
            changes.append(Change("R" if status[0] == "R" else "A", new, old))
            i += 3
        else:
            changes.append(Change(status[0], os.fsdecode(fields[i + 1])))
            i += 2
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "-z", "--",
                    under).stdout
    changes += [Change("A", os.fsdecode(p)) for p in untracked.split(b"\0") if p]
    return changes


def identity(root: Path) -> tuple[str, str] | None:
    """The user's git name and email, or None when git has none configured."""
    name = git(root, "config", "user.name", check=False).stdout.decode("utf-8", "replace").strip()
    email = git(root, "config", "user.email", check=False).stdout.decode("utf-8",
                                                                         "replace").strip()
    return (name, email) if name and email else None


def commit_paths(root: Path, rels: list[str], subject: str, body: str = "") -> str:
    """Commit exactly ``rels`` (relative to ``root``) as they are in the working tree,
    and nothing else: work the user has staged stays staged and out of this commit.
    Authored by the user's own identity (git's config or its environment). Returns
    the new commit's id."""
    message = subject if not body else f"{subject}\n\n{body}"
    # another funnelctl committing another deal at the same moment holds git's index
    # lock for a few milliseconds: wait for it rather than fail (up to about 5 s)
    for attempt in range(50):
        add = git(root, "add", "--", *rels, check=False)
        proc = add if add.returncode else git(
            # --only commits these paths from the working tree, leaving the rest of
            # the index as the user staged it
            root, "commit", "--quiet", "--only", "--no-edit", "-F", "-", "--", *rels,
            input=message.encode("utf-8"), check=False)
        if proc.returncode == 0:
            break
        said = (proc.stderr + proc.stdout).decode("utf-8", "replace")
        if "index.lock" in said and attempt < 49:
            time.sleep(0.1)
            continue
        if "Please tell me who you are" in said or "identity unknown" in said:
            raise GitError(_("git does not know who you are: set git config user.name and "
                             "user.email"))
        raise GitError(failed("add" if add.returncode else "commit", proc))
    return git(root, "rev-parse", "HEAD").stdout.decode("ascii").strip()
