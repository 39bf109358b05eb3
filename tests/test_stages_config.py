"""stages.yaml: the shipped templates load, and each broken form is refused with
file, line and field."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from funnelctl.model import validate_pipeline
from funnelctl.store import StoreError, load_pipeline
from funnelctl.yamlio import load_fast

from .conftest import STAGES


@pytest.mark.parametrize("template", ["en", "zh"])
def test_templates_load_with_reference_defaults(template: str) -> None:
    text = (files("funnelctl") / "templates" / f"stages_{template}.yaml").read_text("utf-8")
    p = validate_pipeline(load_fast(text))
    assert [s.conversion for s in p.stages] == [0.5, 0.4, 0.625, 0.8]
    assert p.rules.follow_up_days == 15 and p.rules.judge_days == 30
    assert [lad.id for lad in p.ladders] == ["need", "power", "goal", "value", "collaboration"]
    assert p.ladder("power").top == 6  # the reference power ladder, 0..6
    assert p.stage("negotiation").requires["power"] == 4
    if template == "zh":
        assert [s.label for s in p.stages] + [p.won.label] == [
            "线索确认", "需求培育", "方案评估", "商务谈判", "签订合同"]


def broken(tmp_path: Path, old: str, new: str) -> list[str]:
    assert old in STAGES
    (tmp_path / "stages.yaml").write_text(STAGES.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(StoreError) as exc:
        load_pipeline(tmp_path)
    return [str(p) for p in exc.value.problems]


def line_of(text: str) -> int:
    return next(i for i, line in enumerate(STAGES.splitlines(), 1) if text in line)


def test_unknown_key_is_refused_with_its_line(tmp_path: Path) -> None:
    msgs = broken(tmp_path, "    stall_days: 45\n", "    stall_days: 45\n    stal_days: 3\n")
    line = line_of("    stall_days: 45") + 1
    assert msgs == [f"stages.yaml:{line}: unknown key 'stages.1.stal_days'"]


def test_duplicate_stage_id(tmp_path: Path) -> None:
    msgs = broken(tmp_path, "  - id: nurture\n", "  - id: lead\n")
    assert msgs == [f"stages.yaml:{line_of('  - id: nurture')}: stage id 'lead' appears twice"]


def test_probability_outside_0_1(tmp_path: Path) -> None:
    msgs = broken(tmp_path, "probability: 0.2", "probability: 1.2")
    assert msgs == [f"stages.yaml:{line_of('probability: 0.2')}: "
                    "probability must be between 0 and 1, not 1.2"]


def test_requirement_naming_a_missing_ladder(tmp_path: Path) -> None:
    msgs = broken(tmp_path, "      power: 4\n", "      budget: 4\n")
    assert msgs == [f"stages.yaml:{line_of('      power: 4')}: stage 'negotiation' requires "
                    f"ladder 'budget', which is not defined (ladders: need, power)"]


def test_requirement_above_the_ladder_top(tmp_path: Path) -> None:
    msgs = broken(tmp_path, "      power: 4\n", "      power: 9\n")
    assert msgs == [f"stages.yaml:{line_of('      power: 4')}: stage 'negotiation' requires "
                    f"power >= 9, but that ladder has levels 0..6"]


def test_not_yaml_at_all(tmp_path: Path) -> None:
    msgs = broken(tmp_path, "currency: EUR\n", "currency: [EUR\n")
    assert msgs[0].startswith("stages.yaml:")
    assert "not valid YAML" in msgs[0]


def test_cli_reports_broken_stages_without_traceback(world) -> None:
    (world.root / "stages.yaml").write_text(STAGES.replace("conversion: 0.4", "conversion: x"))
    res = world.run("list")
    assert res.exit_code == 1
    assert res.stdout == ""
    assert res.stderr == (
        "funnelctl: stages.yaml is broken\n"
        f"stages.yaml:{line_of('conversion: 0.4')}: stages.1.conversion: Input should be a "
        "valid number, unable to parse string as a number\n")
