"""Plain progress lines, as CI logs and pipes get them."""

from __future__ import annotations

import io

from sim.experiment.progress import PlainProgress


def test_a_line_at_the_start_and_at_each_tenth() -> None:
    stream = io.StringIO()
    p = PlainProgress(stream, "replications")
    for done in range(1, 21):
        p(done, 20)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11  # 1/20, then 2/20 (a tenth), 4/20 ... 20/20
    assert lines[-1].startswith("replications: 20/20 replications (100%)")


def test_lines_go_on_when_a_precision_target_adds_batches() -> None:
    stream = io.StringIO()
    p = PlainProgress(stream, "replications")
    for done in range(1, 6):
        p(done, 5)
    for done in range(6, 13):  # the target asked for 7 more
        p(done, 12)
    lines = stream.getvalue().splitlines()
    assert lines[-1].startswith("replications: 12/12 replications (100%)")
    assert any(line.startswith("replications: 6/12") for line in lines)
    assert all("\r" not in line and "\x1b" not in line for line in lines)
