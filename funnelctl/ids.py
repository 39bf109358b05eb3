"""Deal ids people can type, and finding a deal by what they typed.

``readable_id`` makes an id of an account and a title: Latin text as it is written
(``Acme Pumps`` -> ``acme-pumps``, accents dropped), Chinese in pinyin, one word a
segment (``华东泵业 冷却水泵项目`` -> ``huadong-bengye-lengque-shuibeng``):

- each Chinese run is cut into words: the longest known word from the right
  (pypinyin's phrases and a short list of trade words, ``VOCABULARY``), and the
  characters left over two by two (a lone one joins the word before it); a
  reading aid only: the id is unique whatever the cut;
- generic words that end a name or title and tell deals apart from nothing are
  dropped (``GENERIC``: 项目, 有限公司, 公司, 集团 ...), unless nothing else is left;
- the pinyin is pypinyin's, which reads a character by the word it is in (长城 is
  changcheng, 重庆 chongqing); a character it does not know, or a letter of another
  script, is written as its code point (``u0416``), as before;
- at most ``ID_MAX`` characters, cut after a whole word.

pypinyin is imported only when an id is made from Chinese text (its dictionaries
take a few tenths of a second to load): ``new`` and ``import`` pay it, no read does.

``unique_id`` adds ``-2``, ``-3`` ... while the id is taken (ignoring case, as a
file system may), so a second deal of the same account gets its own id instead of
a refusal. ``find_by_prefix_or_title`` finds a deal by its id, a unique prefix of
it, or its exact title.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from funnelctl.i18n import _, nformat

ID_MAX = 40

# Words that end a Chinese account or title without telling it apart: dropped from
# the end, longest first, again and again (华东泵业集团有限公司 -> 华东泵业).
GENERIC = ("股份有限公司", "有限责任公司", "有限公司", "项目", "工程项目", "公司", "集团",
           "股份", "有限")

# Words of trade and industry that pypinyin's phrase list (which holds the words
# whose reading needs the word) lacks: they let the cut find 冷却|水泵, not 冷却水|泵.
VOCABULARY = frozenset("""
水泵 冷却 泵业 改造 包装 维保 仓储 软件 医疗 乳业 物流 集团 项目 框架 协议 备件
管理 上线 二期 三期 一期 锅炉 运输 冷链 设备 升级 工程 电气 机械 电力 制药 建材
冶金 石化 电子 中心 智能 产线 生产线 配件 招标 采购 合同 系统 改扩建 扩建 新建
维修 保养 服务 安装 调试 监控 远程 自动化 信息化 数字化 控制 阀门 管道 压缩机
空压机 风机 电机 变频器 仪表 传感器 机器人 叉车 货架 输送 包装线 流水线 车间 工厂
厂房 园区 仓库 实验室 办公 楼宇 照明 节能 环保 污水 废水 废气 除尘 供水 供热 供暖
燃气 光伏 储能 充电 电池 汽车 零部件 模具 铸造 锻造 钢材 钢铁 玻璃 水泥 塑料 橡胶
化工 纺织 服装 食品 饮料 乳品 酒店 医院 学校 银行 证券 保险 政府 年度 框架 续约
续签 扩容 替换 更换 采购 租赁 咨询 培训 实施 运维 外包 平台 数据 网络 安全 云
""".split())

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]+")


def _words(run: str, known: frozenset[str] | set[str]) -> list[str]:
    """A run of Chinese characters cut into words (see the module's docstring)."""
    cut: list[str] = []
    i = len(run)
    while i > 0:
        for size in range(min(4, i), 0, -1):
            w = run[i - size:i]
            if size == 1 or w in known:
                cut.append(w)
                i -= size
                break
    cut.reverse()
    # characters no word took, two by two; a lone one joins the word before it, or
    # the word after it at the start of the run
    words: list[str] = []
    lone_first = False
    k = 0
    while k < len(cut):
        if len(cut[k]) > 1:
            words.append(words.pop() + cut[k] if lone_first else cut[k])
            lone_first = False
            k += 1
            continue
        j = k
        while j < len(cut) and len(cut[j]) == 1:
            j += 1
        run_ = cut[k:j]
        pairs = ["".join(run_[i:i + 2]) for i in range(0, len(run_), 2)]
        if len(pairs[-1]) == 1 and (len(pairs) > 1 or words):
            lone = pairs.pop()
            if pairs:
                pairs[-1] += lone
            else:
                words[-1] += lone
        elif len(pairs[-1]) == 1 and j < len(cut):  # at the start: joins the next word
            lone_first = True
        words.extend(pairs)
        k = j
    return words


def _drop_generic(text: str) -> str:
    """A Chinese name or title without the generic words that end it."""
    changed = True
    while changed:
        changed = False
        for g in sorted(GENERIC, key=len, reverse=True):
            if text.endswith(g) and len(text) > len(g):
                text = text[: -len(g)]
                changed = True
    return text


def _known() -> set[str]:
    from pypinyin.phrases_dict import phrases_dict

    return phrases_dict.keys() | VOCABULARY | set(GENERIC)


def _pinyin(run: str) -> list[str]:
    """One syllable per character of a Chinese run, read in context."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(run, style=Style.NORMAL, errors=lambda chars: [
        f"u{ord(c):x}" for c in chars])
    if len(syllables) != len(run):  # never seen: one reading per character, as asked
        syllables = [lazy_pinyin(c, style=Style.NORMAL)[0] for c in run]
    return [s if s.isascii() and s.isalnum() else f"u{ord(c):x}"
            for s, c in zip(syllables, run, strict=True)]


def _latin(text: str) -> list[str]:
    """Latin text's words, lower case, accents dropped; other letters as code points."""
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if ch.isascii():
            out.append(ch.lower() if ch.isalnum() else "-")
        elif unicodedata.category(ch).startswith("L") or ch.isdigit():
            out.append(f"-u{ord(ch):x}-")
    return [w for w in "".join(out).split("-") if w]


def readable_id(text: str, max_len: int = ID_MAX) -> str:
    """An id of letters, digits and dashes for ``text`` (see the module's docstring);
    ``deal`` when nothing of it can be written."""
    text = unicodedata.normalize("NFKC", text)
    words: list[str] = []
    known: set[str] | None = None
    # chunks: what spaces and punctuation separate (an account, a title)
    for chunk in re.split(r"[\s\-_/,.;:，。；：、（）()]+", text):
        pos = 0
        han_runs = list(_HAN.finditer(chunk))
        if han_runs:
            chunk = _drop_generic(chunk) if _HAN.fullmatch(chunk[-1:] or "x") else chunk
            han_runs = list(_HAN.finditer(chunk))
        for m in han_runs:
            words += _latin(chunk[pos:m.start()])
            if known is None:
                known = _known()
            syllables = iter(_pinyin(m.group()))
            for w in _words(m.group(), known):
                words.append("".join(next(syllables) for _ in w))
            pos = m.end()
        words += _latin(chunk[pos:])
    out = ""
    for w in words:
        joined = f"{out}-{w}" if out else w
        if len(joined) > max_len:
            if not out:
                out = w[:max_len]
            break
        out = joined
    return out.strip("-") or "deal"


def deal_id(account: str, title: str, max_len: int = ID_MAX) -> str:
    """The readable id of a deal: its account, then its title."""
    return readable_id(f"{account} {title}", max_len)


def unique_id(base: str, taken: Iterable[str], max_len: int = 100) -> str:
    """``base``, or ``base-2``, ``base-3`` ... : the first not in ``taken`` (compared
    ignoring case)."""
    used = {t.casefold() for t in taken}
    if base.casefold() not in used:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: max_len - len(suffix)] + suffix
        if candidate.casefold() not in used:
            return candidate
        n += 1


