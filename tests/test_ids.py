"""Readable deal ids (funnelctl.ids): pinyin for Chinese, Latin as written, unique
within the pipeline; and finding a deal by its id, a prefix of it or its title."""

from __future__ import annotations

import pytest

from funnelctl.ids import (
    ID_MAX,
    Ambiguous,
    NotFound,
    deal_id,
    find_by_prefix_or_title,
    readable_id,
    unique_id,
)
from funnelctl.patterns import is_deal_id


@pytest.mark.parametrize("text, expected", [
    # the example: account and title, 项目 dropped, one word a segment
    ("华东泵业 冷却水泵项目", "huadong-bengye-lengque-shuibeng"),
    # pinyin read by the word: 长 is chang in 长城, 重 is chong in 重庆
    ("长城玻璃 包装线改造", "changcheng-boli-baozhuangxian-gaizao"),
    ("重庆长安汽车股份有限公司", "chongqing-changan-qiche"),
    ("中国银行", "zhongguo-yinhang"),
    ("上海华东泵业有限公司", "shanghai-huadong-bengye"),
    ("江南物流 冷链运输合同", "jiangnan-wuliu-lenglian-yunshu-hetong"),
    ("蓝海化工 水处理项目", "lanhai-huagong-shuichuli"),
    ("西湖软件 ERP升级", "xihu-ruanjian-erp-shengji"),
    ("１２３ 华东", "123-huadong"),  # full-width digits made plain
    # a generic word alone is kept: something must name the deal
    ("项目", "xiangmu"),
    # Latin text as before: lower case, accents dropped, no word dropped
    ("Acme Pumps-Line 3: cooling", "acme-pumps-line-3-cooling"),
    ("Café Noir", "cafe-noir"),
    ("Project Alpha", "project-alpha"),
    # another script keeps its code points; nothing writable is 'deal'
    ("Ж", "u416"),
    ("!!!", "deal"),
    ("", "deal"),
])
def test_readable_ids(text: str, expected: str) -> None:
    assert readable_id(text) == expected
    assert is_deal_id(expected)


def test_deal_id_is_account_then_title() -> None:
    assert deal_id("华东泵业", "冷却水泵项目") == "huadong-bengye-lengque-shuibeng"
    assert deal_id("Acme Pumps", "Line 3: cooling") == "acme-pumps-line-3-cooling"


def test_a_long_id_is_cut_after_a_whole_word() -> None:
    got = readable_id("上海华东泵业有限公司 港口起重机维保服务年度框架协议")
    assert got == "shanghai-huadong-bengye-gangkou"  # the next word would pass 40
    assert len(got) <= ID_MAX
    long_word = readable_id("x" * 80)
    assert long_word == "x" * ID_MAX
    assert readable_id("alpha beta gamma", max_len=11) == "alpha-beta"


def test_unique_id_counts_up_past_what_is_taken_ignoring_case() -> None:
    assert unique_id("acme", []) == "acme"
    assert unique_id("acme", ["ACME"]) == "acme-2"
    assert unique_id("acme", ["acme", "acme-2", "acme-3"]) == "acme-4"
    assert unique_id("acme", ["acme-2"]) == "acme"
    # the suffix fits within the longest id
    assert unique_id("a" * 100, ["a" * 100]) == "a" * 98 + "-2"


DEALS = [("huadong-bengye-lengque-shuibeng", "冷却水泵项目"),
         ("huadong-bengye-lengque-shuibeng-2", "冷却水泵项目"),
         ("acme-pumps", "Line 3 cooling"),
         ("acme-cooling", "Cold store"),
         ("nordic", "Fleet telematics")]


@pytest.mark.parametrize("text, found", [
    ("acme-pumps", "acme-pumps"),  # the id
    ("ACME-PUMPS", "acme-pumps"),  # the id, ignoring case
    ("acme-p", "acme-pumps"),  # a unique prefix
    ("nor", "nordic"),
    ("huadong-bengye-lengque-shuibeng", "huadong-bengye-lengque-shuibeng"),  # exact wins
    ("Line 3 cooling", "acme-pumps"),  # the title
    ("line  3 COOLING ", "acme-pumps"),  # ignoring case and runs of spaces
    ("Fleet telematics", "nordic"),
    ("ｃｏｌｄ ｓｔｏｒｅ", "acme-cooling"),  # full-width forms
])
def test_a_deal_is_found_by_id_prefix_or_title(text: str, found: str) -> None:
    assert find_by_prefix_or_title(DEALS, text) == found


def test_an_ambiguous_prefix_or_title_lists_the_candidates() -> None:
    with pytest.raises(Ambiguous) as exc:
        find_by_prefix_or_title(DEALS, "acme")
    assert exc.value.candidates == ["acme-cooling", "acme-pumps"]
    assert exc.value.message == "'acme' names more than one deal: acme-cooling, acme-pumps"
    with pytest.raises(Ambiguous) as exc:
        find_by_prefix_or_title(DEALS, "冷却水泵项目")
    assert exc.value.candidates == ["huadong-bengye-lengque-shuibeng",
                                    "huadong-bengye-lengque-shuibeng-2"]


def test_a_long_list_of_candidates_is_cut() -> None:
    deals = [(f"d{i:02d}", None) for i in range(25)]
    with pytest.raises(Ambiguous) as exc:
        find_by_prefix_or_title(deals, "d")
    assert len(exc.value.candidates) == 25
    assert exc.value.message.endswith("d08, d09 … and 15 more")


@pytest.mark.parametrize("text", ["zzz", "", "Line 3"])
def test_nothing_found(text: str) -> None:
    with pytest.raises(NotFound, match="no deal"):
        find_by_prefix_or_title(DEALS, text)
