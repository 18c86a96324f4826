"""The period worlds (scenarios/peak_2019.toml, crackdown_2025.toml) and the baseline's tie
to one of them: each loads, and a short run delivers its coal the way its period did."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from builders import run

from sim.metrics import replication_metrics
from sim.scenario import load

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SHORT = ["horizon_days=90"]


def test_baseline_is_the_crackdown_world_under_its_own_name() -> None:
    raw = tomllib.loads((SCENARIOS / "baseline.toml").read_text())
    assert raw["base"] == "crackdown_2025.toml" and raw["name"] == "baseline"
    baseline = load(SCENARIOS / "baseline.toml").scenario
    crackdown = load(SCENARIOS / "crackdown_2025.toml").scenario
    same = {"name", "description"}
    assert baseline.model_dump(exclude=same) == crackdown.model_dump(exclude=same)


@pytest.mark.parametrize("name", ["peak_2019", "crackdown_2025"])
def test_each_period_world_names_public_figures_with_sources(name: str) -> None:
    figures = load(SCENARIOS / f"{name}.toml").scenario.public_figures
    metrics = {f.metric for f in figures}
    assert {"tonnes_per_voyage", "dprk_revenue_rmb"} <= metrics
    assert all(f.source and f.period and f.low < f.high for f in figures)


def test_peak_2019_delivers_most_coal_by_transfer_in_large_cargoes() -> None:
    """Three quarters of the 2019 tonnage went to barges at sea (public range 0.7-0.8; a
    90-day run is allowed 0.6-0.9). Lots: Nampo 6,000-11,000 t at 1/0.85 a day, Taean
    4,000-9,000 every 2 days, Chongjin 4,000-8,000 every 5 days: a mean cargo of
    (8,500/0.85 + 6,500/2 + 6,000/5) / (1/0.85 + 1/2 + 1/5) = about 7,700 t."""
    resolved = load(SCENARIOS / "peak_2019.toml", SHORT)
    for replication in (0, 1):
        row = replication_metrics(run(resolved, replication))
        assert row["transfers"] > 50
        assert 0.6 <= row["transfer_tonnes_share"] <= 0.9
        assert 6500.0 <= row["tonnes_per_voyage"] <= 9000.0


def test_crackdown_2025_delivers_to_port_in_cargoes_of_at_least_5000_t() -> None:
    """No transfer points: every cargo goes to the buyer's port. Every lot is 5,000-8,000 t
    (mean 6,500, sd 866): over 100 or more voyages the mean is within 6,000-7,000 t."""
    out = run(load(SCENARIOS / "crackdown_2025.toml", SHORT))
    row = replication_metrics(out)
    assert row["transfers"] == 0 and row["transfer_tonnes_share"] == 0.0
    assert row["shipments_attempted"] >= 100
    assert 6000.0 <= row["tonnes_per_voyage"] <= 7000.0
    assert all(5000.0 <= s.tonnes <= 8000.0 for s in out.shipments)
