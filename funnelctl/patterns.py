"""The shapes of the identifiers people type, defined once.

Used by the schema (model.py, and the read structs generated from it), by the
pipeline's own checks and by the commands that take such a value.
"""

from __future__ import annotations

import re

# A deal id: the file's name without .yaml, so no path separator, no leading dot.
# \Z, not $: Python's $ also matches before a final newline, pydantic's does not.
DEAL_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z"
DEAL_ID_RE = re.compile(DEAL_ID)
# The id names the file: file systems allow 255 bytes, and a write adds a prefix
DEAL_ID_MAX = 100

# A target's period: one calendar month
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])\Z"
PERIOD_RE = re.compile(PERIOD)


def is_deal_id(value: str) -> bool:
    return (bool(DEAL_ID_RE.match(value)) and ".." not in value
            and len(value) <= DEAL_ID_MAX)


def is_period(value: str) -> bool:
    return bool(PERIOD_RE.match(value))
