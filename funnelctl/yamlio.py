"""YAML in two speeds.

Reading the pipeline parses YAML 1.2 core-schema scalars: ``no``, ``on`` and ``yes``
stay strings, ``09:30`` is not a number of minutes, ``010`` is ten, exactly as
ruamel's round-trip writer means them. The reference reader is libyaml through
PyYAML's C loader, its implicit resolvers narrowed to the core schema, and a
hand-written node builder (about 0.7 ms a deal file). When the Rust parser yaml_rs
is installed, it reads a file instead (about 0.1 ms with the scan that decides) if
the file holds nothing yaml_rs was seen to read otherwise than the reference;
tests hold the two equal on the sample and generated deals, on thousands of
mutations of them and on tricky scalars. A file yaml_rs refuses is read again by
the reference, so every problem and its message is the reference's. Aliases are
bounded on both paths. Writing one file uses ruamel's round-trip mode, which keeps
comments, key order, quoting and indentation.

Line numbers are found only when there is a problem to report: the problem's path is
followed through the parser's events of a file that was read (``lines_in_read``), or
through its composed nodes (``lines_of``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import yaml

from funnelctl.i18n import N_

try:  # a Rust YAML 1.2 parser: ~5x faster than libyaml and _build on a deal file
    import yaml_rs

    HAVE_YAML_RS = True
except ImportError:  # pragma: no cover - an optional speed-up; the reference reads all
    yaml_rs = None
    HAVE_YAML_RS = False

try:  # libyaml ships inside PyYAML's wheels; without it the pure loader is ~10x slower
    from yaml import CSafeLoader as _BaseLoader

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on the platform's wheel
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    HAVE_LIBYAML = False


class CoreLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """A safe loader whose plain-scalar resolution follows YAML 1.2 (core schema) and
    that refuses a key given twice, as the round-trip writer would."""

    # libyaml calls these three for every node it composes: PyYAML's versions join
    # two lists per scalar and walk path resolvers this loader never has (an eighth
    # of a cold parse). A test holds the results equal to BaseResolver.resolve.
    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):
            seen: set = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark)
                seen.add(key)
        return mapping


CoreLoader.yaml_implicit_resolvers = {}
_RESOLVERS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9][0-9_]*|0o[0-7]+|0x[0-9a-fA-F]+)$",
     "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:timestamp",
     r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
     r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
     r"(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?"
     r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$", "0123456789"),
]
for _tag, _regexp, _first in _RESOLVERS:
    CoreLoader.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


def _construct_int(loader: Any, node: Any) -> int:
    value = loader.construct_scalar(node).replace("_", "")
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value)  # a leading zero is decimal in YAML 1.2


def _construct_timestamp(loader: Any, node: Any) -> Any:
    # an impossible date such as 2026-13-01 stays text, so that validation reports it
    # on its own line instead of failing the whole file
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
CoreLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class YamlError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def load_fast(text: str | bytes) -> Any:
    """Parse one YAML document for reading; raises YamlError with a 1-based line.

    yaml_rs reads the text when ``rs_may_read`` finds nothing in it that yaml_rs
    reads otherwise than ``load_reference``; a text it refuses, and every other
    text, is read by ``load_reference``: the same values, the same problems."""
    if HAVE_YAML_RS:
        s = rs_may_read(text)
        if s is not None:
            try:
                return yaml_rs.loads(s, alias_limits=_RS_ALIAS_LIMITS)
            except Exception:  # refused (or it broke): the reference finds the line
                pass
    return load_reference(text)


def load_reference(text: str | bytes) -> Any:
    """The reference reader: libyaml composes the node tree; ``_build`` turns it into
    Python values with the same results as CoreLoader's constructors (a test holds
    them equal) at about half their cost."""
    try:
        loader = CoreLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        if node is None:
            return None
        anchors = b"&" in text if isinstance(text, bytes) else "&" in text
        return _build_counted(node, [MAX_ALIAS_NODES]) if anchors else _build(node)
    except RecursionError:
        return _raise(_first_alias_line(text), _invalid("an alias refers to itself"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return _raise(line, _invalid(_first_line(exc.problem or exc)))
    except yaml.reader.ReaderError as exc:  # a character libyaml refuses: on its line
        return _raise(_line_at(text, exc.position), _invalid(_first_line(exc)))
    except yaml.YAMLError as exc:
        return _raise(1, _invalid(_first_line(exc)))


# what the parser says of a text it refuses, in the active language (the ones a team
# meets: a colon in a value, a bad indentation, a tab, a duplicate key); others are
# shown as the parser words them
_PROBLEMS = (
    N_("an alias refers to itself"), N_("mapping values are not allowed here"),
    N_("mapping values are not allowed in this context"),
    N_("mapping keys are not allowed in this context"),
    N_("block sequence entries are not allowed in this context"),
    N_("found a tab character where an indentation space is expected"),
    N_("did not find expected ',' or ']'"), N_("did not find expected ',' or '}'"),
    N_("did not find expected comment or line break"),
    N_("found unexpected document indicator"),
    N_("could not find expected ':'"), N_("did not find expected key"),
    N_("did not find expected '-' indicator"), N_("did not find expected node content"),
    N_("found character that cannot start any token"), N_("found undefined alias"),
    N_("found unexpected end of stream"), N_("found unknown escape character"),
    N_("found unexpected ':'"), N_("found a tab character that violates indentation"),
    N_("found incomplete document"), N_("block sequence entries are not allowed here"),
    N_("expected <block end>, but found '<block mapping start>'"),
    N_("expected a single document in the stream"), N_("control characters are not allowed"),
    N_("a key must be a plain value"), N_("too many aliases"),
)
_KEYED = re.compile(r"(duplicate key|unsupported tag) (.*)")


def _invalid(problem: str) -> str:
    """``not valid YAML: <problem>`` in the active language."""
    from funnelctl.i18n import _

    if problem in _PROBLEMS:
        problem = _(problem)
    else:
        keyed = _KEYED.fullmatch(problem)
        if keyed:
            problem = (_("duplicate key {key}") if keyed.group(1) == "duplicate key"
                       else _("unsupported tag {tag}")).format(key=keyed.group(2),
                                                               tag=keyed.group(2))
    return _("not valid YAML: {problem}").format(problem=problem)


def _first_line(exc: object) -> str:
    """A problem is one line (``path:line: message``); libyaml's own messages may go on
    with where it was (``in "<byte string>", position 19``), which the line says."""
    return str(exc).strip().split("\n", 1)[0]


_ALIAS = re.compile(rb"(?:^|[\s\[{,:-])\*[^\s,\[\]{}]+")


def _first_alias_line(text: str | bytes) -> int:
    """The line of the first alias: where a self-referring one is found (the parser's
    recursion error says no line)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    found = _ALIAS.search(data)
    return data.count(b"\n", 0, found.end()) + 1 if found else 1


