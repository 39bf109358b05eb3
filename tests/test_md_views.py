"""`funnel --format md` and `stalls --format md`: the terminal's rows as Markdown a
manager pastes into meeting notes, compared in full with what was worked out by hand
on a small pipeline (tests/conftest.py's stages: lead 0.5, nurture 0.4, evaluation
0.625, negotiation 0.8; probabilities 0.1, 0.2, 0.5, 0.8)."""

from __future__ import annotations

import textwrap

import pytest


@pytest.fixture
def team(world):
    """Five open deals on 2026-11-24 (conftest's TODAY):

    - a1 ann lead 1,000 since 11-01: no action 23 days, no next step;
    - a2 ann nurture 3,000 (lead 10-20, nurture 11-10), next step 12-01: nothing due;
    - b1 bob lead 2,000 since 11-20, next step 11-28: nothing due;
    - b2 bob evaluation 5,000 (lead 09-01, nurture 09-15, evaluation 10-01): 54 days
      in a 45-day stage, no action for 54 days, no next step;
    - c1 bob evaluation 1,000, entered the pipeline at evaluation on 11-02 (a late
      entry): no action 22 days, its next step (11-20) 4 days late.
    """
    world.deal("a1", owner="ann", amount=1000, history=[("lead", "2026-11-01")])
    world.deal("a2", stage="nurture", owner="ann", amount=3000,
               history=[("lead", "2026-10-20"), ("nurture", "2026-11-10")],
               extra="next: {date: 2026-12-01, step: demo}\n")
    world.deal("b1", owner="bob", amount=2000, history=[("lead", "2026-11-20")],
               extra="next: {date: 2026-11-28, step: call}\n")
    world.deal("b2", stage="evaluation", owner="bob", amount=5000,
               history=[("lead", "2026-09-01"), ("nurture", "2026-09-15"),
                        ("evaluation", "2026-10-01")])
    world.deal("c1", stage="evaluation", owner="bob", amount=1000,
               history=[("evaluation", "2026-11-02")],
               extra="next: {date: 2026-11-20, step: send the offer}\n")
    return world


def md_of(world, *args: str) -> str:
    res = world.run(*args, "--format", "md")
    assert res.exit_code == 0, res.output
    return res.stdout


def test_funnel_md_is_the_table_and_the_diagnosis(team) -> None:
    # lead a1 + b1, nurture a2, evaluation b2 + c1. Benchmark from 2 leads: 2, 1, 0.4,
    # 0.25 (shown 0.2). Observed: of the 4 deals that reached lead, a2 and b2 left it
    # and both went on (100%); of nurture's 2, b2 left it and went on (100%); nobody
    # has left evaluation yet. Weighted: 3,000 x 0.1, 3,000 x 0.2, 6,000 x 0.5.
    # Thin top: the 2 in evaluation needed 2 / (0.5 x 0.4) = 10 leads; c1 started
    # at evaluation.
    assert md_of(team, "funnel") == textwrap.dedent("""\
        # Funnel 2026-11-24

        | stage | deals | benchmark | amount | weighted | conversion obs/cfg |
        |---|---|---|---|---|---|
        | Lead | 2 | 2.0 | 3,000 | 300 | 100%/50% |
        | Nurture | 1 | 1.0 | 3,000 | 600 | 100%/40% |
        | Evaluation | 2 | 0.4 | 6,000 | 3,000 | -/62% |
        | Negotiation | 0 | 0.2 | 0 | 0 | -/80% |

        - **thin top**: only 2 in Lead; the 2 in Evaluation needed about 10 there at the \
benchmark ratios: next quarter will starve
        - **late entries**: 1 deal entered the pipeline at Evaluation or later (c1)
        """)


