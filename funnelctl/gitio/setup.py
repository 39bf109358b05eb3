"""What a clone needs for deals to merge by meaning: the lines of ``.gitattributes``
that send deal files to funnelctl's merge driver, and the driver's registration in
the clone's own git config (git never shares config through a remote: each clone
registers it, with ``funnelctl git-setup``)."""

from __future__ import annotations

from pathlib import Path

from funnelctl.gitio import run

DRIVER = "funnelctl"  # the name .gitattributes gives the driver (merge=funnelctl)
DRIVER_NAME = "funnelctl: deal files merged by meaning"
DRIVER_COMMAND = "funnelctl merge-driver %O %A %B %P"
# relative to the folder of the .gitattributes: the pipeline root
ATTRIBUTES = [f"deals/**/*.yaml merge={DRIVER}", f"deals/**/*.yml merge={DRIVER}"]


def attributes_text(old: str) -> str | None:
    """``old`` (a .gitattributes, maybe empty) with the driver's lines it lacks added
    at the end, every byte of it kept; None when it has them all. A line counts as
    present when it says the same words (``deals/**/*.yaml  merge=funnelctl``)."""
    have = {tuple(line.split()) for line in old.splitlines()}
    wanted = [line for line in ATTRIBUTES if tuple(line.split()) not in have]
    if not wanted:
        return None
    sep = "" if not old or old.endswith(("\n", "\r")) else "\n"
    return old + sep + "\n".join(wanted) + "\n"


def register_driver(top: Path) -> bool:
    """Register the merge driver in the repository's own config (.git/config);
    whether anything changed."""
    changed = False
    for key, value in ((f"merge.{DRIVER}.name", DRIVER_NAME),
                       (f"merge.{DRIVER}.driver", DRIVER_COMMAND)):
        now = run.git(top, "config", "--local", "--get", key, check=False)
        if now.returncode == 0 and now.stdout.decode("utf-8", "replace").rstrip("\n") == value:
            continue
        run.git(top, "config", "--local", key, value)
        changed = True
    return changed


def init_repository(folder: Path) -> Path:
    """``git init`` in ``folder``; its top level."""
    run.git(folder, "init", "--quiet")
    return run.require_repo(folder, "init")


def empty_tree(root: Path) -> str:
    """The id of the empty tree (what a repository without commits is compared with)."""
    return run.git(root, "hash-object", "-t", "tree", "--stdin", input=b"").stdout.decode(
        "ascii").strip()


def has_commits(root: Path) -> bool:
    return run.git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}",
                   check=False).returncode == 0