def _line_at(text: str | bytes, offset: int) -> int:
    """The 1-based line of a byte offset into the UTF-8 text, as libyaml counts it."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return 1  # UTF-16: libyaml's offsets are not into these bytes
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


# -- when yaml_rs may read a text ------------------------------------------------
#
# yaml_rs is a YAML 1.2 parser, libyaml a YAML 1.1 one narrowed to 1.2's scalars;
# on a file as funnelctl and people write deals they agree (tests/test_yamlio.py
# holds them equal on every sample and generated deal, on mutations of them and on
# tricky scalars; a differential fuzzer found the rest). Where they were seen to
# differ on a text both accept, or where yaml_rs could crash or explode, the scan
# below sends the text to the reference:
#
# - yaml_rs reads dates and times inside quoted and block scalars ("2026-01-02",
#   '12:30:45', |- 2026-01-02), bare times (12:30:45) as datetime.time, dates with a
#   time but no seconds as datetimes, and as text the timestamps libyaml reads with
#   one-digit fields or spaced zones (2026-1-5, 2026-01-02  10:20:30 Z);
# - yaml_rs reads 0b1, 0X1F, 0O17, +0x1, -0o7, _1, 1_0.5, .NaN and .iNF as numbers;
# - yaml_rs accepts tags it does not know (!foo x, !!binary), makes sets (!!set),
#   tuples and frozensets of complex keys ([1, 2]: x), a None key (: x), [a:], plain
#   scalars that start with | or > in flow collections, a list of documents
#   (a\n---\nb), an unindented top-level block scalar; it reads tabs, NUL (it stops
#   there), NEL, LS and PS, and a last block scalar without a line break, otherwise;
# - libyaml and yaml_rs name anchors differently; aliases are rare in deal files;
# - yaml_rs has no depth limit on block collections and overflows its stack at a
#   few thousand levels (SIGSEGV: a 40 KB file of "- - - ..." kills the process),
#   while the reference refuses ~500: deep indentation and long runs of "- " and
#   more than 64 flow brackets go to the reference.
#
# The scan costs a fraction of the parse: one pass of bytes.translate keeps the rare
# characters whose regular expressions need to run at all, another maps digits to 9
# so that odd dates and times are plain substrings; the rest are expressions that
# start with a literal character.
_RARE = b"\t\r!&*?[]{}%'|>\\\xc2" + bytes(range(32)) + b"\x7f"  # what translate keeps
_ORDINARY = bytes(sorted(set(range(256)) - set(_RARE) | {10}))
_CONTROLS = bytes(sorted(set(range(256)) - set(range(32)) - {127} | {10, 13}))
_DIGITS = bytes.maketrans(b"0123456789xXoObB", b"9999999999xxxxxx")
_C1 = re.compile(rb"\xc2[\x80-\x9f]")  # C1 controls, NEL among them
_NODE_PROPS = re.compile(  # a tag, an anchor, an alias, an explicit key (also [?a])
    rb"[!?](?<![^\s\[{,:][!?])|[&*](?<![^\s\[{,:][&*])[^\s,\[\]{}]")
_SEQ_KEY = re.compile(rb"\][ \t]*:")  # [1, 2]: x
_MAP_KEY = re.compile(rb"\}[ \t]*:")  # {a: 1}: x
_FLOW_BAR = re.compile(rb"[\[{,:]\s*[|>]")  # libyaml starts no plain scalar with | or >
_DQ = re.compile(rb'"(?<![^\s\[{,:]")[\s\d\\]')  # "2026-01-02", "\x32026-01-02"
_SQ = re.compile(rb"'(?<![^\s\[{,:]')\s*\d")  # '12:30:45'
_STRIP = re.compile(rb"[|>][1-9]?-")  # |- 2026-01-02, a strip-chomped block scalar
_BLOCK = re.compile(rb"[|>][-+0-9]*[ ]*(?:#[^\n\r]*)?(?:[\n\r]|\Z)")  # a block scalar
_START = re.compile(r"(?:\s|#[^\n\r]*|---(?=\s))*")  # comments and --- before a document
_HEX = re.compile(rb"0(?<![\w.]0)[xXoObB]")  # hexadecimal, octal, binary
_UNDERSCORE = re.compile(rb"_(?:(?<=[\d._]_)|[\d._]|(?<=[eE]_)_*[-+])")  # _1, 1_0.5
_INF_NAN = re.compile(rb"\.(?:[iI][nN][fF]|[nN][aA][nN])")  # .inf and .nan in any case
_LINE_START = re.compile(  # ---, ..., %YAML, : x, deep indentation, deep "- - -"
    rb"\n(?:--|\.\.|%|:| {48}| *- +(?:- +){15})")
_DEEP_START = re.compile(rb" *- +(?:- +){15}")
_COLON = re.compile(rb":(?:[,\]}:]|(?<=[ ,\[{]:))")  # [a:], a::b, ' : x', {: x}
_ODD_DATE = re.compile(rb"-9(?:-|9-9(?!9))")  # 2026-1-5, 2026-01-5 (digits mapped to 9)
_HOURS = re.compile(rb"9:99")  # a time (idem)
_DATE_TIME = re.compile(rb"-\d\d?(?:[Tt]|\s+)\d")  # 2026-01-02 10:20, 2026-01-02\n  10:20
# Wider nets for the five expressions above, each starting with one character: a text
# none of them catches passes those five (and their translate) untested. Each of the
# five matches only where one of these does: _NEAR_LINE_START and _NEAR_DASH hold
# _LINE_START (a deep "- - -" line holds "- -"), _NEAR_COLON holds _COLON and "9:99",
# _NEAR_DASH holds _ODD_DATE (a digit for 9). The scan of a benchmark deal took 37 µs
# (best of runs), 30 µs so; a differential test of 350,000 texts found no other answer.
_NEAR_LINE_START = re.compile(rb"\n(?:[-.%:]| {48})")
_NEAR_COLON = re.compile(rb":(?:[,\]}:]|(?<=[ ,\[{]:)|(?<=\d:)\d)")
_NEAR_DASH = re.compile(rb"-(?: +-|\d(?:-|\d-\d(?!\d)))")
_RS_ALIAS_LIMITS = yaml_rs.AliasLimits(max_total_replayed_events=10_000) if yaml_rs else None


def rs_may_read(text: str | bytes) -> str | None:
    """The text for yaml_rs to read, or None when the reference must read it: it is
    not UTF-8, or holds something the two read differently (see above)."""
    if isinstance(text, bytes):
        data = text
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    else:
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            return None
    if text[:1] == "\ufeff":
        text, data = text[1:], data[3:]
    rare = data.translate(None, _ORDINARY)
    if rare and not _rare_may_read(text, data, rare):
        return None
    if not text.isascii() and ("\u2028" in text or "\u2029" in text or "\ufeff" in text
                               or "\ufffe" in text or "\uffff" in text):
        return None  # LS and PS are line breaks to libyaml; BOMs; non-characters
    if text[:1] in (":", "%") or text[:3] == "..." or text[:48] == " " * 48 or \
            _DEEP_START.match(data):
        return None  # as after a line break (below), on the first line
    if (_NEAR_LINE_START.search(data) or _NEAR_COLON.search(data) or _NEAR_DASH.search(data)) \
            and not _lines_colons_dates_may_read(data):
        return None
    if _HEX.search(data):
        return None  # 0x1f, 0X1F, 0b1
    if _DQ.search(data) or (b"'" in rare and _SQ.search(data)):
        return None
    if _UNDERSCORE.search(data) or _INF_NAN.search(data):
        return None
    return text


def _lines_colons_dates_may_read(data: bytes) -> bool:
    if _LINE_START.search(data) or _COLON.search(data):
        return False  # another document, a directive, an empty key, deep indentation
    digits = data.translate(_DIGITS)
    if _ODD_DATE.search(digits):
        return False  # 2026-1-5, 2026-01-5
    if _HOURS.search(digits) and (b":99:99" in digits or _DATE_TIME.search(data)):
        return False  # 12:30:45 (and every timestamp), 2026-01-02T10:20
    return True


def _rare_may_read(text: str, data: bytes, rare: bytes) -> bool:
    """The checks for the rarer characters a text holds (``rare``, in file order)."""
    if not rare.translate(None, b"%'[]"):  # what most files hold: [] and 20% (4 µs less)
        return rare.count(b"[") <= 64 and not (b"]" in rare and _SEQ_KEY.search(data))
    if rare.translate(None, _CONTROLS):
        return False  # NUL and other controls, tabs
    if b"\xc2" in rare and _C1.search(data):
        return False
    if (b"!" in rare or b"&" in rare or b"*" in rare or b"?" in rare) and \
            _NODE_PROPS.search(data):
        return False
    if b"[" in rare or b"{" in rare or b"]" in rare or b"}" in rare:
        if rare.count(b"[") + rare.count(b"{") > 64:
            return False
        if (b"]" in rare and _SEQ_KEY.search(data)) or (b"}" in rare and _MAP_KEY.search(data)):
            return False
        if (b"|" in rare or b">" in rare) and _FLOW_BAR.search(data):
            return False
    if b"\r" in rare and ("\r-" in text or "\r." in text or "\r%" in text
                          or "\r:" in text or "\r" + " " * 48 in text):
        return False  # as after \n, for a file with CR line breaks
    if b"|" in rare or b">" in rare:
        if _STRIP.search(data):
            return False
        if _BLOCK.search(data):  # a block scalar: it may end the document, or be it
            if not text.endswith(("\n", "\r")):
                return False
            body = text.rstrip()
            last = body[max(body.rfind("\n"), body.rfind("\r")) + 1:]
            if "|" in last or ">" in last or text[_START.match(text).end():][:1] in "|>":
                return False  # (libyaml wants a document's lines indented)
    return True


def _raise(line: int, message: str) -> Any:
    raise YamlError(line, message)


def _int(value: str) -> int:
    value = value.replace("_", "")
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value)


def _float(value: str) -> float:
    low = value.lower().replace("_", "")
    if low.endswith(".inf"):
        return float("-inf") if low.startswith("-") else float("inf")
    if low == ".nan":
        return float("nan")
    return float(low)


def _timestamp(value: str) -> Any:
    if len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # 2026-13-01 stays text: validation reports it on its line
    node = yaml.ScalarNode("tag:yaml.org,2002:timestamp", value)
    return _construct_timestamp(_TIMESTAMPS, node)


_TIMESTAMPS = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_SCALARS = {
    "tag:yaml.org,2002:int": _int,
    "tag:yaml.org,2002:float": _float,
    "tag:yaml.org,2002:bool": lambda v: v.lower() == "true",
    "tag:yaml.org,2002:null": lambda v: None,
    "tag:yaml.org,2002:timestamp": _timestamp,
}
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _build(node: Any) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _MAP:
        out: dict = {}
        for key_node, value_node in node.value:
            key = _build(key_node)
            try:
                if key in out:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark)
            except TypeError:  # an unhashable key such as a list
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain value", key_node.start_mark) from None
            out[key] = _build(value_node)
        return out
    if tag == _SEQ:
        return [_build(item) for item in node.value]
    convert = _SCALARS.get(tag)
    if convert is None:
        raise yaml.constructor.ConstructorError(
            None, None, f"unsupported tag {tag!r}", node.start_mark)
    return convert(node.value)


# The reference builds a node as often as aliases refer to it: nine levels of nine
# aliases ("billion laughs", 700 bytes) would build 387 million. A text with an
# anchor is built by this copy of _build, which counts the nodes it builds again.
MAX_ALIAS_NODES = 10_000


def _build_counted(node: Any, budget: list[int], seen: set[int] | None = None) -> Any:
    if seen is None:
        seen = set()
    if id(node) in seen:
        budget[0] -= 1
        if budget[0] < 0:
            raise yaml.constructor.ConstructorError(
                None, None, "too many aliases", node.start_mark)
    else:
        seen.add(id(node))
    tag = node.tag
    if tag == _MAP:
        out: dict = {}
        for key_node, value_node in node.value:
            key = _build_counted(key_node, budget, seen)
            try:
                if key in out:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark)
            except TypeError:  # an unhashable key such as a list
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain value", key_node.start_mark) from None
            out[key] = _build_counted(value_node, budget, seen)
        return out
    if tag == _SEQ:
        return [_build_counted(item, budget, seen) for item in node.value]
    return _build(node)


def line_of(text: str | bytes, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the node at ``loc`` (keys and list indexes), or of its
    nearest existing parent. Used only to report a problem."""
    return lines_of(text, [loc])[0]


