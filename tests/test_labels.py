"""What a user typed, as an id of stages.yaml (funnelctl.labels): the id, the
label or the label in another language, ignoring case and full-width forms, and
a refusal listing the choices otherwise."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from funnelctl import i18n, labels
from funnelctl.labels import NoSuchChoice
from funnelctl.pipeline import Stage


def item(id: str, label: str, **langs: str) -> NS:
    return NS(id=id, label=label, labels=langs)


# a Chinese team's pipeline: label in Chinese, English beside it
P = NS(
    stages=[NS(id="lead", label="线索确认", labels={"en": "Lead"},
               milestones=[item("need_identified", "发现需求", en="Need identified")]),
            NS(id="evaluation", label="方案评估", labels={"en": "Evaluation"},
               milestones=[item("solution_accepted", "认可方案", en="Solution accepted")])],
    won=item("won", "签订合同", en="Signed"),
    lost=NS(id="lost", label="丢单", labels={"en": "Lost"},
            reasons=[item("competitor", "输给竞争对手", en="Lost to a competitor"),
                     item("budget", "预算取消", en="Budget gone")]),
    ladders=[item("need", "需求", en="Need"), item("power", "权力", en="Power")],
    # kinds with labels, and one written as a bare id
    action_kinds=[item("visit", "拜访", en="Visit"), item("tech_exchange", "技术交流",
                                                       en="Technical exchange"), "email"],
)


@pytest.fixture(autouse=True)
def english():
    i18n.activate("en")
    yield
    i18n.activate("en")


@pytest.mark.parametrize("resolve, text, found", [
    (labels.ladder, "power", "power"),
    (labels.ladder, "权力", "power"),
    (labels.ladder, "Power", "power"),
    (labels.ladder, "POWER", "power"),
    (labels.ladder, " 需求 ", "need"),
    (labels.kind, "拜访", "visit"),
    (labels.kind, "visit", "visit"),
    (labels.kind, "technical EXCHANGE", "tech_exchange"),
    (labels.kind, "email", "email"),
    (labels.kind, "ＶＩＳＩＴ", "visit"),  # full-width letters
    (labels.stage, "方案评估", "evaluation"),
    (labels.stage, "evaluation", "evaluation"),
    (labels.milestone, "认可方案", "solution_accepted"),
    (labels.milestone, "need identified", "need_identified"),
    (labels.loss_reason, "预算取消", "budget"),
    (labels.loss_reason, "Lost to a competitor", "competitor"),
])
def test_an_id_a_label_or_another_languages_label(resolve, text: str, found: str) -> None:
    assert resolve(P, text) == found


def test_outcomes_are_stages_only_when_asked() -> None:
    assert labels.stage(P, "签订合同", outcomes=True) == "won"
    with pytest.raises(NoSuchChoice):
        labels.stage(P, "签订合同")


def test_nothing_matching_lists_every_choice_in_the_active_language() -> None:
    with pytest.raises(NoSuchChoice) as exc:
        labels.kind(P, "拜方")
    # an id that is its own label (visit: Visit) is not said twice
    assert exc.value.message == ("no action kind '拜方' (choose one of: visit, "
                                 "tech_exchange (Technical exchange), email)")
    assert exc.value.choices == ["visit", "tech_exchange", "email"]
    i18n.activate("zh_CN")
    with pytest.raises(NoSuchChoice) as exc:
        labels.ladder(P, "luck")
    assert "need (需求), power (权力)" in exc.value.message


def test_an_id_wins_over_a_label_and_a_shared_label_is_ambiguous() -> None:
    p = NS(ladders=[item("power", "Goal"), item("goal", "Target"), item("x", "Target")])
    assert labels.ladder(p, "goal") == "goal"  # the id, though it is power's label too
    with pytest.raises(NoSuchChoice) as exc:
        labels.ladder(p, "target")
    assert exc.value.message == "'target' names more than one: goal (Target), x (Target); " \
                                "type the id"


def test_shown_names_an_id_in_the_active_language() -> None:
    assert labels.shown(P, "evaluation") == "Evaluation"
    assert labels.shown(P, "won") == "Signed"
    assert labels.shown(P, "power", "ladder") == "Power"
    assert labels.shown(P, "email", "kind") == "email"
    assert labels.shown(P, "gone", "stage") == "gone"  # no longer in stages.yaml
    i18n.activate("zh_CN")
    assert labels.shown(P, "evaluation") == "方案评估"
    assert labels.shown(P, "visit", "kind") == "拜访"


def test_a_label_missing_in_the_language_falls_back_to_the_label() -> None:
    i18n.activate("en")
    assert i18n.label(item("lead", "线索确认")) == "线索确认"
    assert i18n.label(NS(id="lead", label="", labels={})) == "lead"
    assert i18n.label(item("lead", "Lead", zh="线索确认"), "zh_CN") == "线索确认"
    assert i18n.label(item("lead", "Lead", zh_CN="线索", zh="线索确认"), "zh_CN") == "线索"


STAGES = textwrap.dedent("""\
    lang: zh
    currency: CNY
    stages:
      - id: lead
        label: 线索确认
        labels: {en: Lead confirmation}
        probability: 0.1
        conversion: 0.5
        stall_days: 30
        milestones:
          - {id: need_identified, label: 发现了可能的需求, labels: {en: A need is identified}}
    won: {id: won, label: 签订合同, labels: {en: Contract signed}}
    lost:
      id: lost
      label: 丢单
      labels: {en: Lost}
      reasons:
        - {id: budget, label: 预算取消, labels: {en: Budget gone}}
    ladders:
      - {id: power, label: 权力, labels: {en: Power}, levels: [a, b, c]}
    action_kinds:
      - {id: visit, label: 拜访, labels: {en: Visit}}
      - call
    """)


@pytest.mark.skipif("labels" not in {f.name for f in dataclasses.fields(Stage)},
                    reason="stages.yaml's labels: need the pipeline.py change of issue 13")
def test_on_a_pipeline_read_from_stages_yaml() -> None:
    from funnelctl.model import validate_pipeline
    from funnelctl.yamlio import load_fast

    p = validate_pipeline(load_fast(STAGES))
    assert p.lang == "zh"
    assert labels.ladder(p, "Power") == labels.ladder(p, "权力") == "power"
    assert labels.kind(p, "拜访") == "visit" and labels.kind(p, "call") == "call"
    assert labels.stage(p, "lead confirmation") == "lead"
    assert labels.milestone(p, "发现了可能的需求") == "need_identified"
    assert labels.loss_reason(p, "Budget gone") == "budget"
    assert p.kind_ids == ["visit", "call"]
    i18n.activate("en")
    assert labels.shown(p, "lead") == "Lead confirmation"
    i18n.activate("zh_CN")
    assert labels.shown(p, "lead") == "线索确认"


ZH_SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "zh"


@pytest.mark.skipif("labels" not in {f.name for f in dataclasses.fields(Stage)},
                    reason="stages.yaml's labels: need the pipeline.py change of issue 13")
def test_the_chinese_sample_names_its_items_in_chinese_and_english() -> None:
    from funnelctl.store import load_all, load_pipeline

    p = load_pipeline(ZH_SAMPLE, use_cache=False)
    assert p.lang == "zh" and p.currency == "CNY"
    assert set(p.teams) == {"华东", "华南"}
    assert [labels.kind(p, k) for k in ("拜访", "电话", "演示", "技术交流", "报价", "回款",
                                        "客诉")] == ["visit", "call", "demo", "tech_exchange",
                                                     "quote", "payment", "complaint"]
    assert labels.ladder(p, "权力") == labels.ladder(p, "Power") == "power"
    assert labels.stage(p, "方案评估") == labels.stage(p, "Solution evaluation") == "evaluation"
    assert labels.loss_reason(p, "输给竞争对手") == "competitor"
    loaded = load_all(ZH_SAMPLE, p, use_cache=False)
    assert len(loaded.deals) == 48 and not loaded.problems
    assert any(d.account == "华东泵业" and d.id.startswith("huadong-bengye-")
               for d in loaded.deals)
