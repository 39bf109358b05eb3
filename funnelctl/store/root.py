"""Where a pipeline lives: its root folder, the names inside it, and the one error
type that stops a command with a message instead of a traceback."""

from __future__ import annotations

from pathlib import Path

from funnelctl.problems import Problem

STAGES_FILE = "stages.yaml"
DEALS_DIR = "deals"
CACHE_DIR = ".funnelctl-cache"


class StoreError(Exception):
    """A problem that stops a command; printed without a traceback."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def find_root(start: Path, explicit: str | None = None) -> Path:
    """The pipeline root: ``explicit`` (--dir / FUNNELCTL_DIR), or the nearest folder
    at or above ``start`` that holds stages.yaml, the way git finds .git."""
    if explicit:
        root = Path(explicit).expanduser().resolve()
        if not (root / STAGES_FILE).is_file():
            raise StoreError(f"{root}: no {STAGES_FILE} here (run 'funnelctl init {explicit}')")
        return root
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / STAGES_FILE).is_file():
            return folder
    raise StoreError(f"no {STAGES_FILE} in {here} or any folder above it "
                     f"(run 'funnelctl init' or pass --dir)")
