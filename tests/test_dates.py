"""The dates people type (funnelctl.dates): every form against a fixed today,
Tuesday 24 November 2026, the days worked out on a calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from funnelctl.dates import FORMS, parse_day, split_step

TODAY = dt.date(2026, 11, 24)  # a Tuesday
D = dt.date


@pytest.mark.parametrize("text, day", [
    ("2026-12-01", D(2026, 12, 1)),
    ("2026-1-5", D(2026, 1, 5)),
    ("2026/12/01", D(2026, 12, 1)),
    ("2026.12.01", D(2026, 12, 1)),
    ("12-01", D(2026, 12, 1)),  # this year
    ("01-15", D(2026, 1, 15)),  # this year, even when past
    ("today", TODAY),
    ("Today", TODAY),
    (" tomorrow ", D(2026, 11, 25)),
    ("yesterday", D(2026, 11, 23)),
    ("+7", D(2026, 12, 1)),
    ("-3", D(2026, 11, 21)),
    ("+0", TODAY),
    ("+40", D(2027, 1, 3)),  # into next year
    ("mon", D(2026, 11, 30)),
    ("tue", D(2026, 12, 1)),  # today is a Tuesday: the next one
    ("wed", D(2026, 11, 25)),
    ("FRI", D(2026, 11, 27)),
    ("friday", D(2026, 11, 27)),
    ("sun", D(2026, 11, 29)),
    ("今天", TODAY),
    ("明天", D(2026, 11, 25)),
    ("昨天", D(2026, 11, 23)),
    ("后天", D(2026, 11, 26)),
    ("前天", D(2026, 11, 22)),
    ("3天后", D(2026, 11, 27)),
    ("2天前", D(2026, 11, 22)),
    ("周五", D(2026, 11, 27)),
    ("星期五", D(2026, 11, 27)),
    ("周二", D(2026, 12, 1)),  # like "tue": the next Tuesday
    ("下周一", D(2026, 11, 30)),
    ("下周三", D(2026, 12, 2)),
    ("下周日", D(2026, 12, 6)),
    ("下星期天", D(2026, 12, 6)),
    ("本周一", D(2026, 11, 23)),
    ("这周五", D(2026, 11, 27)),
    ("上周五", D(2026, 11, 20)),
    ("12月1日", D(2026, 12, 1)),
    ("12月1号", D(2026, 12, 1)),
    ("2026年12月1日", D(2026, 12, 1)),
    ("2027年1月5日", D(2027, 1, 5)),
    ("十二月一日", D(2026, 12, 1)),
    ("十二月二十五日", D(2026, 12, 25)),
    ("三月三十一日", D(2026, 3, 31)),
    # full-width digits and punctuation, as a Chinese keyboard types them
    ("２０２６－１２－０１", D(2026, 12, 1)),
    ("１２月１日", D(2026, 12, 1)),
    ("＋７", D(2026, 12, 1)),
    ("2026年 12月 1日", D(2026, 12, 1)),
])
def test_each_form_names_its_day(text: str, day: dt.date) -> None:
    assert parse_day(text, TODAY) == day


def test_today_is_an_argument_not_the_clock() -> None:
    assert parse_day("tomorrow", D(2000, 2, 28)) == D(2000, 2, 29)
    assert parse_day("下周一", D(2026, 11, 29)) == D(2026, 11, 30)  # from a Sunday
    assert parse_day("12-01", D(2030, 6, 1)) == D(2030, 12, 1)


@pytest.mark.parametrize("text", ["bogus", "20261124", "2026W482", "24/11", "", "+", "tomorow",
                                  "下下周一", "12月", "+1e3", "13-01-2026"])
def test_what_is_no_date_is_refused_with_the_forms(text: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_day(text, TODAY)
    message = str(exc.value)
    assert message == f"{text!r} is not a date YYYY-MM-DD, nor one of {FORMS}"
    assert "\n" not in message and "12月1日" in message and "mon..sun" in message


@pytest.mark.parametrize("text", ["2026-02-30", "02-30", "2月30日", "13-01", "2026-13-01",
                                  "十三月一日"])
def test_an_impossible_day_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="no such day"):
        parse_day(text, TODAY)


def test_a_shift_past_the_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="too far from today"):
        parse_day("-999999", TODAY)


@pytest.mark.parametrize("text, day, step", [
    ("2026-12-01: call the CFO", D(2026, 12, 1), "call the CFO"),
    ("2026-12-01：拜访", D(2026, 12, 1), "拜访"),
    ("明天：拜访", D(2026, 11, 25), "拜访"),
    ("12月1日：拜访", D(2026, 12, 1), "拜访"),
    ("周五，技术交流", D(2026, 11, 27), "技术交流"),
    ("fri, send the offer", D(2026, 11, 27), "send the offer"),
    ("fri send the offer", D(2026, 11, 27), "send the offer"),
    ("+7: follow up", D(2026, 12, 1), "follow up"),
    ("明天拜访客户", D(2026, 11, 25), "拜访客户"),
    ("下周一安排技术交流", D(2026, 11, 30), "安排技术交流"),
    # the step keeps its own colons and commas, as typed
    ("2026-12-02: agenda: price, terms", D(2026, 12, 2), "agenda: price, terms"),
    ("２０２６－１２－０１：拜访", D(2026, 12, 1), "拜访"),
])
def test_a_next_step_splits_after_its_date(text: str, day: dt.date, step: str) -> None:
    assert split_step(text, TODAY) == (day, step)


@pytest.mark.parametrize("text", ["tomorrow", "明天：", "call the CFO", "monitor the pump",
                                  "20261202: step", ": step", ""])
def test_a_next_step_without_a_leading_date_or_step_is_refused(text: str) -> None:
    with pytest.raises(ValueError) as exc:
        split_step(text, TODAY)
    assert str(exc.value) == (f'{text!r}: expected "DATE: step", DATE as YYYY-MM-DD or one '
                              f'of {FORMS}')