def lines_of(text: str | bytes, locs: list[tuple[Any, ...]]) -> list[int]:
    """``line_of`` for several locations of one text, composing its nodes once (a
    deal with problems has one or two: composing is most of the cost, 2-4 ms)."""
    if not locs:
        return []
    try:
        root = yaml.compose(text, Loader=CoreLoader)
    except yaml.YAMLError:
        return [1] * len(locs)
    if root is None:
        return [1] * len(locs)
    return [_node_line(root, loc) for loc in locs]


def lines_in_read(text: str | bytes, locs: list[tuple[Any, ...]]) -> list[int]:
    """``lines_of`` for a text ``load_fast`` has read (so that it composes): libyaml's
    parser events are walked only as far as the locations, and no node is built. A
    deal with a problem cost 1.1 ms composed, 0.1 ms so when the problem is about a key
    near the top. A text with an alias, or that the parser refuses on the way, is
    composed as ``lines_of`` does (an alias stands for a node elsewhere)."""
    if not locs:
        return []
    if not HAVE_LIBYAML:  # pragma: no cover - depends on the platform's wheel
        return lines_of(text, locs)
    from yaml._yaml import CParser

    out = [0] * len(locs)
    parser = CParser(text)
    try:
        get = parser.get_event
        get()  # the stream's start
        event = get()
        if type(event) is yaml.StreamEndEvent:
            return [1] * len(locs)  # no document: as lines_of
        event = get()  # the root node's first event
        line = event.start_mark.line + 1
        left = [len(locs)]
        deeper = []
        for n, loc in enumerate(locs):
            if loc:
                deeper.append((n, loc, [str(k) for k in loc]))
            else:
                out[n] = line
                left[0] -= 1
        if deeper:
            _walk(get, event, deeper, 0, line, out, left)
    except _Found:
        pass
    except (_Alias, yaml.YAMLError):
        return lines_of(text, locs)
    finally:
        parser.dispose()
    return out


