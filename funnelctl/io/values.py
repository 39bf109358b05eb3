"""Dates and amounts as people write them in CRMs and spreadsheets.

Dates: ISO ``2026-11-24`` (also ``2026/11/24``), US ``11/24/2026``, European
``24.11.2026`` and ``24/11/2026``, Chinese ``2026年11月24日``, and month names
(``Nov 24, 2026``, ``24 Nov 2026``); a time after the date is ignored. Whether
``3/4/2026`` is 4 March or 3 April is decided for a whole file (``slash_order``)
or given (``--date-format``); a dot date is day first, as Europe writes it.

Amounts: ``1200``, ``1,200.50``, ``1.200,50``, ``1 200,50 €``, ``$1,200.50``,
``EUR 1.200``, ``¥80万``. Money has two decimals at most, so one separator
followed by exactly three digits groups thousands (``1.200`` and ``1,200`` are
both twelve hundred). A sign before or after the number says the currency where
it can (``€`` is EUR; ``$`` and ``¥`` name several, see ``SYMBOLS``).

An empty cell is ``None``: unknown, never 0 and never today.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from funnelctl.i18n import N_, _

MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
MONTHS["sept"] = 9

# a time after the date, ignored: 10:30, 10:30:00.000Z, 5:00 PM, 17:00 +01:00, 10:30 CET
_TIME = (r"(?:,?[ T]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?"
         r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?|(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?|[A-Z]{3,4})?)?")
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"
                 r"(?:\s*(?:星期|周)[一二三四五六日天])?" + _TIME)
_NAMED_MDY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TIME)
_NAMED_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,9})\.?,?[\s-]+(\d{4})"
                        + _TIME)

MDY = "mdy"
DMY = "dmy"


class Unreadable(ValueError):
    """A cell that cannot be read as what its column holds; the message says why."""


def is_empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def numeric_parts(cell: Any) -> tuple[int, int, str] | None:
    """(first, second, separator) of a day-month date such as ``3/4/2026``, whose
    order a file must decide; None for any other cell."""
    if not isinstance(cell, str):
        return None
    m = _NUMERIC.fullmatch(cell.strip())
    if not m:
        return None
    return int(m.group(1)), int(m.group(3)), m.group(2)


def slash_order(cells: list[tuple[int, Any]]) -> tuple[str | None, list[str]]:
    """The order of day and month in a file's ``A/B/YYYY`` dates (row, cell), read
    from those that can be read one way only (``11/24/2026``: the month first).
    Returns (order or None, problems): None with no problem when every such date
    reads the same both ways or there is none; a problem when the file mixes
    both orders, or when only ambiguous dates (``3/4/2026``) are there."""
    mdy = dmy = None
    ambiguous = None
    for row, cell in cells:
        parts = numeric_parts(cell)
        if parts is None or parts[2] == ".":  # a dot date is day first
            continue
        a, b, _sep = parts
        if a > 12 and b <= 12:
            dmy = dmy or (row, cell)
        elif b > 12 and a <= 12:
            mdy = mdy or (row, cell)
        elif a != b and a <= 12 and b <= 12:
            ambiguous = ambiguous or (row, cell)
    if mdy and dmy:
        return None, [_("the file writes dates month first (row {row}: {cell}) and day first "
                        "(row {other_row}: {other_cell}): give --date-format mdy or dmy").format(
            row=mdy[0], cell=mdy[1], other_row=dmy[0], other_cell=dmy[1])]
    if mdy:
        return MDY, []
    if dmy:
        return DMY, []
    if ambiguous:
        row, cell = ambiguous
        a, b, _sep = numeric_parts(cell)  # type: ignore[misc]
        y = _NUMERIC.fullmatch(cell.strip()).group(4)  # type: ignore[union-attr]
        return None, [_("dates such as {cell!r} (row {row}) read as {month_first} (month "
                        "first, US) or {day_first} (day first): give --date-format mdy or "
                        "dmy").format(cell=cell, row=row, month_first=_said(b, a, y),
                                      day_first=_said(a, b, y))]
    return None, []


_MONTH_NAMES = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"),
                N_("June"), N_("July"), N_("August"), N_("September"), N_("October"),
                N_("November"), N_("December"))


def _said(day: int, month: int, year: str) -> str:
    """A day with its month named, to tell two readings of a date apart: ``4 March
    2026`` / ``2026年3月4日``."""
    return _("{day} {month} {year}").format(day=day, month=_(_MONTH_NAMES[month - 1]),
                                            year=year)


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:  # as Python's %y reads it: 69..99 are the 1900s
        y += 1900 if y >= 69 else 2000
    return y


def _day(y: int, m: int, d: int, cell: Any) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise Unreadable(_("{cell!r} is no day of the calendar").format(cell=cell)) from None


def read_date(cell: Any, order: str | None) -> dt.date | None:
    """A cell as a date; None when it is empty. ``order`` (MDY or DMY) reads
    ``A/B/YYYY``; without one a date that reads two ways is refused."""
    if is_empty(cell):
        return None
    if isinstance(cell, dt.datetime):  # a spreadsheet's own date cell
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if not isinstance(cell, str):
        raise Unreadable(_("{cell!r} is not a date").format(cell=cell))
    text = cell.strip()
    m = _YMD.fullmatch(text)
    if m:
        return _day(int(m.group(1)), int(m.group(3)), int(m.group(4)), cell)
    m = _ZH.fullmatch(text)
    if m:
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3)), cell)
    m = _NUMERIC.fullmatch(text)
    if m:
        a, b, y = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        how = DMY if m.group(2) == "." and order is None else order
        if how is None:
            if a > 12:
                how = DMY
            elif b > 12 or a == b:
                how = MDY
            else:
                raise Unreadable(_("{cell!r} reads as month first or day first: give "
                                   "--date-format mdy or dmy").format(cell=cell))
        return _day(y, a, b, cell) if how == MDY else _day(y, b, a, cell)
    for pattern, month_at, day_at in ((_NAMED_MDY, 1, 2), (_NAMED_DMY, 2, 1)):
        m = pattern.fullmatch(text)
        if m:
            month = MONTHS.get(m.group(month_at).lower()[:4].rstrip(".")) or \
                MONTHS.get(m.group(month_at).lower()[:3])
            if month is None:
                raise Unreadable(_("{cell!r}: {word!r} is not a month").format(
                    cell=cell, word=m.group(month_at)))
            return _day(int(m.group(3)), month, int(m.group(day_at)), cell)
    raise Unreadable(_("{cell!r} is not a date (YYYY-MM-DD, M/D/YYYY, D.M.YYYY or "
                       "YYYY年M月D日)").format(cell=cell))


# -- amounts -------------------------------------------------------------------------

# A sign and the currency it names; "$" and "¥" name several, so that a currency
# column or the pipeline's own currency decides them (see ``plan``)
SYMBOLS = {"€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY",
           "₪": "ILS", "₫": "VND", "฿": "THB", "zł": "PLN", "kr": "kr", "元": "CNY",
           "rmb": "CNY", "cn¥": "CNY", "us$": "USD", "a$": "AUD", "c$": "CAD",
           "hk$": "HKD", "s$": "SGD", "nz$": "NZD", "r$": "BRL", "fr.": "CHF",
           "$": "$", "¥": "¥", "￥": "¥"}
DOLLARS = ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD")
YEN_OR_YUAN = ("CNY", "JPY")
_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009'’]")
_CODE = re.compile(r"[A-Za-z]{3}")
_SIGNS = sorted(SYMBOLS, key=len, reverse=True)
MAX_AMOUNT = 1e15  # as `new --amount` takes


def read_amount(cell: Any) -> tuple[float, str | None] | None:
    """A cell as (amount, what its sign says of the currency: a code such as
    ``EUR``, ``$`` or ``¥`` when the sign names several, or None); None when the
    cell is empty."""
    if is_empty(cell):
        return None
    if isinstance(cell, bool):
        raise Unreadable(_not_an_amount(cell))
    if isinstance(cell, (int, float)):
        return _checked(float(cell), cell), None
    if not isinstance(cell, str):
        raise Unreadable(_not_an_amount(cell))
    text = _SPACES.sub("", cell)
    sign = None
    changed = True
    while changed and text:  # signs and codes before and after the number
        changed = False
        low = text.lower()
        for s in _SIGNS:
            if low.startswith(s) or low.endswith(s):
                if sign is not None and SYMBOLS[s] != sign:
                    raise Unreadable(_two_currencies(cell))
                sign = SYMBOLS[s]
                text = text[len(s):] if low.startswith(s) else text[:-len(s)]
                changed = True
                break
        else:
            for code in (text[:3], text[-3:]):
                if len(text) > 3 and _CODE.fullmatch(code) and code.isupper():
                    if sign is not None and sign not in (code, "$", "¥"):
                        raise Unreadable(_two_currencies(cell))
                    sign = code
                    text = text[3:] if text.startswith(code) else text[:-3]
                    changed = True
                    break
    unit = 1
    if text and text[-1] in _UNITS:
        unit = _UNITS[text[-1]]
        text = text[:-1]
        if sign == "¥":
            sign = "CNY"  # 万 and 亿 are Chinese
    if text.startswith(("-", "(")) or text.endswith((")", "-")):
        raise Unreadable(_("{cell!r} is negative: an amount is 0 or more").format(cell=cell))
    number = _number(text, decimal_only=unit != 1)
    if number is None:
        raise Unreadable(_not_an_amount(cell))
    return _checked(number * unit, cell), sign


def _not_an_amount(cell: Any) -> str:
    return _("{cell!r} is not an amount").format(cell=cell)


def _two_currencies(cell: Any) -> str:
    return _("{cell!r} names two currencies").format(cell=cell)


def _checked(value: float, cell: Any) -> float:
    if not math.isfinite(value) or value < 0:
        raise Unreadable(_("{cell!r} is not an amount of 0 or more").format(cell=cell))
    if value > MAX_AMOUNT:
        raise Unreadable(_("{cell!r} is more than {most}").format(
            cell=cell, most=f"{MAX_AMOUNT:,.0f}"))
    return value


_DIGITS = re.compile(r"\d+")
_GROUPED = re.compile(r"\d{1,3}(?:X\d{3})+")


def _number(text: str, decimal_only: bool = False) -> float | None:
    """``1,200.50``, ``1.200,50``, ``1200``, ``1.5``; None when it is none of these."""
    if not text or not re.fullmatch(r"[\d.,]+", text) or not text[0].isdigit():
        return None
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        dec = "," if text.rfind(",") > text.rfind(".") else "."
        sep = "." if dec == "," else ","
        whole, _sep, frac = text.rpartition(dec)
        if sep in frac or not _grouped(whole, sep):
            return None
        return float(whole.replace(sep, "") + "." + frac)
    if not commas and not dots:
        return float(text)
    sep = "," if commas else "."
    if commas + dots > 1:  # 1,200,000 or 1.200.000: thousands only
        return float(text.replace(sep, "")) if _grouped(text, sep) else None
    whole, _sep, frac = text.partition(sep)
    if len(frac) == 3 and whole != "0" and not decimal_only:
        return float(whole + frac)  # money has two decimals: 1.200 is twelve hundred
    if not frac:
        return None
    return float(whole + "." + frac)


def _grouped(text: str, sep: str) -> bool:
    return bool(_GROUPED.fullmatch(text.replace(sep, "X"))) or _DIGITS.fullmatch(text) is not None
