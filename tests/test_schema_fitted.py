"""`funnelctl schema`: a JSON Schema of a deal fitted to the pipeline, for editors.

Every deal of the sample pipeline passes it, checked by a JSON Schema validator as
an editor's YAML language server reads the file (dates are strings in YAML 1.2);
each mistake `validate` reports about a value the pipeline defines (an unknown
stage, milestone, ladder, action kind, loss reason or currency, a level out of
range, evidence or a competitor missing) is refused by the schema too, and so is an
unknown key, which `validate` keeps (see funnelctl/schema_export.py). `init` writes
the schema to .funnelctl/deal.schema.json, shared in git, and `validate` keeps it
up to date with stages.yaml.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from funnelctl.cli.app import app
from funnelctl.yamlio import load_fast

from .conftest import REPO, TODAY, copy_sample

SCHEMA_FILE = ".funnelctl/deal.schema.json"


def run(root: Path, *args: str):
    return CliRunner().invoke(app, ["--dir", str(root), "--today", str(TODAY), *args],
                              catch_exceptions=False)


def as_editor_reads(data: Any) -> Any:
    """A deal as a YAML 1.2 reader gives it to the schema: dates are strings."""
    if isinstance(data, dict):
        return {k: as_editor_reads(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_editor_reads(v) for v in data]
    if isinstance(data, dt.date):
        return data.isoformat()
    return data


def validator(schema: dict, draft: type = jsonschema.Draft202012Validator) -> Any:
    draft.check_schema(schema)
    return draft(schema, format_checker=jsonschema.FormatChecker())


def draft7(schema: dict) -> Any:
    """The schema as a YAML language server that implements only draft-07 reads it."""
    return validator(schema, jsonschema.Draft7Validator)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = copy_sample(tmp_path_factory.mktemp("fitted") / "sample")
    res = run(root, "schema")
    assert res.exit_code == 0, res.output
    return root, json.loads(res.stdout)


# The sample pipelines: the repository's own, and the Chinese one (kinds with labels)
SAMPLES = [REPO, REPO / "examples" / "zh"]


@pytest.mark.parametrize("where", SAMPLES, ids=["sample", "zh"])
def test_every_sample_deal_passes_the_fitted_schema(where: Path, tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    shutil.copy2(where / "stages.yaml", root / "stages.yaml")
    res = run(root, "schema")
    assert res.exit_code == 0, res.output
    schema = json.loads(res.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("urn:funnelctl:deal-schema:")
    files = sorted((where / "deals").rglob("*.yaml"))
    assert len(files) > 40
    for check in (validator(schema), draft7(schema)):
        for path in files:
            data = as_editor_reads(load_fast(path.read_bytes()))
            errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                      for e in check.iter_errors(data)]
            assert errors == [], path.relative_to(REPO)


def test_the_enums_are_this_pipelines(sample) -> None:
    _, schema = sample
    props = schema["properties"]
    assert props["stage"]["enum"] == ["lead", "nurture", "evaluation", "negotiation", "won"]
    assert schema["$defs"]["HistoryEntry"]["properties"]["stage"]["enum"] == props["stage"]["enum"]
    assert list(props["milestones"]["properties"]) == [
        "need_identified", "contact_confirmed", "need_confirmed", "budget_approved",
        "solution_accepted", "value_agreed", "terms_agreed", "vetoes_cleared"]
    levels = props["levels"]["properties"]
    tops = {k: v["allOf"][1]["properties"]["level"]["maximum"] for k, v in levels.items()}
    assert tops == {"need": 4, "power": 6, "goal": 3, "value": 4, "collaboration": 3}
    assert schema["$defs"]["Action"]["properties"]["kind"]["enum"][:3] == ["visit", "call",
                                                                           "demo"]
    reason = schema["$defs"]["DealOutcome"]["properties"]["reason"]
    assert reason["enum"] == ["competitor", "no_decision", "cancelled", "budget", "other", None]
    # editors show a label where it helps: the milestone's, each level's
    assert levels["need"]["description"].startswith("Need (0: No need identified yet; 1: ")
    # written for ECMAScript, as editors run patterns
    assert props["id"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9._-]*$"


ANNOTATIONS = {"$ref", "title", "description", "default", "examples", "$comment"}


def test_no_keyword_beside_a_ref_but_annotations(sample) -> None:
    """Draft-07, which YAML language servers may implement whatever $schema says,
    ignores what stands beside a $ref: a constraint there would be lost in the
    editor."""
    _, schema = sample

    def walk(node: Any, where: str) -> list[str]:
        out = []
        if isinstance(node, dict):
            if "$ref" in node and set(node) - ANNOTATIONS:
                out.append(f"{where}: {sorted(set(node) - ANNOTATIONS)}")
            for k, v in node.items():
                out += walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                out += walk(v, f"{where}/{i}")
        return out

    assert walk(schema, "") == []


# A deal of the sample that validate finds clean, with each part a mutation needs
CLEAN = "deals/west/nordic-packaging.yaml"


def clean_deal(root: Path) -> dict:
    return load_fast((root / CLEAN).read_bytes())


def mutate(name: str, d: dict) -> None:
    if name == "unknown stage":
        d["stage"] = "closing"
    elif name == "unknown stage in history":
        d["history"][0]["stage"] = "closing"
    elif name == "unknown milestone":
        d["milestones"]["nda_signed"] = {"date": dt.date(2026, 11, 2), "evidence": "mail"}
    elif name == "level out of range":
        d["levels"]["need"]["level"] = 9
    elif name == "unknown ladder":
        d["levels"]["budget"] = {"level": 1, "date": dt.date(2026, 11, 2)}
    elif name == "unknown action kind":
        d["actions"][0]["kind"] = "fax"
    elif name == "evidence missing":
        d["milestones"]["need_confirmed"]["evidence"] = "  "
    elif name == "unknown currency":
        d["currency"] = "XYZ"
    elif name in ("unknown loss reason", "competitor missing"):
        d["status"] = "lost"
        d["outcome"] = {"date": d["history"][-1]["date"],
                        "reason": "weather" if name == "unknown loss reason" else "competitor"}
    elif name == "unknown key":
        d["stagee"] = "lead"
    elif name == "unknown key in a part":
        d["actions"][0]["reslt"] = "met"
    else:
        raise AssertionError(name)


# mutation -> what validate says (None: validate keeps it), where the schema points
MUTATIONS = {
    "unknown stage": ("unknown stage 'closing'", "stage"),
    "unknown stage in history": ("history names unknown stage 'closing'", "history/0/stage"),
    "unknown milestone": ("unknown milestone 'nda_signed'", "milestones"),
    "level out of range": ("need level 9 does not exist (0..4)", "levels/need/level"),
    "unknown ladder": ("unknown ladder 'budget'", "levels"),
    "unknown action kind": ("unknown action kind 'fax'", "actions/0/kind"),
    "evidence missing": ("milestone 'need_confirmed' needs evidence",
                         "milestones/need_confirmed/evidence"),
    "unknown currency": ("currency XYZ has no rate in stages.yaml", "currency"),
    "unknown loss reason": ("unknown loss reason 'weather'", "outcome/reason"),
    "competitor missing": ("loss reason 'competitor' needs the competitor", "outcome"),
    "unknown key": (None, ""),
    "unknown key in a part": (None, "actions/0"),
}


def error_paths(errors: list) -> set[str]:
    """Where the errors point, with those inside an anyOf (an optional part: the
    part, or null), as an editor reports the alternative that comes closest."""
    out = set()
    for e in errors:
        out.add("/".join(map(str, e.absolute_path)))
        out |= error_paths(e.context or [])
    return out


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_what_validate_refuses_the_schema_refuses(sample, tmp_path: Path, name: str) -> None:
    root, schema = sample
    mine = tmp_path / "p"
    shutil.copytree(root, mine, ignore=shutil.ignore_patterns(".*"))
    data = clean_deal(mine)
    assert validator(schema).is_valid(as_editor_reads(data))
    mutated = copy.deepcopy(data)
    mutate(name, mutated)
    (mine / CLEAN).write_text(yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False),
                              encoding="utf-8")
    res = run(mine, "validate")
    said, where = MUTATIONS[name]
    about = [line for line in res.stdout.splitlines() if line.startswith(f"{CLEAN}:")]
    if said is None:  # the model keeps a key a team adds; the editor flags it
        assert about == [], res.stdout
    else:
        assert res.exit_code == 1
        assert [line for line in about if said in line], res.stdout
    for check in (validator(schema), draft7(schema)):
        errors = list(check.iter_errors(as_editor_reads(mutated)))
        assert errors, f"the schema takes the deal with {name}"
        assert where in error_paths(errors), error_paths(errors)


def test_the_generic_schema_is_the_models_own(sample) -> None:
    """--generic keeps the old output: any pipeline, unknown keys allowed."""
    root, _ = sample
    res = run(root, "schema", "deal", "--generic")
    assert res.exit_code == 0
    generic = json.loads(res.stdout)
    assert generic["properties"]["stage"] == {"title": "Stage", "type": "string"}
    assert generic["additionalProperties"] is True
    # and it needs no pipeline, where the fitted one does
    res = CliRunner().invoke(app, ["--dir", str(root / "deals"), "schema"])
    assert res.exit_code == 1 and "schema deal --generic" in res.stderr


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root.parent)}
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=False, env=env).stdout


def test_init_writes_the_schema_shared_in_git(tmp_path: Path) -> None:
    root = tmp_path / "sales"
    res = CliRunner().invoke(app, ["init", str(root)])
    assert res.exit_code == 0, res.output
    written = (root / SCHEMA_FILE).read_text(encoding="utf-8")
    assert written == run(root, "schema").stdout  # the one `schema` prints
    assert json.loads(written)["properties"]["stage"]["enum"][0] == "lead"
    # shared: git shows it, never ignores it
    assert "?? .funnelctl/deal.schema.json" in git(root, "status", "--porcelain",
                                                   "--untracked-files=all").splitlines()
    assert git(root, "check-ignore", SCHEMA_FILE) == ""


def test_validate_refreshes_the_schema_when_stages_yaml_changes(tmp_path: Path) -> None:
    root = tmp_path / "sales"
    assert CliRunner().invoke(app, ["init", "--no-git", str(root)]).exit_code == 0
    path = root / SCHEMA_FILE
    before = path.read_bytes()
    res = run(root, "validate")
    assert res.exit_code == 0 and res.stderr == ""
    assert path.read_bytes() == before
    stages = root / "stages.yaml"
    stages.write_text(stages.read_text(encoding="utf-8").replace(
        "action_kinds: [", "action_kinds: [fax, "), encoding="utf-8")
    res = run(root, "validate")
    assert res.exit_code == 0
    assert res.stderr == (f"note: {SCHEMA_FILE} refreshed from stages.yaml: commit it with "
                          "stages.yaml\n")
    kinds = json.loads(path.read_text())["$defs"]["Action"]["properties"]["kind"]["enum"]
    assert kinds[0] == "fax"
    after = path.stat().st_mtime_ns
    res = run(root, "validate")  # nothing changed since: nothing said, nothing written
    assert res.stderr == "" and path.stat().st_mtime_ns == after
    # edited by hand: put back as stages.yaml gives it
    path.write_text("{}\n")
    res = run(root, "validate", "--json")
    assert "refreshed" in res.stderr and json.loads(path.read_text())["$defs"]


def test_validate_writes_no_schema_where_there_is_none(sample, tmp_path: Path) -> None:
    root, _ = sample
    mine = tmp_path / "p"
    shutil.copytree(root, mine, ignore=shutil.ignore_patterns(".*"))
    run(mine, "validate")
    assert not (mine / ".funnelctl").exists()
    res = run(mine, "schema", "--write")
    assert res.exit_code == 0 and res.stdout == f"wrote {mine / SCHEMA_FILE}\n"
    assert run(mine, "schema", "--write").stdout == f"unchanged: {mine / SCHEMA_FILE}\n"


def test_validate_goes_on_when_the_schema_cannot_be_written(tmp_path: Path) -> None:
    root = tmp_path / "sales"
    assert CliRunner().invoke(app, ["init", "--no-git", str(root)]).exit_code == 0
    (root / "stages.yaml").write_text((root / "stages.yaml").read_text(encoding="utf-8")
                                      .replace("action_kinds: [", "action_kinds: [fax, "),
                                      encoding="utf-8")
    # a folder in the file's place stands for any write the system refuses (the
    # tests run as root, whom a read-only folder does not stop)
    (root / SCHEMA_FILE).unlink()
    (root / SCHEMA_FILE).mkdir()
    res = run(root, "validate")
    assert res.exit_code == 0
    assert res.stdout == "ok: 0 deals, no problems\n"
    assert res.stderr.count("\n") == 1
    assert res.stderr.startswith(f"note: {SCHEMA_FILE} is out of date with stages.yaml and "
                                 "cannot be written (")