class _Found(Exception):
    """Every location has its line: the rest of the text is not read."""


class _Alias(Exception):
    """An alias: its node is elsewhere in the text."""


_PendingLoc = tuple[int, tuple[Any, ...], list[str]]  # (its place in the answer, loc, keys as text)


def _walk(get: Any, event: Any, pending: list[_PendingLoc], depth: int, line: int,
          out: list[int], left: list[int]) -> None:
    """The lines of the ``pending`` locations, whose first ``depth`` keys led to the node
    that ``event`` starts (at ``line``, as ``_node_line`` counts): its events are read
    to its end, or until every location has its line (_Found)."""
    kind = type(event)
    if kind is yaml.MappingStartEvent:
        while True:
            key = get()
            kind = type(key)
            if kind is yaml.MappingEndEvent:
                break
            here = None
            if kind is yaml.ScalarEvent:
                if pending:
                    value = key.value
                    for p in pending:
                        if p[2][depth] == value:
                            if here is None:
                                here = []
                            here.append(p)
            elif kind is yaml.AliasEvent:
                raise _Alias
            else:
                _skip(get, key)
            if here is None:
                _skip(get, get())
                continue
            pending = [p for p in pending if p not in here]
            _found(get, here, depth, key.start_mark.line + 1, out, left)
    elif kind is yaml.SequenceStartEvent:
        index = 0
        while True:
            item = get()
            kind = type(item)
            if kind is yaml.SequenceEndEvent:
                break
            if kind is yaml.AliasEvent:
                raise _Alias
            here = [p for p in pending if isinstance(p[1][depth], int) and p[1][depth] == index]
            index += 1
            if not here:
                _skip(get, item)
                continue
            pending = [p for p in pending if p not in here]
            _found(get, here, depth, item.start_mark.line + 1, out, left, item)
    elif kind is yaml.AliasEvent:
        raise _Alias
    for p in pending:  # not there: the line of the nearest parent
        out[p[0]] = line
        left[0] -= 1
    if not left[0]:
        raise _Found


