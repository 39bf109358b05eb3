"""Reading one file: stages.yaml into a validated pipeline, a deal file into a deal
and its problems, each problem as ``path:line: message``. Reading never raises
for bad input in a deal: one broken file never hides the others."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from funnelctl.checks import file_name_issues, pipeline_findings, process_findings
from funnelctl.i18n import N_, _, current
from funnelctl.pipeline import Pipeline
from funnelctl.problems import Problem
from funnelctl.store.files import FileRefused, read_file
from funnelctl.store.root import STAGES_FILE, StoreError, os_reason
from funnelctl.summary import Summary, summarize

if TYPE_CHECKING:
    from funnelctl import readmodel
    from funnelctl.model import Deal


# pydantic's own words for a value of the wrong type or size, in the active language
# when it is not English (English keeps pydantic's messages, as they always were)
_PYDANTIC = {
    "int_parsing": N_("expected a whole number"), "int_type": N_("expected a whole number"),
    "int_from_float": N_("expected a whole number"),
    "float_parsing": N_("expected a number"), "float_type": N_("expected a number"),
    "string_type": N_("expected text"), "bool_parsing": N_("expected true or false"),
    "bool_type": N_("expected true or false"), "list_type": N_("expected a list"),
    "tuple_type": N_("expected a list"), "dict_type": N_("expected a mapping"),
    "model_type": N_("expected a mapping"), "model_attributes_type": N_("expected a mapping"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than_equal": N_("must be at most {le}"),
    "greater_than": N_("must be more than {gt}"), "less_than": N_("must be less than {lt}"),
    "string_too_long": N_("at most {max_length} characters"),
    "string_too_short": N_("at least {min_length} characters"),
    "too_long": N_("at most {max_length} items"), "too_short": N_("at least {min_length} items"),
    "literal_error": N_("expected one of {expected}"), "enum": N_("expected one of {expected}"),
    "string_pattern_mismatch": N_("does not match the pattern {pattern}"),
    "finite_number": N_("expected a finite number"),
}


def describe_error(err: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        return _("unknown key {key!r}").format(key=loc)
    if kind == "missing":
        return _("missing {key!r}").format(key=loc)
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch" and loc == "id":  # as `new --id` says it
        return _("id {id!r}: use letters, digits, '.', '_' and '-' only").format(
            id=err["input"])
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        msg = _("expected a date YYYY-MM-DD")
    elif kind in _PYDANTIC and current() != "en":
        msg = _(_PYDANTIC[kind]).format(**{k: str(v) for k, v in (err.get("ctx") or {}).items()})
    return f"{loc}: {msg}" if loc else msg


def _validation_problems(rel: str, text: str | bytes, exc: Any,
                         fatal: bool) -> list[Problem]:
    from funnelctl import yamlio

    errors = exc.errors(include_url=False)
    # a missing key is reported on the line of its parent
    lines = yamlio.lines_of(text, [tuple(e["loc"])[:-1] if e["type"] == "missing"
                                   else tuple(e["loc"]) for e in errors])
    return [Problem(rel, line, describe_error(e), fatal)
            for e, line in zip(errors, lines, strict=True)]


_CONFLICT = re.compile(rb"^<<<<<<<(?: |$)", re.MULTILINE)


def parse_text(text: bytes) -> Any:
    """The YAML of one file (a deal or stages.yaml); YamlError with the line of what
    is wrong. Before and after the parser, two mistakes get a message in a team's
    terms: a file saved as UTF-16 (which YAML parsers would read, and no write could
    edit), and a git merge conflict left in the file (found only when the file does
    not parse, so that valid files pay nothing)."""
    from funnelctl import yamlio

    if text[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise yamlio.YamlError(1, _("the file is UTF-16, not UTF-8: save it as UTF-8"))
    try:
        return yamlio.load_fast(text)
    except yamlio.YamlError:
        conflict = _CONFLICT.search(text)
        if conflict:
            line = text.count(b"\n", 0, conflict.start()) + 1
            raise yamlio.YamlError(
                line, _("a git merge conflict marker (<<<<<<<): resolve the conflict")) from None
        raise


def validate_pipeline_text(text: bytes) -> Pipeline:
    from pydantic import ValidationError

    from funnelctl import yamlio
    from funnelctl.model import validate_pipeline

    rel = STAGES_FILE
    try:
        data = parse_text(text)
    except yamlio.YamlError as exc:
        raise StoreError(_("{path} is broken").format(path=rel),
                         [Problem(rel, exc.line, exc.message, True)]) from None
    if not isinstance(data, dict):
        raise StoreError(_("{path} is broken").format(path=rel),
                         [Problem(rel, 1, _("expected a mapping of settings"), True)])
    try:
        pipeline = validate_pipeline(data)
    except ValidationError as exc:
        raise StoreError(_("{path} is broken").format(path=rel),
                         _validation_problems(rel, text, exc, True)) from None
    findings = pipeline_findings(pipeline)
    if findings:
        lines = yamlio.lines_of(text, [loc for loc, _ in findings])
        raise StoreError(_("{path} is broken").format(path=rel),
                         [Problem(rel, line, msg, True)
                          for (_, msg), line in zip(findings, lines, strict=True)])
    return pipeline


def read_deal(root: Path, rel: str, pipeline: Pipeline, text: bytes | None = None,
              full: bool = False) -> tuple[Deal | readmodel.Deal | None, list[Problem]]:
    """One deal file, parsed and checked. A file that cannot be read as a deal at all
    returns None with fatal problems; a deal that breaks a process rule returns the
    deal with its (non-fatal) problems. The deal is read by ``readmodel`` (fast, no
    pydantic) unless it refuses the file or ``full`` asks for the pydantic model with
    every key the file holds."""
    from funnelctl import yamlio

    try:
        if text is None:
            text = read_file(root, rel, pipeline.max_file_bytes)
        data = parse_text(text)
    except (FileRefused, OSError) as exc:
        return None, _unread(rel, exc)
    except yamlio.YamlError as exc:
        return None, [Problem(rel, exc.line, exc.message, True)]
    return _checked(rel, text, data, pipeline, full)


def _unread(rel: str, exc: FileRefused | OSError) -> list[Problem]:
    if isinstance(exc, FileRefused):
        return [Problem(rel, 1, exc.message, True)]
    return [Problem(rel, 1, _("cannot read: {reason}").format(reason=os_reason(exc)), True)]


def _checked(rel: str, text: bytes, data: Any, pipeline: Pipeline, full: bool = False
             ) -> tuple[Deal | readmodel.Deal | None, list[Problem]]:
    """The deal in ``data`` (what ``text`` reads as) and its problems."""
    yamlio, readmodel = _LAZY if _LAZY else _lazy()
    if not isinstance(data, dict):
        return None, [Problem(rel, 1, _("expected a mapping of deal fields"), True)]
    deal = None if full else readmodel.deal_or_none(data)
    if deal is None:  # refused, or asked for in full: pydantic validates and explains
        from pydantic import ValidationError

        from funnelctl.model import Deal

        try:
            deal = Deal.model_validate(data)
        except ValidationError as exc:
            return None, _validation_problems(rel, text, exc, True)
    findings = process_findings(deal, pipeline)
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if deal.id != stem:
        findings.extend((("id",), i.message) for i in file_name_issues(deal.id, stem))
    if not findings:
        return deal, []
    # the text was read: its events are walked only as far as the problems' keys
    lines = yamlio.lines_in_read(text, [loc for loc, _ in findings])
    problems = [Problem(rel, line, msg) for (_, msg), line in zip(findings, lines, strict=True)]
    return deal, sorted(problems, key=lambda p: p.line)


def parse_one(root: Path, rel: str, pipeline: Pipeline) -> tuple[Summary | None, list[Problem]]:
    """The summary of one deal file and its problems: what a cold start does for every
    file. It is read_deal with yaml_rs tried first in line (as ``yamlio.load_fast``
    does), without the imports and calls on the way: about a sixth of a deal's cost."""
    yamlio = (_LAZY if _LAZY else _lazy())[0]
    try:
        text = read_file(root, rel, pipeline.max_file_bytes)
    except (FileRefused, OSError) as exc:
        return None, _unread(rel, exc)
    data: Any = _NOT_READ
    if yamlio.HAVE_YAML_RS and text[:2] not in _UTF16:  # parse_text refuses UTF-16
        s = yamlio.rs_may_read(text)
        if s is not None:
            try:
                data = yamlio.yaml_rs.loads(s, alias_limits=yamlio._RS_ALIAS_LIMITS)
            except Exception:  # refused: read_deal asks the reference (as load_fast)
                pass
    if data is _NOT_READ:
        deal, problems = read_deal(root, rel, pipeline, text)
    else:
        deal, problems = _checked(rel, text, data, pipeline)
    if deal is None:
        return None, problems
    if not problems:
        return summarize(deal, rel, []), problems
    return summarize(deal, rel, [f"{p.line}: {p.message}" for p in problems]), problems


_UTF16 = (b"\xff\xfe", b"\xfe\xff")
_NOT_READ = object()
# yamlio and readmodel, imported by the first deal read (a warm run reads none, and
# needs no PyYAML), then kept: an import statement in a function costs a few µs a call
_LAZY: list[Any] = []


def _lazy() -> list[Any]:
    from funnelctl import readmodel, yamlio

    _LAZY[:] = [yamlio, readmodel]
    return _LAZY


def locate(root: Path, rel: str, findings: list[tuple[tuple[Any, ...], str]]
           ) -> list[Problem]:
    """Findings about a deal file as problems on their lines (the file is read again:
    for the few deals a rule flags after they were read)."""
    from funnelctl import yamlio

    try:
        text = read_file(root, rel)
    except (FileRefused, OSError):
        return [Problem(rel, 1, msg) for _, msg in findings]
    lines = yamlio.lines_of(text, [loc for loc, _ in findings])
    return [Problem(rel, line, msg) for (_, msg), line in zip(findings, lines, strict=True)]