def test_funnel_md_by_owner_has_a_section_per_rep(team) -> None:
    # ann: a1 at lead, a2 at nurture; a2 left lead and went on (1 of 1). Nothing
    # piles up by the margins (1 against 0.5 is within 2 deals): clean.
    # bob: b1 at lead, b2 and c1 at evaluation with nobody at nurture: a bulge
    # (2 against 0 let through), and a thin top (2 / 0.2 = 10 leads needed, 1 held).
    assert md_of(team, "funnel", "--by", "owner") == textwrap.dedent("""\
        # Funnel 2026-11-24

        ## ann

        | stage | deals | benchmark | amount | weighted | conversion obs/cfg |
        |---|---|---|---|---|---|
        | Lead | 1 | 1.0 | 1,000 | 100 | 100%/50% |
        | Nurture | 1 | 0.5 | 3,000 | 600 | -/40% |
        | Evaluation | 0 | 0.2 | 0 | 0 | -/62% |
        | Negotiation | 0 | 0.1 | 0 | 0 | -/80% |

        - **clean**: the funnel narrows steadily: no bulge, no narrow step, no thin top, \
no late entries

        ## bob

        | stage | deals | benchmark | amount | weighted | conversion obs/cfg |
        |---|---|---|---|---|---|
        | Lead | 1 | 1.0 | 2,000 | 200 | 100%/50% |
        | Nurture | 0 | 0.5 | 0 | 0 | 100%/40% |
        | Evaluation | 2 | 0.2 | 6,000 | 3,000 | -/62% |
        | Negotiation | 0 | 0.1 | 0 | 0 | -/80% |

        - **bulge**: Evaluation holds 2 deals; from 0 in Nurture the benchmark lets 0 \
through: deals pile up here and do not move
        - **thin top**: only 1 in Lead; the 2 in Evaluation needed about 10 there at the \
benchmark ratios: next quarter will starve
        - **late entries**: 1 deal entered the pipeline at Evaluation or later (c1)
        """)


def test_stalls_md_lists_each_deal_worst_first_and_the_snoozed(team) -> None:
    team.deal("s1", owner="ann", amount=500, history=[("lead", "2026-09-01")],
              extra="snooze: {until: 2026-12-15, reason: budget in December}\n")
    # b2: the only severe warning (stalled, 54 > 45 days) and the largest deal; then
    # a1 and c1 at 1,000, a1 first by its longer silence (23 days against 22)
    expected = textwrap.dedent("""\
        # Stalls 2026-11-24

        | deal | owner | stage | amount | warnings |
        |---|---|---|---|---|
        | b2 | bob | evaluation | 5,000 | stalled 54d · no action 54d · no next step |
        | a1 | ann | lead | 1,000 | no action 23d · no next step |
        | c1 | bob | evaluation | 1,000 | no action 22d · next step 4d late |

        7 warnings on 3 deals

        ## Snoozed on purpose

        - s1 (ann, lead) until 2026-12-15: budget in December
        """)
    assert md_of(team, "stalls") == expected
    limited = md_of(team, "stalls", "--limit", "2")
    assert "| c1 |" not in limited
    assert "| a1 |" in limited
    assert "… and 1 more deal (--all shows them)\n\n7 warnings on 3 deals\n" in limited
    assert md_of(team, "stalls", "--limit", "2", "--all") == expected


def test_stalls_md_by_owner(team) -> None:
    assert md_of(team, "stalls", "--by", "owner") == textwrap.dedent("""\
        # Stalls 2026-11-24

        ## ann

        | deal | owner | stage | amount | warnings |
        |---|---|---|---|---|
        | a1 | ann | lead | 1,000 | no action 23d · no next step |

        2 warnings on 1 deal

        ## bob

        | deal | owner | stage | amount | warnings |
        |---|---|---|---|---|
        | b2 | bob | evaluation | 5,000 | stalled 54d · no action 54d · no next step |
        | c1 | bob | evaluation | 1,000 | no action 22d · next step 4d late |

        5 warnings on 2 deals
        """)


def test_a_quiet_pipeline_says_so(world) -> None:
    world.deal("q1", history=[("lead", "2026-11-20")],
               extra="next: {date: 2026-11-30, step: call}\n")
    assert md_of(world, "stalls") == ("# Stalls 2026-11-24\n\nNo warnings: every open deal "
                                      "moved, was followed up and has a next step.\n")


def test_data_is_escaped_for_markdown(world) -> None:
    """A stage label and an owner that hold Markdown's and HTML's syntax show as they
    are written: no extra column, no tag, no link; a control character is shown."""
    stages = world.read("stages.yaml").replace(
        "label: Lead\n", 'label: "Lead | <b>hot</b> [x](y)"\n')
    world.write("stages.yaml", stages)
    world.deal("h1", owner="eve|*x*", history=[("lead", "2026-11-01")])
    funnel = md_of(world, "funnel")
    assert "| Lead \\| &lt;b&gt;hot&lt;/b&gt; \\[x\\](y) | 1 | 1.0 |" in funnel
    assert "<b>" not in funnel and "](" not in funnel.replace("\\](", "")
    stalls = md_of(world, "stalls")
    assert "| h1 | eve\\|\\*x\\* | lead | 1,000 | no action 23d · no next step |" in stalls


def test_json_wins_over_md_as_in_review(team) -> None:
    res = team.run("stalls", "--format", "md", "--json")
    assert res.exit_code == 0 and res.stdout.lstrip().startswith("{")
    bad = team.run("funnel", "--format", "html")
    assert bad.exit_code == 2 and "text" in bad.output and "md" in bad.output