def _found(get: Any, here: list[_PendingLoc], depth: int, line: int, out: list[int],
           left: list[int], event: Any = None) -> None:
    """The locations whose key at ``depth`` is the node ``event`` starts (read now when
    None: a mapping's value): those that end there are on ``line``, the others are
    walked into it."""
    deeper = []
    for p in here:
        if len(p[1]) == depth + 1:
            out[p[0]] = line
            left[0] -= 1
        else:
            deeper.append(p)
    if event is None:
        event = get()
    if deeper:
        _walk(get, event, deeper, depth + 1, line, out, left)
    else:
        if not left[0]:
            raise _Found
        _skip(get, event)


def _skip(get: Any, event: Any) -> None:
    """Read past the node ``event`` starts."""
    kind = type(event)
    if kind is yaml.ScalarEvent:
        return
    if kind is yaml.AliasEvent:
        raise _Alias
    depth = 1
    while depth:
        kind = type(get())
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            depth += 1
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            depth -= 1
        elif kind is yaml.AliasEvent:
            raise _Alias


def _node_line(node: Any, loc: tuple[Any, ...]) -> int:
    line = node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    # a scalar or flow value is reported on its own line; a block
                    # mapping or list on the line of its key
                    line = k.start_mark.line + 1
                    node = v
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if 0 <= key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        else:
            return line
    return line


# -- round trip --------------------------------------------------------------------
#
# A write changes only the lines it means to: git diffs are the audit trail. ruamel's
# round-trip mode keeps comments, key order and quoting, but it writes the whole
# document again in its own form: without a BOM, `---` or `...`, with LF endings,
# without trailing blanks, with one indentation for the whole file, dates' anchors
# resolved, flow collections on one line. So a write is a three-way merge of lines:
# the body as read (A), ruamel's rendering of it before the change (B) and after it
# (C). A line of A that B renders alike (up to trailing blanks) stands for it; every
# B line the change kept is written as the A line it stands for, byte for byte, and
# only the lines the change added, changed or removed differ from the file. A BOM,
# the line endings and the `---` and `...` lines are set aside before ruamel reads
# the text and put back after. The merge is checked: the text written must read as
# ruamel's own rendering reads, or that rendering is written (BOM, endings and
# markers restored), as a correct if noisier diff.

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_START_MARKER = re.compile(r"---(?:[ \t]+(?:#.*)?)?")
_END_MARKER = re.compile(r"\.\.\.(?:[ \t]+(?:#.*)?)?")
_NOTHING = re.compile(r"[ \t]*(?:#.*)?")  # a blank or comment line


def rt_yaml(text: str) -> Any:
    """A ruamel round-trip YAML object set up for the indentation ``text`` uses."""
    import sys

    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = sys.maxsize  # never fold a line the user wrote on one line
    y.representer.ignore_aliases = _ignore_aliases
    y.Emitter = _emitter()
    mapping, sequence, offset = guess_indent(text)
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def _ignore_aliases(data: Any) -> bool:
    """An alias only where the file had one: the same date written twice by an edit
    is no anchor, and an anchor the file holds is not expanded at each alias."""
    anchor = getattr(data, "anchor", None)
    return getattr(anchor, "value", None) is None


