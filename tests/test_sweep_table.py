"""The sweep's terminal table names each swept key so a reader knows which group it is."""

from __future__ import annotations

from sim.cli.sweep_table import short_names


def test_a_list_entrys_key_keeps_its_entry() -> None:
    """'vessels' alone left the reader asking which patrol group."""
    paths = [
        "patrols.jiangsu_patrol.vessels",
        "patrols.0.endurance_hours",
        "tips.reward_share",
        "enforcement.fine_rmb",
        "contract.resale_multiplier",
    ]
    assert short_names(paths) == [
        "jiangsu_patrol.vessels",
        "patrols.0.endurance_hours",
        "reward_share",
        "fine_rmb",
        "resale_multiplier",
    ]


def test_names_that_would_clash_grow_until_they_do_not() -> None:
    paths = ["patrols.a.vessels", "sellers.a.vessels"]
    assert short_names(paths) == ["patrols.a.vessels", "sellers.a.vessels"]
