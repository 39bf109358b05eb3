"""One text in, safe text out (style item 12): every piece of data a view shows (ids,
titles, accounts, owners, contacts, actions, next steps, reasons, evidence, and the
labels of stages.yaml, which a collaborator writes too) passes ``safe`` before it
reaches the output, and ``md`` before it reaches Markdown.

``safe`` shows, as visible escapes, what a terminal would act on or a reader would
not see: C0 controls (a newline and a tab too: a newline in a title would forge a
line of its own), DEL and the C1 controls (U+009B is a CSI to some terminals) as
``\\x1b``, ``\\n``, ``\\t``, ``\\r``; format characters (Unicode category Cf: bidi
overrides, marks and isolates, zero-width spaces and joiners, the BOM, the soft
hyphen, tag characters), the line and paragraph separators and lone surrogates as
``<U+202E>``. Everything else, CJK and emoji included, stays as it is; a zero-width
joiner between two emoji (👩‍💻) joins them and stays too.

Clean text, nearly all of it, is returned as it is after one ``str.isprintable``
(a C loop over the string): the views pass tens of thousands of cells through here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich (35 ms to import) only for the views that draw with it
    from rich.text import Text

# Unicode's format characters (category Cf): those of Python 3.11's database (Unicode
# 14) and the hieroglyph controls Unicode 15 added; tests/test_terminal.py holds the
# running Python's database to this list
_FORMAT = (r"\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
           r"\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd"
           r"\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
           r"\U000e0001\U000e0020-\U000e007f")
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f" + _FORMAT + r"\u2028\u2029\ud800-\udfff]")

_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
_ZWJ = "\u200d"
_MODIFIERS = range(0x1F3FB, 0x1F400)  # the skin tones of an emoji


def safe(text: str) -> str:
    """``text`` with every control, format and invisible character shown as an escape
    (``\\x1b``, ``\\n``, ``<U+202E>``); clean text is returned as it is."""
    if text.isprintable():  # no control, format, separator or surrogate: nearly always
        return text
    return UNSAFE.sub(_escape, text)


def _escape(m: re.Match) -> str:
    ch = m.group()
    if ch == _ZWJ and _joins_emoji(m.string, m.start()):
        return ch
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0xA0 else f"<U+{code:04X}>"


def _joins_emoji(text: str, at: int) -> bool:
    """Whether the zero-width joiner at ``at`` joins two emoji (a symbol, perhaps with
    a skin tone or the emoji presentation selector, and a symbol): then it is part
    of one picture (👨‍👩‍👧) and hides no text."""
    if at == 0 or at + 1 >= len(text):
        return False
    before, after = text[at - 1], text[at + 1]
    return (unicodedata.category(after) == "So"
            and (unicodedata.category(before) == "So" or before == "\ufe0f"
                 or ord(before) in _MODIFIERS))


def safe_text(text: str, style: str = "") -> Text:
    """A rich ``Text`` cell of data: made safe, never read as markup."""
    from rich.text import Text

    return Text(safe(text), style=style)


# -- Markdown -----------------------------------------------------------------------

# What Markdown would read as its own in data: a backslash before punctuation (it
# would escape what follows), emphasis, code, links, table cells, strike-through, a
# heading's mark at the start; an underscore only where it can start or end emphasis
# (within a word, as in no_decision, it cannot); < and > (HTML) become entities
_MD = re.compile(r"\\(?=[!-/:-@\[-`{-~])|[*`\[\]|~]|(?<![^\W_])_|_(?![^\W_])|\A#|[<>]")
_ENTITY = {"<": "&lt;", ">": "&gt;"}
# Whatever md() may change, found in one scan: Markdown's characters, what safe()
# escapes in the first plane, and any character beyond it (rare in data: an emoji)
_MD_SCREEN = re.compile(r"[\\*`\[\]|~_#<>\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd"
                        r"\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
                        r"\ufeff\ufff9-\ufffb\ud800-\udfff\U00010000-\U0010ffff]")


def md(text: str) -> str:
    """Data for Markdown: made safe (``safe``), then with Markdown's syntax escaped,
    so that it shows as it is and never as a link, a tag or a table's column."""
    if _MD_SCREEN.search(text) is None:  # nearly always: one scan, nothing to change
        return text
    return _MD.sub(_md_escape, safe(text))


def _md_escape(m: re.Match) -> str:
    ch = m.group()
    return _ENTITY.get(ch) or "\\" + ch


# In JSON every character but " and \ may stand in a string as it is, and encoders
# escape only C0: what a terminal acts on or a reader cannot see (DEL, C1, format
# characters, the line and paragraph separators) is written as a \u escape, so
# `funnelctl list --json` in a terminal is as safe as the table while a parser reads
# the same text back
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f" + _FORMAT + r"\u2028\u2029]")
_ASCII = bytes(range(128))  # deleting these from UTF-8 leaves its multi-byte characters


def json_safe(data: bytes) -> bytes:
    """UTF-8 JSON with the characters above written as ``\\uXXXX`` (a surrogate pair
    beyond the first plane); the same JSON value, read back. Clean output (nearly
    all) is returned as it is, screened at C speed first: what is escaped is DEL and
    characters ``str.isprintable`` refuses, so JSON without DEL whose characters
    beyond ASCII are all printable has none (the regular expression's search took
    2.3 s of the 75 MB of list --json at 100,000 deals; this screen 10 ms)."""
    if b"\x7f" not in data and (data.isascii() or
                                data.translate(None, _ASCII).decode("utf-8").isprintable()):
        return data
    text = data.decode("utf-8")
    if _JSON_UNSAFE.search(text) is None:
        return data
    return _JSON_UNSAFE.sub(_json_escape, text).encode("utf-8")


def _json_escape(m: re.Match) -> str:
    cp = ord(m.group())
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    cp -= 0x10000
    return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"