_EMITTER: list[Any] = []


def _emitter() -> Any:
    """ruamel's round-trip emitter, with one bug fixed: after an end-of-line comment on
    a list item (``- {a: 1}  # c``) in a list with a comment before its first item,
    it forgot that the comment had ended the line and wrote the next item's second key
    on the first key's line (``- stage: won date: 2026-11-24``): a file no reader
    takes. A key or an item after the first starts a line of its own."""
    if not _EMITTER:
        from ruamel.yaml.emitter import RoundTripEmitter

        class Emitter(RoundTripEmitter):  # type: ignore[misc]
            def expect_block_mapping_key(self, first: Any = False) -> None:
                if not first and self.no_newline and self.column > (self.indent or 0):
                    self.no_newline = False
                super().expect_block_mapping_key(first)

            def expect_block_sequence_item(self, first: bool = False) -> None:
                if not first and self.no_newline and self.column > (self.indent or 0):
                    self.no_newline = False
                super().expect_block_sequence_item(first)

        _EMITTER.append(Emitter)
    return _EMITTER[0]


_SEQ_ITEM = re.compile(r"^( *)- ")
_KEY_LINE = re.compile(r"^( *)[^\s#-][^:]*:\s*(#.*)?$")


def guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) as ruamel names them, read off the file's first
    block list and first nested mapping; funnelctl's own style when there is none."""
    mapping = None
    sequence = offset = None
    lines = [line for line in text.splitlines() if not _NOTHING.fullmatch(line)]
    for i, line in enumerate(lines):
        m = _KEY_LINE.match(line)
        if not m or i + 1 >= len(lines):
            continue
        parent = len(m.group(1))
        nxt = lines[i + 1]
        s = _SEQ_ITEM.match(nxt)
        if s and sequence is None:
            offset = len(s.group(1)) - parent
            rest = nxt[len(s.group(0)):]
            inner = len(rest) - len(rest.lstrip(" "))
            sequence = offset + 2 + inner
        elif not s and mapping is None:
            ind = len(nxt) - len(nxt.lstrip(" "))
            if ind > parent:
                mapping = ind - parent
        if mapping is not None and sequence is not None:
            break
    if sequence is None or offset is None:
        sequence, offset = 4, 2
    return mapping or 2, sequence, offset


def rt_load(text: str) -> Any:
    """(ruamel object, document) of a file's text, for ``rt_dump`` to write back with
    only the lines the change to the document means."""
    layout = Layout(text)
    y = rt_yaml(layout.body)
    doc = y.load(layout.body)
    layout.before = _plain_dump(y, doc)
    y.funnelctl_layout = layout
    return y, doc


def rt_dump(y: Any, data: Any) -> str:
    """The text of ``data``: for a document ``rt_load`` read, the file as read with
    the change merged in (see above); else ruamel's rendering."""
    text = _plain_dump(y, data)
    layout = getattr(y, "funnelctl_layout", None)
    return text if layout is None else layout.merge(text)


def _plain_dump(y: Any, data: Any) -> str:
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


def split_lines(text: str) -> list[tuple[str, str]]:
    """``text`` as (line, line break) pairs: CRLF, LF and CR are line breaks, as in
    YAML; the last line's break is empty when the text does not end with one."""
    out = []
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        out.append((text[pos:m.start()], m.group()))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], ""))
    return out


class Layout:
    """A file's text as ruamel is given it and as it is put back: the BOM, the line
    ending most lines use, the lines up to a ``---`` marker and from a ``...`` marker
    on, and the body's lines with their own line breaks."""

    def __init__(self, text: str):
        self.text = text
        self.bom = "\ufeff" if text.startswith("\ufeff") else ""
        lines = split_lines(text[len(self.bom):])
        counts = {eol: 0 for eol in ("\n", "\r\n", "\r")}
        for _, eol in lines:
            if eol:
                counts[eol] += 1
        self.eol = max(counts, key=lambda e: counts[e])  # a tie goes to LF
        start = 0
        for i, (line, _) in enumerate(lines):
            if _START_MARKER.fullmatch(line):
                start = i + 1
                break
            if not (_NOTHING.fullmatch(line) or line.startswith("%")):
                break
        end = len(lines)
        for i in range(len(lines) - 1, start - 1, -1):
            if _END_MARKER.fullmatch(lines[i][0]):
                end = i
                break
            if not _NOTHING.fullmatch(lines[i][0]):
                break
        self.head = "".join(s + e for s, e in lines[:start])
        self.tail = "".join(s + e for s, e in lines[end:])
        self.lines = lines[start:end]
        self.final_break = not self.lines or bool(self.lines[-1][1]) or bool(self.tail)
        self.body = "".join(s + "\n" if e else s for s, e in self.lines)
        self.before = ""

    def merge(self, after: str) -> str:
        b, c = _lf_lines(self.before), _lf_lines(after)
        if b == c:
            return self.text
        plain = self._join([(s, self.eol) for s in c])
        for rewritten in (False, True):
            merged = self._join(merge_lines(self.lines, b, c, self.eol, rewritten))
            if merged == plain or _reads_alike(merged, plain):
                return merged
        return plain

    def _join(self, lines: list[tuple[str, str]]) -> str:
        parts = [self.bom, self.head]
        last = len(lines) - 1
        for i, (s, eol) in enumerate(lines):
            if i < last:
                parts.append(s + (eol or self.eol))
            else:
                parts.append(s + ((eol or self.eol) if self.final_break else ""))
        parts.append(self.tail)
        return "".join(parts)


