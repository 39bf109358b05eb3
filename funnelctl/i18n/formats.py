"""Money, dates and months as the active language writes them in text output.

Chinese counts large amounts in 万 (10^4) and 亿 (10^8): ``80万``, ``1.2亿``. The
rounding, documented once here:

- below 1万 an amount is written whole (``8500``), rounded half up;
- from 1万 on, in 万 with at most ``places`` decimals (one by default), from 1亿 on
  in 亿 the same way; rounded half up (122,500 is ``12.3万``, where Python's ``round``
  would give ``12.2万``), the unit chosen after rounding (99,999,600 is ``1亿``, not
  ``10000万``), trailing zeros dropped (``80万``, not ``80.0万``);
- ``exact=True`` keeps every digit the amount has (``12.3456万``): for one deal's
  amount, where the rep needs the figure, not its size.

English keeps funnelctl's figures (``1,200,000``). Dates are ISO in English
(``2026-11-24``) and ``2026年11月24日`` in Chinese; JSON never passes here: it stays
ISO whatever the language.

Plain arithmetic and the standard library only (no Babel: importing its number
formats costs ~0.14 s, measured with ``python -X importtime``, on a command that
answers in less).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from funnelctl import i18n

WAN = Decimal(10_000)
YI = Decimal(100_000_000)
_WEEKDAYS_ZH = "一二三四五六日"


def _zh(lang: str | None) -> bool:
    return (lang or i18n.current()).startswith("zh")


def _trim(d: Decimal) -> str:
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def money(amount: float | int | None, lang: str | None = None, places: int = 1,
          exact: bool = False) -> str:
    """An amount as the language writes it: ``1,200,000`` / ``120万``; None is ``-``."""
    if amount is None:
        return "-"
    if not _zh(lang):
        return f"{amount:,.2f}" if exact and not float(amount).is_integer() \
            else f"{amount:,.0f}"
    value = Decimal(str(amount))
    sign = "-" if value < 0 else ""
    value = abs(value)
    if exact:
        for unit, name in ((YI, "亿"), (WAN, "万")):
            if value >= unit:
                return f"{sign}{_trim(value / unit)}{name}"
        return sign + _trim(value)
    step = Decimal(1).scaleb(-places)
    whole = value.quantize(Decimal(1), ROUND_HALF_UP)
    if whole < WAN:
        return "0" if whole == 0 else f"{sign}{whole}"
    in_wan = (value / WAN).quantize(step, ROUND_HALF_UP)
    if in_wan < WAN:
        return f"{sign}{_trim(in_wan)}万"
    return f"{sign}{_trim((value / YI).quantize(step, ROUND_HALF_UP))}亿"


def day(d: dt.date | None, lang: str | None = None) -> str:
    """A date in text output: ``2026-11-24`` / ``2026年11月24日``; None is ``-``."""
    if d is None:
        return "-"
    if _zh(lang):
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


def month_day(d: dt.date | None, lang: str | None = None) -> str:
    """A date within the year shown, for narrow columns: ``11-24`` / ``11月24日``."""
    if d is None:
        return "-"
    if _zh(lang):
        return f"{d.month}月{d.day}日"
    return f"{d.month:02d}-{d.day:02d}"


def period(value: str, lang: str | None = None) -> str:
    """A target's month (``2026-11``) as the language names it: ``2026-11`` /
    ``2026年11月``."""
    if _zh(lang) and len(value) == 7 and value[4] == "-":
        return f"{int(value[:4])}年{int(value[5:])}月"
    return value


def weekday(d: dt.date, lang: str | None = None) -> str:
    """The day of the week: ``Mon`` / ``周一``."""
    if _zh(lang):
        return "周" + _WEEKDAYS_ZH[d.weekday()]
    return ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[d.weekday()]


def days(n: int, lang: str | None = None) -> str:
    """A span of days for a narrow column: ``12d`` / ``12天``."""
    return f"{n}天" if _zh(lang) else f"{n}d"
