"""The dates people type, as dates: ISO days and the short forms a rep types every
day, in English and Chinese. Pure: ``today`` is an argument, the clock is read by
the command line only.

Accepted (case does not matter; full-width digits and punctuation, ``２０２６－１２－０１``
or ``１２：``, are read as their plain forms, Unicode NFKC; spaces inside are ignored):

- ``2026-12-01`` (also ``2026/12/01``, ``2026.12.01``), ``12-01`` (this year; not
  ``12/01``, which is the 12th of January to many);
- ``today``, ``yesterday``, ``tomorrow``; ``+7``, ``-3`` (days from today);
- ``mon`` .. ``sun`` (or ``monday`` ..): the next such day after today;
- ``今天``, ``明天``, ``昨天``, ``后天``, ``前天``; ``3天后``, ``2天前``;
- ``周五``, ``星期五``, ``礼拜五``: the next Friday after today, as ``fri``;
  ``下周一`` .. ``下周日``: that day of next week (weeks begin on Monday);
  ``本周五``/``这周五``: of this week; ``上周五``: of last week;
- ``12月1日`` (this year), ``2026年12月1日``, ``12月1号``, and the months and days in
  Chinese numerals (``十二月一日``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from funnelctl.i18n import N_, _

# the accepted forms, for the one-line error (translated when shown)
FORMS = N_("MM-DD, today, yesterday, tomorrow, +N/-N (days), mon..sun, 今天, 明天, 昨天, 后天, "
           "周五, 下周一, 12月1日, 2026年12月1日")

_WEEKDAYS = {name: i for i, names in enumerate((
    ("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
    ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
    ("sun", "sunday"))) for name in names}
_WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1,
          "今天": 0, "今日": 0, "明天": 1, "明日": 1, "昨天": -1, "昨日": -1,
          "后天": 2, "前天": -2}
_ZH_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
               "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}

_NUM = r"(\d{1,2}|[〇零一二两三四五六七八九十]{1,3})"
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")  # 24/11 and 11/24 mean different days
_RELATIVE = re.compile(r"([+-])(\d{1,6})(?:d|days?|天)?")
_ZH_RELATIVE = re.compile(r"(\d{1,6})天(后|以后|之后|前|以前|之前)")
_ZH_DATE = re.compile(r"(?:(\d{4})年)?" + _NUM + r"月" + _NUM + r"[日号]?")
_ZH_WEEK = re.compile(r"(上|下|本|这)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天1-7])")


def _zh_number(text: str) -> int:
    """A month or day in digits or Chinese numerals (一 .. 三十一)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _ZH_DIGITS[text] if len(text) == 1 else -1
    tens, _sep, ones = text.partition("十")
    value = (_ZH_DIGITS.get(tens, -100) if tens else 1) * 10
    return value + (_ZH_DIGITS.get(ones, -100) if ones else 0)


def normal(text: str) -> str:
    """The text as the parser reads it: NFKC (full-width forms made plain), lower
    case, without spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def not_a_date(text: str) -> ValueError:
    return ValueError(_("{text!r} is not a date YYYY-MM-DD, nor one of {forms}").format(
        text=text, forms=_(FORMS)))


def _day(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(_("{text!r}: no such day").format(text=text)) from None


def _shift(text: str, today: dt.date, days: int) -> dt.date:
    try:
        return today + dt.timedelta(days=days)
    except OverflowError:
        raise ValueError(_("{text!r}: too far from today").format(text=text)) from None


def parse_day(text: str, today: dt.date) -> dt.date:
    """The date ``text`` names, taken from ``today``; ValueError (one line, with the
    accepted forms) when it names none."""
    s = normal(text)
    if m := _ISO.fullmatch(s):
        return _day(text, int(m[1]), int(m[2]), int(m[3]))
    if m := _MONTH_DAY.fullmatch(s):
        return _day(text, today.year, int(m[1]), int(m[2]))
    if s in _WORDS:
        return _shift(text, today, _WORDS[s])
    if m := _RELATIVE.fullmatch(s):
        return _shift(text, today, int(m[2]) * (1 if m[1] == "+" else -1))
    if m := _ZH_RELATIVE.fullmatch(s):
        return _shift(text, today, int(m[1]) * (-1 if "前" in m[2] else 1))
    if s in _WEEKDAYS:
        return _next_weekday(today, _WEEKDAYS[s])
    if m := _ZH_WEEK.fullmatch(s):
        wd = _ZH_WEEKDAY[m[2]]
        if m[1] is None:
            return _next_weekday(today, wd)
        monday = today - dt.timedelta(days=today.weekday())
        weeks = {"上": -1, "下": 1, "本": 0, "这": 0}[m[1]]
        return monday + dt.timedelta(days=7 * weeks + wd)
    if m := _ZH_DATE.fullmatch(s):
        year = int(m[1]) if m[1] else today.year
        return _day(text, year, _zh_number(m[2]), _zh_number(m[3]))
    raise not_a_date(text)


def _next_weekday(today: dt.date, weekday: int) -> dt.date:
    """The first such day after today (a week on, when today is one)."""
    return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


_SEPARATORS = re.compile(r"[:：,，]")


def split_step(text: str, today: dt.date) -> tuple[dt.date, str]:
    """A next step as typed: ``"2026-12-01: call the CFO"``, ``"明天：拜访"``,
    ``"12月1日，拜访"``, ``"fri send the offer"``, ``"明天拜访"``: the date (as
    ``parse_day`` reads it) and the step, as typed, stripped. The date ends at the
    first colon or comma (full-width or not), else at the first space, else where a
    date form ends and Chinese text begins. ValueError when no date leads."""
    step = ""
    m = _SEPARATORS.search(text)
    candidates = []
    if m:
        candidates.append((text[:m.start()], text[m.end():]))
    head, _sep, rest = text.strip().partition(" ")
    if rest:
        candidates.append((head, rest))
    for date_text, step in candidates:
        if not date_text.strip():
            continue
        try:
            when = parse_day(date_text, today)
        except ValueError:
            continue
        if step.strip():
            return when, step.strip()
        break
    else:
        stripped = text.strip()
        # "明天拜访": the longest leading date form followed by something that is not
        # a Latin letter or digit (which would be part of a word: "monitor")
        for end in range(min(len(stripped) - 1, 16), 0, -1):
            nxt = stripped[end]
            if nxt.isascii() and nxt.isalnum():
                continue
            try:
                when = parse_day(stripped[:end], today)
            except ValueError:
                continue
            if stripped[end:].strip():
                return when, stripped[end:].strip()
    raise ValueError(_('{text!r}: expected "DATE: step", DATE as YYYY-MM-DD or one of '
                       '{forms}').format(
        text=text, forms=_(FORMS)))