def _lf_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _reads_alike(text: str, reference: str) -> bool:
    """``text`` reads as ``reference`` does (which, if it does not read at all, the
    store's own re-read judges)."""
    try:
        want = load_fast(reference)
    except YamlError:
        want = None
    try:
        got = load_fast(text)
    except YamlError:
        return False
    return want is None or got == want or repr(got) == repr(want)  # repr: a NaN


# difflib compares every line with every equal one: on a few hundred lines that
# repeat (a comment line between lines ruamel rewrites) it takes seconds, and grows
# with the cube. It compares regions up to this size (a deal file is ~100 lines: it
# sees the whole of one); a larger one is first cut at the lines that occur once on
# each side (patience diff), and a region without any is one replaced block.
_DIFFLIB_AREA = 150 * 150


def _opcodes(x: list[str], y: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Opcodes as difflib's from ``x`` to ``y``, in time that stays near linear on any
    input; adjacent blocks of one kind are not always joined."""
    ops: list[tuple[str, int, int, int, int]] = []
    _diff(x, 0, len(x), y, 0, len(y), ops)
    return ops


def _diff(x: list[str], x1: int, x2: int, y: list[str], y1: int, y2: int,
          ops: list[tuple[str, int, int, int, int]]) -> None:
    import difflib

    lo = 0  # the common head and tail: a write changes a few lines in the middle
    while x1 + lo < x2 and y1 + lo < y2 and x[x1 + lo] == y[y1 + lo]:
        lo += 1
    hi = 0
    while x2 - hi > x1 + lo and y2 - hi > y1 + lo and x[x2 - 1 - hi] == y[y2 - 1 - hi]:
        hi += 1
    if lo:
        ops.append(("equal", x1, x1 + lo, y1, y1 + lo))
    a1, a2, b1, b2 = x1 + lo, x2 - hi, y1 + lo, y2 - hi
    if a1 == a2 and b1 == b2:
        pass
    elif a1 == a2:
        ops.append(("insert", a1, a1, b1, b2))
    elif b1 == b2:
        ops.append(("delete", a1, a2, b1, b1))
    elif (a2 - a1) * (b2 - b1) <= _DIFFLIB_AREA:
        sm = difflib.SequenceMatcher(None, x[a1:a2], y[b1:b2], autojunk=False)
        ops += [(t, i1 + a1, i2 + a1, j1 + b1, j2 + b1) for t, i1, i2, j1, j2 in sm.get_opcodes()]
    else:
        anchors = _unique_anchors(x, a1, a2, y, b1, b2)
        if not anchors:
            ops.append(("replace", a1, a2, b1, b2))
        else:
            i, j = a1, b1
            for ai, bj in anchors:
                _diff(x, i, ai, y, j, bj, ops)
                ops.append(("equal", ai, ai + 1, bj, bj + 1))
                i, j = ai + 1, bj + 1
            _diff(x, i, a2, y, j, b2, ops)
    if hi:
        ops.append(("equal", x2 - hi, x2, y2 - hi, y2))


def _unique_anchors(x: list[str], x1: int, x2: int, y: list[str], y1: int,
                    y2: int) -> list[tuple[int, int]]:
    """The lines that occur once in ``x[x1:x2]`` and once in ``y[y1:y2]``, paired, as
    the longest run in the same order on both sides."""
    import bisect

    def once(lines: list[str], lo: int, hi: int) -> dict[str, int]:
        seen: dict[str, int] = {}
        for k in range(lo, hi):
            seen[lines[k]] = -1 if lines[k] in seen else k
        return {s: k for s, k in seen.items() if k >= 0}

    in_y = once(y, y1, y2)
    pairs = [(i, in_y[s]) for s, i in once(x, x1, x2).items() if s in in_y]
    pairs.sort()
    tails: list[int] = []  # patience sorting: the longest increasing run of y indexes
    back: list[int] = []
    ends: list[int] = []
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            ends.append(n)
        else:
            tails[k] = j
            ends[k] = n
        back.append(ends[k - 1] if k else -1)
    run = []
    n = ends[-1] if ends else -1
    while n >= 0:
        run.append(pairs[n])
        n = back[n]
    return run[::-1]


def merge_lines(a: list[tuple[str, str]], b: list[str], c: list[str], eol: str,
                rewritten: bool = False) -> list[tuple[str, str]]:
    """The lines to write: ``a`` as read (with their line breaks), with the change
    from ruamel's rendering ``b`` to ``c`` applied. Each run of ``a`` is written as
    read unless the change touched the ``b`` lines that render it; new lines get the
    break ``eol``. Comment and blank lines are never removed with a block the change
    removed, unless they lie inside it: those before it and those that close it
    belong to their neighbours (``lose`` drops ``next:``, not the comment under it)."""
    kept = [False] * len(b)
    inserts: dict[int, list[str]] = {}
    added: dict[str, int] = {}
    removed = []
    for tag, i1, i2, j1, j2 in _opcodes(b, c):
        if tag == "equal":
            kept[i1:i2] = [True] * (i2 - i1)
            continue
        if j2 > j1:
            inserts[i1] = inserts.get(i1, []) + c[j1:j2]
            for s in c[j1:j2]:
                added[s] = added.get(s, 0) + 1
        if i2 > i1:
            removed.append((i1, i2))
    nothing = [_NOTHING.fullmatch(s) is not None for s in b]  # blank or comment lines
    rescued = [False] * len(b)
    for i1, i2 in removed:
        k = i2
        while k > i1 and nothing[k - 1]:
            k -= 1
        j = i1
        while j < k and nothing[j]:
            j += 1
        for i in [*range(i1, j), *range(k, i2)]:
            if added.get(b[i]):  # the change wrote it elsewhere: moved, not dropped
                added[b[i]] -= 1
            else:
                rescued[i] = True

    stays = [k or r for k, r in zip(kept, rescued, strict=True)]
    units = []
    for tag, i1, i2, j1, j2 in _opcodes([s.rstrip(" \t") for s, _ in a],
                                        [s.rstrip(" \t") for s in b]):
        if tag == "equal":
            units += [(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1, True) for k in range(i2 - i1)]
        elif i2 - i1 == j2 - j1 and all(_same_key(a[i1 + k][0], b[j1 + k])
                                        for k in range(i2 - i1)):
            # as many lines, each the same key: ruamel rewrote them one by one ("\u4ed3"
            # as the character, a date's anchor dropped, a flow map respaced)
            units += [(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1, False) for k in range(i2 - i1)]
        else:
            units.append((i1, i2, j1, j2, False))
    for _, _, b1, b2, _ in units:
        # ruamel writes some comments elsewhere than the file has them (one after an
        # alias goes under the next key): lines inserted between such a run's content
        # and its comments go after (or before) the run, which is then kept as read
        if b2 - b1 < 2 or not all(stays[b1:b2]):
            continue
        head = b1  # b[b1:head] are blank or comment lines
        while head < b2 and nothing[head]:
            head += 1
        tail = b2  # and b[tail:b2]
        while tail > b1 and nothing[tail - 1]:
            tail -= 1
        before: list[str] = []
        after: list[str] = []
        for pos in sorted(p for p in inserts if b1 < p < b2):
            if pos <= head:
                before += inserts.pop(pos)
            elif pos >= tail:
                after += inserts.pop(pos)
        if before:
            inserts[b1] = inserts.get(b1, []) + before
        if after:
            inserts[b2] = after + inserts.get(b2, [])

    out: list[tuple[str, str]] = []
    done: set[int] = set()

    def insert(pos: int) -> None:
        if pos in inserts and pos not in done:
            done.add(pos)
            out.extend((s, eol) for s in inserts[pos])

    for a1, a2, b1, b2, alike in units:
        insert(b1)
        if rewritten and not alike:
            pass  # the second try: every line ruamel writes otherwise is written its way
        elif all(stays[b1:b2]) and not any(p in inserts for p in range(b1 + 1, b2)):
            out.extend(a[a1:a2])  # untouched (or lines ruamel does not write): as read
            continue
        for i in range(b1, b2):  # touched: ruamel's lines for this run, changed
            insert(i)
            if kept[i]:
                out.append((b[i], eol))
            elif rescued[i]:
                out.append(a[a1] if alike else (b[i], eol))
    insert(len(b))
    return out


_KEY_OF = re.compile(r"[ \t]*(?:- )*(?:#|[^\s:#'\"][^:]*(?::(?=\s|$))|)")


def _same_key(x: str, y: str) -> bool:
    """The two lines have the same indentation and key (or are both comment lines):
    what a line keeps when ruamel rewrites it."""
    key = _KEY_OF.match(x).group()  # (the pattern matches every line)
    return key.strip() != "" and _KEY_OF.match(y).group() == key


_UNSAFE = re.compile(  # what is written escaped in double quotes: not printable, a BOM,
    # NEL, LS and PS (line breaks to YAML 1.1 readers), tabs
    "[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def plain_safe(value: str) -> Any:
    """A string as it must be written so that every YAML reader reads a string back:
    quoted when a plain scalar would resolve to something else (``no``, ``1.0``,
    ``2026-01-01``, ``null``) under YAML 1.1 or 1.2, or would not parse; in double
    quotes, with escapes, when it holds a character that is not printable (a control,
    a tab, a line break, a BOM). A lone surrogate cannot be written at all: ValueError
    (``edits`` refuses such text before)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if has_surrogate(value):
        raise ValueError(f"{value!r} is not Unicode text (a lone surrogate)")
    if value == "" or value != value.strip() or _UNSAFE.search(value):
        return DoubleQuotedScalarString(value)
    try:
        as11 = yaml.safe_load(value)
        as12 = load_fast(value)
    except (yaml.YAMLError, YamlError):
        return DoubleQuotedScalarString(value)
    if as11 != value or as12 != value:
        return DoubleQuotedScalarString(value)
    return value


def comment_safe(text: str) -> str:
    """Text for a comment line: what ``plain_safe`` would escape in a string (a line
    break would end the comment and start YAML) written as its escape."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(value: str) -> bool:
    """A lone surrogate: what Python makes of a byte in a command-line argument that
    is not UTF-8; it cannot be written to a UTF-8 file."""
    return _SURROGATE.search(value) is not None