# -- finding a deal by what was typed ---------------------------------------------


class NotFound(LookupError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Ambiguous(LookupError):
    def __init__(self, message: str, candidates: list[str]):
        super().__init__(message)
        self.message = message
        self.candidates = candidates


SHOWN_CANDIDATES = 10


def _title_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def find_by_prefix_or_title(ids_and_titles: Iterable[tuple[str, str | None]], text: str
                            ) -> str:
    """The id of the deal ``text`` names: its id, its id ignoring case, the one id
    it begins, or the one title it is (ignoring case, full-width forms and runs
    of spaces). ``NotFound`` or ``Ambiguous`` (with the candidates) otherwise."""
    pairs = list(ids_and_titles)
    for deal, _title in pairs:
        if deal == text:
            return deal
    folded = text.casefold()
    same = [d for d, _t in pairs if d.casefold() == folded]
    if len(same) == 1:
        return same[0]
    starting = sorted(d for d, _t in pairs if d.casefold().startswith(folded)) if text else []
    if len(starting) == 1:
        return starting[0]
    titled = sorted(d for d, t in pairs if t and _title_key(t) == _title_key(text))
    if len(titled) == 1:
        return titled[0]
    candidates = titled or starting
    if candidates:
        shown = ", ".join(candidates[:SHOWN_CANDIDATES])
        more = len(candidates) - SHOWN_CANDIDATES
        if more > 0:
            shown += " " + nformat("… and {n} more", "… and {n} more", more)
        raise Ambiguous(_("{text!r} names more than one deal: {candidates}").format(
            text=text, candidates=shown), candidates)
    raise NotFound(_("no deal {text!r} (an id, the beginning of one, or a title; "
                     "'funnelctl list' shows them)").format(text=text))
