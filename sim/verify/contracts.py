"""Who pays whom how much for each shipment, worked out by hand from the contract.

docs/model.md, Money: under ``advance`` the buyer pays at signing and owns
the cargo at sea; under ``after_delivery`` the seller owns it until it is
delivered (or handed to the buyer's barge) and is paid then. A delivery
pays the broker's fee and brings the buyer the resale; a seizure passes the
cargo from its owner to the state, fines the buyer and, on a tip, pays the
tipsters. Each accomplice an investigation names pays its own fine.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from sim.model.model import RunOutput
from sim.scenario import Resolved

Flow = tuple[str, str, int, str]
"""(payer, payee, fen, reason)."""


def _fen(amount: float) -> int:
    return round(amount * 100)


def contract_flows(resolved: Resolved, out: RunOutput) -> dict[int, Counter[Flow]]:
    """Shipment id (or investigation case) -> the entries the contract and the rules imply;
    running costs left out (the money check adds those up)."""
    s = resolved.scenario
    c, e, t = s.contract, s.enforcement, s.tips
    want: dict[int, Counter[Flow]] = defaultdict(Counter)
    for sh in out.shipments:
        if not sh.payment_terms:
            continue
        value = round(sh.tonnes * sh.price_rmb_per_tonne, 2)
        buyer, seller = f"buyer:{sh.buyer}", f"seller:{sh.seller}"
        handed = not math.isnan(sh.t_handover)
        flows = want[sh.id]
        if sh.payment_terms == "advance" or sh.outcome == "delivered" or handed:
            flows[(buyer, seller, _fen(value), "payment")] += 1
        if sh.outcome == "delivered":
            flows[("market:china", buyer, _fen(value * c.resale_multiplier), "resale")] += 1
            if sh.broker:
                fee = sh.tonnes * s.network.broker_fee_rmb_per_tonne
                flows[(buyer, f"broker:{sh.broker}", _fen(fee), "broker_fee")] += 1
        elif sh.outcome == "seized":
            owner = buyer if sh.payment_terms == "advance" or handed else seller
            flows[("goods:coal", owner, _fen(value), "cargo_value")] += 1
            flows[(owner, "state:china", _fen(value), "seizure")] += 1
            fine = e.fine_rmb if e.fine_rule == "fixed" else e.fine_cargo_multiple * value
            flows[(buyer, "state:china", _fen(fine), "fine")] += 1
            if sh.cause == "tip":
                reward = (
                    t.reward_fixed_rmb
                    if t.reward_rule == "fixed"
                    else min(t.reward_share * value, t.reward_cap_rmb)
                )
                flows[("state:china", "tipsters", _fen(reward), "reward")] += 1
    for _, node, case in out.named:
        party = ("buyer:" if out.network.kind[node] == "buyer" else "broker:") + node
        want[case][(party, "state:china", _fen(e.accomplice_fine_rmb), "fine")] += 1
    for flows in want.values():
        for key in [k for k, n in flows.items() if k[2] <= 0]:
            del flows[key]  # the ledger keeps no zero entries
    return want


def ledger_flows(out: RunOutput) -> dict[int, Counter[Flow]]:
    """The same from the ledger, running costs left out."""
    got: dict[int, Counter[Flow]] = defaultdict(Counter)
    for en in out.ledger:
        if en.reason != "operating_cost":
            got[en.shipment][(en.payer, en.payee, en.fen, en.reason)] += 1
    return got


def mismatches(resolved: Resolved, out: RunOutput, reasons: set[str] | None = None) -> list[str]:
    """Each shipment (or case) whose entries differ from the contract's, described."""
    want, got = contract_flows(resolved, out), ledger_flows(out)
    wrong = []
    for sid in sorted(set(want) | set(got)):
        w, g = want.get(sid, Counter()), got.get(sid, Counter())
        if reasons is not None:
            w = Counter({k: n for k, n in w.items() if k[3] in reasons})
            g = Counter({k: n for k, n in g.items() if k[3] in reasons})
        if w != g:
            missing, extra = list((w - g).elements()), list((g - w).elements())
            wrong.append(f"shipment {sid}: missing {missing[:2]}, unexpected {extra[:2]}")
    return wrong


def kinds(resolved: Resolved, out: RunOutput) -> int:
    """Shipments and cases the comparison covers."""
    return len(contract_flows(resolved, out))
