"""A cold start lists the deal files in a child while stages.yaml is validated
(store.load.load_pipeline with all_deals): the deals loaded are the same, the
listing is taken by the load that follows, and a broken stages.yaml leaves no
child behind."""

from __future__ import annotations

import json
import os

import pytest

from funnelctl.aside import can_fork
from funnelctl.store import StoreError, cache, load_all, load_pipeline

pytestmark = pytest.mark.skipif(not can_fork(), reason="forks on Linux with 2 cores")


def no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_early_listing_is_taken_by_the_load_and_changes_nothing(world):
    for i in range(40):
        world.deal(f"d{i:02d}", folder="east" if i % 2 else "")
    world.write("deals/broken.yaml", "id: [\n")
    pipeline = load_pipeline(world.root, all_deals=True)
    assert world.root in cache._EARLY  # the child lists while the caller goes on
    early = load_all(world.root, pipeline)
    assert world.root not in cache._EARLY
    assert no_child_left()
    again = load_all(world.root, load_pipeline(world.root), use_cache=False)
    assert sorted(d.id for d in early.deals) == sorted(d.id for d in again.deals)
    assert len(early.deals) == 40
    assert [str(p) for p in early.problems] == [str(p) for p in again.problems]
    assert early.skipped_files == ["deals/broken.yaml"]


def test_a_broken_stages_file_waits_for_the_listing_child(world):
    for i in range(5):
        world.deal(f"d{i}")
    world.write("stages.yaml", "stages: [\n")
    with pytest.raises(StoreError):
        load_pipeline(world.root, all_deals=True)
    assert world.root not in cache._EARLY
    assert no_child_left()


def test_a_command_that_loads_every_deal_answers_the_same_cold_and_warm(world):
    from funnelctl.cli.app import app

    for i in range(30):
        world.deal(f"d{i:02d}")
    args = ["--dir", str(world.root), "--today", "2026-11-24", "funnel", "--json"]
    cold = world.runner.invoke(app, args, catch_exceptions=False)
    assert cold.exit_code == 0
    assert not cache._EARLY and no_child_left()
    warm = world.runner.invoke(app, args, catch_exceptions=False)
    assert warm.stdout == cold.stdout
    shape = json.loads(cold.stdout)
    assert sum(s["count"] for s in shape["stages"]) == 30
