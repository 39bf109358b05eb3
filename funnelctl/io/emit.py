"""A new deal's file, written fast: an import creates thousands.

ruamel's writer (what ``new`` and every edit use) takes about 5 ms a deal; this
writes the one shape an import creates in some microseconds, laid out as ``new``
lays a deal out: text plain when it is a letter and then letters, digits and a
little punctuation (never a word YAML 1.1 reads as true, false or null), else
double-quoted with escapes. tests/test_import.py holds every text it writes to
read back, through the reader of every command, as the data it was given.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from funnelctl import yamlio

# Text that is safe as a plain scalar: a letter first, then letters, digits and a
# little punctuation; no ': ' or ' #', no leading or trailing space. Anything else
# is double-quoted.
_PLAIN = re.compile(r"[^\W\d_][\w .,()/+&'-]*(?<! )")
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_FLOW = re.compile(r"[^\W\d_][\w.>=-]*")


def _quoted(text: str) -> str:
    out = ['"']
    for ch in text:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif o < 0x20 or 0x7F <= o <= 0x9F or ch in "\u2028\u2029\ufeff" or \
                0xD800 <= o <= 0xDFFF or o in (0xFFFE, 0xFFFF):
            out.append(f"\\x{o:02x}" if o <= 0xFF else f"\\u{o:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def scalar(value: Any, flow: bool = False) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    plain = _FLOW if flow else _PLAIN  # a flow list also ends a scalar at , [ ] { }
    if plain.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return _quoted(text)


def _lines(data: dict, indent: str, out: list[str]) -> None:
    for k, v in data.items():
        if isinstance(v, dict):
            out.append(f"{indent}{k}:")
            _lines(v, indent + "  ", out)
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            out.append(f"{indent}{k}:")
            for item in v:
                sub: list[str] = []
                _lines(item, indent + "    ", sub)
                sub[0] = indent + "  - " + sub[0][len(indent) + 4:]
                out.extend(sub)
        elif isinstance(v, list):
            out.append(f"{indent}{k}: [{', '.join(scalar(x, flow=True) for x in v)}]")
        else:
            out.append(f"{indent}{k}: {scalar(v)}")


def deal_text(data: dict, comment: str) -> str:
    """The file of a new deal ``data`` (plain values: text, numbers, dates, lists
    and mappings of them), with ``comment`` on its first line."""
    out = [f"# {yamlio.comment_safe(comment)}"]
    _lines(data, "", out)
    return "\n".join(out) + "\n"
