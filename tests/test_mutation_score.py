"""The mutation score `make mutation` prints, on a hand-made results folder."""

from __future__ import annotations

import json
from pathlib import Path

from mutation_score import equivalent_names, score


def test_equivalent_mutants_leave_the_count_and_timeouts_count_as_killed(tmp_path: Path) -> None:
    meta = tmp_path / "mutants" / "sim" / "model"
    meta.mkdir(parents=True)
    codes = {
        "sim.model.a.x_f__mutmut_1": 1,  # killed
        "sim.model.a.x_f__mutmut_2": 1,
        "sim.model.a.x_f__mutmut_3": 36,  # timed out
        "sim.model.a.x_f__mutmut_4": 0,  # survived
        "sim.model.a.x_f__mutmut_5": 0,  # survived, listed as equivalent
        "sim.model.a.x_f__mutmut_6": 33,  # no tests
        "sim.model.a.xǁCǁm__mutmut_1": 1,  # listed as equivalent, but killed: stale
    }
    (meta / "a.py.meta").write_text(json.dumps({"exit_code_by_key": codes}), encoding="utf-8")
    doc = tmp_path / "testing.md"
    doc.write_text(
        "- `sim.model.a.x_f__mutmut_5`: why\n- `sim.model.a.xǁCǁm__mutmut_1`: why\n"
        "- `sim.model.gone.x_g__mutmut_1`: why\nnot a bullet `sim.model.a.x_f__mutmut_4`\n",
        encoding="utf-8",
    )
    names = equivalent_names(doc)
    assert names == {
        "sim.model.a.x_f__mutmut_5",
        "sim.model.a.xǁCǁm__mutmut_1",
        "sim.model.gone.x_g__mutmut_1",
    }
    result = score(tmp_path / "mutants", names)
    assert result.equivalent == 1
    assert (result.counts["killed"], result.counts["timeout"]) == (3, 1)
    assert (result.counts["survived"], result.counts["no tests"]) == (1, 1)
    # 4 killed (one by timing out) of 6 non-equivalent.
    assert result.non_equivalent == 6
    assert result.percent == 100 * 4 / 6
    assert sorted(result.stale) == ["sim.model.a.xǁCǁm__mutmut_1", "sim.model.gone.x_g__mutmut_1"]
