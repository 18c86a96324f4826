"""The money figure's reconciliation: every line adds up, with numbers worked out by hand.

The table is built by hand (two replications, in RMB) so each mean and each derived
term below is known without the code: e.g. fines 100 and 120 M average 110 M, the
buyers' 90 and 106 M average 98 M, which leaves 12 M of brokers' fines.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from matplotlib.text import Text

from sim.report import money
from sim.report.data import RunData

M = 1e6
HAND = {
    "replication": [0, 1],
    "fines_rmb": [100 * M, 120 * M],  # mean 110
    "buyer_fines_rmb": [90 * M, 106 * M],  # mean 98, so brokers 12
    "seized_value_rmb": [50 * M, 70 * M],  # mean 60
    "dprk_losses_rmb": [20 * M, 30 * M],  # mean 25, so buyers' cargo 35
    "dprk_revenue_rmb": [400 * M, 600 * M],  # mean 500
    "dprk_net_rmb": [380 * M, 560 * M],  # mean 470, so running costs 30
    "buyer_profit_rmb": [300 * M, 340 * M],  # mean 320
    "broker_fees_rmb": [20 * M, 30 * M],  # mean 25, so brokers' net 25 - 12 = 13
    "rewards_paid_rmb": [2 * M, 4 * M],  # mean 3, so the state's net 110 + 60 - 3 = 167
    "ledger_imbalance_rmb": [0.0, 0.0],
}
"""Resale is 320 + 500 + 25 + 98 = 943 M; the nets then sum to zero by hand:
sellers 470 + buyers 320 + brokers 13 + state 167 + tipsters 3 - resale 943
+ running costs 30 - confiscated coal 60 = 0."""

EXPECTED = [
    "Fines to the state 110.0 = buyers 98.0 + brokers 12.0 (brokers named as accomplices; "
    "no one else is fined).",
    "Confiscated cargo 60.0 = DPRK sellers' cargo 25.0 + buyers' cargo 35.0 (paid in advance "
    "or handed over at sea).",
    "Net cash = all received - all paid. DPRK sellers' 470.0 = revenue 500.0 - running costs "
    "30.0 (derived); a lost cargo enters and leaves their books, so it is not in net cash.",
    "Buyers' net cash 320.0 = resale 943.0 (derived) - payments to sellers 500.0 - broker "
    "fees 25.0 - fines 98.0.",
    "Brokers' net cash 13.0 = fees 25.0 - fines 12.0.",
    "State's net cash 167.0 = fines 110.0 + confiscated cargo 60.0 - rewards 3.0; tipsters' "
    "net cash 3.0.",
    "All nets, with the coal market (-resale), shipping costs (+running costs) and the "
    "confiscated coal (-cargo), sum to 0.0 (the model's ledger check).",
]


def run_data(runs: pd.DataFrame) -> RunData:
    return RunData(Path("."), {"scenario_name": "hand"}, runs, pd.DataFrame(), *[None] * 4)


def test_reconciliation_lines_add_up_to_the_hand_worked_numbers() -> None:
    assert money.money_reconciliation(pd.DataFrame(HAND)) == EXPECTED


def test_the_nets_in_the_lines_sum_to_zero_with_the_outside_accounts() -> None:
    """Read the nets back off the text: a wrong sign or term in any line breaks the sum."""
    lines = money.money_reconciliation(pd.DataFrame(HAND))

    def after(line: str, words: str) -> float:
        return float(line.split(words, 1)[1].split()[0].rstrip(".;").replace(",", ""))

    sellers = after(lines[2], "DPRK sellers' ")
    buyers, resale = after(lines[3], "net cash "), after(lines[3], "resale ")
    brokers = after(lines[4], "net cash ")
    state, tipsters = after(lines[5], "State's net cash "), after(lines[5], "tipsters' net cash ")
    running, coal = after(lines[2], "running costs "), after(lines[1], "Confiscated cargo ")
    total = sellers + buyers + brokers + state + tipsters - resale + running - coal
    assert math.isclose(total, 0.0, abs_tol=1e-9)


def test_a_line_uses_only_replications_where_all_its_terms_are_known() -> None:
    """Replication 1 lost its buyers' fines: the fines line is of replication 0 alone
    (100 = 90 + 10), so it still adds up; a line whose column is absent is left out."""
    runs = pd.DataFrame(HAND).assign(buyer_fines_rmb=[90 * M, math.nan])
    lines = money.money_reconciliation(runs.drop(columns=["rewards_paid_rmb"]))
    assert lines[0].startswith("Fines to the state 100.0 = buyers 90.0 + brokers 10.0 ")
    assert not any(line.startswith("State's") for line in lines)
    assert len(lines) == len(EXPECTED) - 1


def test_the_figure_prints_the_reconciliation_under_the_bars() -> None:
    fig = money.money(run_data(pd.DataFrame(HAND)))
    texts = " ".join(t.get_text() for t in fig.findobj(Text)).replace("\n    ", " ")
    for line in EXPECTED:
        assert line in texts.replace("\n", " ")
