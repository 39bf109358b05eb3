"""YAML in two speeds.

Reading the pipeline uses libyaml through PyYAML's C loader (about 0.7 ms a deal
file), with the implicit resolvers narrowed to YAML 1.2's core schema so that it
reads exactly what ruamel's round-trip writer means: ``no``, ``on`` and ``yes``
stay strings, ``09:30`` is not a number of minutes. Writing one file uses ruamel's
round-trip mode, which keeps comments, key order, quoting and indentation.

Line numbers are found only when there is a problem to report: the file is then
composed into nodes and the problem's path walked to its node.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import yaml

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

    libyaml composes the node tree; ``_build`` turns it into Python values with the
    same results as CoreLoader's constructors (a test holds them equal) at about
    half their cost, which is most of a cold start."""
    try:
        loader = CoreLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        return None if node is None else _build(node)
    except RecursionError:
        return _raise(1, "not valid YAML: an alias refers to itself")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return _raise(line, f"not valid YAML: {exc.problem or exc}")
    except yaml.YAMLError as exc:
        return _raise(1, f"not valid YAML: {exc}")


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


def line_of(text: str | bytes, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the node at ``loc`` (keys and list indexes), or of its
    nearest existing parent. Used only to report a problem, so speed is no concern."""
    try:
        node = yaml.compose(text, Loader=CoreLoader)
    except yaml.YAMLError:
        return 1
    if node is None:
        return 1
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


def rt_yaml(text: str) -> Any:
    """A ruamel round-trip YAML object set up for the indentation ``text`` uses."""
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never fold a long line the user wrote on one line
    y.representer.ignore_aliases = lambda data: True  # the same date twice is no anchor
    mapping, sequence, offset = guess_indent(text)
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


_SEQ_ITEM = re.compile(r"^( *)- ")
_KEY_LINE = re.compile(r"^( *)[^\s#-][^:]*:\s*(#.*)?$")


def guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) as ruamel names them, read off the file's first
    block list and first nested mapping; funnelctl's own style when there is none."""
    mapping = None
    sequence = offset = None
    lines = text.splitlines()
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
        elif not s and mapping is None and nxt.strip() and not nxt.lstrip().startswith("#"):
            ind = len(nxt) - len(nxt.lstrip(" "))
            if ind > parent:
                mapping = ind - parent
        if mapping is not None and sequence is not None:
            break
    if sequence is None or offset is None:
        sequence, offset = 4, 2
    return mapping or 2, sequence, offset


def rt_load(text: str) -> Any:
    y = rt_yaml(text)
    return y, y.load(text)


def rt_dump(y: Any, data: Any) -> str:
    buf = io.StringIO()
    y.dump(data, buf)
    return buf.getvalue()


def plain_safe(value: str) -> Any:
    """A string as it must be written so that every YAML reader reads a string back:
    quoted when a plain scalar would resolve to something else (``no``, ``1.0``,
    ``2026-01-01``, ``null``) under YAML 1.1 or 1.2, or would not parse."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if value == "" or value != value.strip() or "\n" in value:
        return DoubleQuotedScalarString(value)
    try:
        as11 = yaml.safe_load(value)
        as12 = load_fast(value)
    except (yaml.YAMLError, YamlError):
        return DoubleQuotedScalarString(value)
    if as11 != value or as12 != value:
        return DoubleQuotedScalarString(value)
    return value
