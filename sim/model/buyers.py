"""Chinese buyers: capital, demand, learning beliefs about interception and naming, and
the deal rule.

Beliefs: a Beta(alpha, beta) distribution over the chance that a shipment is
intercepted. Evidence (own deliveries and seizures, public news of every
seizure) is added to the prior and fades back towards it with the memory
time constant, so a buyer forgets an old crackdown. Beside it, a believed rate
at which a trader is named as an accomplice, learnt with the same fading memory from
the public news of investigations (how many buyers each named, over the buyers in the
trade): Gamma-Poisson, ``nu = (nu0 T0 + c) / (T0 + t)`` per day, where ``c`` is the
faded sum of the shares named and ``t`` the faded days of exposure.

Decision: with believed interception chance q (the Beta mean, times the risk
multiplier), expected profit is (1 - q) M - q (L + C_arrest) - C_named, every term in
``sim.model.buyer_costs``: the margin M, the cash lost on a seizure L (advance: the
payment plus the fine; after delivery: the fine), the expected cost of arrest on a
seizure and the expected cost of being named in another buyer's case. The buyer
accepts terms whose expected profit reaches its hurdle; with a zero hurdle it accepts
exactly while q <= (M - C_named) / (M + L + C_arrest).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

from sim.model.buyer_costs import NO_STAKES, Stakes, deal_costs
from sim.model.ledger import Ledger
from sim.model.sections import BeliefsSection, BuyerSection

ADVANCE, AFTER = "advance", "after_delivery"


def expected_profit(q: float, margin: float, loss: float) -> float:
    return (1.0 - q) * margin - q * loss


def break_even(margin: float, loss: float, named: float = 0.0) -> float:
    """Interception chance at which expected profit is zero (``loss`` with the arrest's cost,
    ``named`` the expected cost of being named: ``sim.model.buyer_costs``)."""
    return (margin - named) / (margin + loss)


class BuyerAgent:
    __slots__ = (
        "alpha_e",
        "beta_e",
        "capital0",
        "config",
        "deals_per_year",
        "demand",
        "entered_at",
        "exposed_e",
        "hurdle",
        "last",
        "left",
        "left_at",
        "name",
        "named_e",
        "party",
        "port",
        "prior_alpha",
        "prior_beta",
        "risk_multiplier",
        "sit_until",
        "taken",
        "taken_total",
    )

    def __init__(self, name: str, config: BuyerSection, now: float = 0.0) -> None:
        self.name = name
        self.party = f"buyer:{name}"
        self.config = config
        self.port = config.port
        self.capital0 = config.capital_rmb
        # The config's numbers the market and the weekly sampler read for every buyer
        # they reach, kept as plain slots: a pydantic model's attribute reads go
        # through its ``__getattr__`` hook and cost several times as much.
        self.prior_alpha = config.prior_alpha
        self.prior_beta = config.prior_beta
        self.demand = config.demand_tonnes_per_month
        self.hurdle = config.hurdle_rmb
        self.risk_multiplier = config.risk_multiplier
        self.deals_per_year = config.deals_per_year
        self.alpha_e = 0.0  # evidence beyond the prior
        self.beta_e = 0.0
        self.named_e = 0.0  # faded shares of the trade named, and faded days of exposure
        self.exposed_e = 0.0
        self.last = now
        self.sit_until = -1.0
        self.taken: deque[tuple[float, float]] = deque()
        self.taken_total = 0.0
        self.left = ""  # why the buyer left the trade: "", "arrested" or "bankrupt"
        self.left_at = float("nan")
        self.entered_at = now

    def cash(self, ledger: Ledger) -> float:
        """Capital at entry plus everything the books have moved to or from the buyer."""
        return self.capital0 + ledger.balance_fen.get(self.party, 0) / 100

    def _fade(self, now: float, beliefs: BeliefsSection) -> None:
        if now > self.last:
            memory_days = beliefs.memory_days
            f = math.exp(-(now - self.last) / (memory_days * 24.0))
            self.alpha_e *= f
            self.beta_e *= f
            self.named_e *= f
            # days in the trade accrue continuously and fade (the integral of exp(-age / m)),
            # weighed as the news is: at weight 0 the naming belief stays at its prior
            self.exposed_e = self.exposed_e * f + beliefs.naming_news_weight * memory_days * (1 - f)
            self.last = now

    def belief(self, now: float, beliefs: BeliefsSection) -> float:
        """Mean believed chance that a shipment is intercepted."""
        self._fade(now, beliefs)
        a = self.prior_alpha + self.alpha_e
        b = self.prior_beta + self.beta_e
        return a / (a + b)

    def naming_rate(self, now: float, beliefs: BeliefsSection) -> float:
        """Believed times a day a trader is named: (nu0 T0 + c) / (T0 + t), faded to ``now``."""
        self._fade(now, beliefs)
        t0 = beliefs.naming_prior_days
        return (beliefs.naming_prior_per_year / 365.0 * t0 + self.named_e) / (t0 + self.exposed_e)

    def observe(self, now: float, seized: bool, weight: float, beliefs: BeliefsSection) -> None:
        self._fade(now, beliefs)
        if seized:
            self.alpha_e += weight
        else:
            self.beta_e += weight

    def demand_left(self, now: float) -> float:
        """Tonnes the buyer still takes this month (a rolling 30 days)."""
        taken = self.taken
        while taken and taken[0][0] <= now - 720.0:
            self.taken_total -= taken.popleft()[1]
        return self.demand - self.taken_total

    def take(self, now: float, tonnes: float) -> None:
        self.taken.append((now, tonnes))
        self.taken_total += tonnes

    def terms_value(
        self,
        q: float,
        value: float,
        resale: float,
        fine: float,
        terms: str,
        cost: float = 0.0,
        stakes: Stakes = NO_STAKES,
    ) -> float:
        c = deal_costs(value, resale, fine, terms == ADVANCE, cost, stakes, self.deals_per_year)
        q = min(1.0, q * self.risk_multiplier)
        return expected_profit(q, c.margin, c.loss + c.arrest) - c.named

    def decide(
        self,
        offered: str,
        q: float,
        value: float,
        resale: float,
        fine: float,
        counter_allowed: bool = False,
        cost: float = 0.0,
        stakes: Stakes = NO_STAKES,
    ) -> str | None:
        """The terms the buyer signs: the offered ones, the other ones, or None.

        ``cost`` is what the deal costs the buyer besides the cargo (the broker's fee);
        ``stakes`` what enforcement puts at risk beyond the deal's own fine.
        """
        hurdle = self.hurdle
        if self.terms_value(q, value, resale, fine, offered, cost, stakes) >= hurdle:
            return offered
        other = AFTER if offered == ADVANCE else ADVANCE
        if (
            counter_allowed
            and self.terms_value(q, value, resale, fine, other, cost, stakes) >= hurdle
        ):
            return other
        return None


def fade(
    buyers: Iterable[BuyerAgent],
    now: float,
    beliefs: BeliefsSection,
    news: float = 0.0,
    named: float = 0.0,
) -> None:
    """Fade every buyer still in the trade to ``now``, then add ``news`` seizure evidence
    (``observe(now, True, news, ...)`` for each, with exactly its arithmetic) and ``named``
    naming evidence (an investigation's share of the trade named).

    ``BuyerAgent._fade`` is written out here with its constants hoisted: seizure and
    naming news reach every buyer, and a method call per buyer cost more than the
    arithmetic. Most buyers were last faded together, so one ``exp`` serves a run of
    them. Those who left the trade hear no news.
    """
    memory_days = beliefs.memory_days
    scale, exposure = memory_days * 24.0, beliefs.naming_news_weight * memory_days
    exp = math.exp
    seen, f = math.nan, 1.0
    for b in buyers:
        if b.left:
            continue
        last = b.last
        if now > last:
            if last != seen:
                seen = last
                f = exp(-(now - seen) / scale)
            b.alpha_e = b.alpha_e * f + news  # x + 0.0 is x: no news leaves it as faded
            b.beta_e *= f
            b.named_e = b.named_e * f + named
            b.exposed_e = b.exposed_e * f + exposure * (1 - f)
            b.last = now
        else:
            b.alpha_e += news
            b.named_e += named


def beliefs_of(buyers: list[BuyerAgent], now: float, beliefs: BeliefsSection) -> list[float]:
    """Each buyer's belief at ``now``, as ``belief`` would give it, without fading the
    buyer: an observer (the weekly sample) must not change what it observes. Faded in
    place, the buyers' evidence would follow another rounding path from every sample on,
    so whether the samples are taken (``coalsim run``) or not (sweeps) could tip a
    decision that sits on a rounding difference."""
    scale = beliefs.memory_days * 24.0
    exp = math.exp
    seen, f = math.nan, 1.0
    out: list[float] = []
    for b in buyers:
        last = b.last
        if now > last and last != seen:  # most buyers were last faded together: one exp
            seen, f = last, exp(-(now - last) / scale)  # serves a run of them
        g = f if now > last else 1.0  # x * 1.0 is x: a buyer faded at this hour as it is
        a = b.prior_alpha + b.alpha_e * g
        out.append(a / (a + (b.prior_beta + b.beta_e * g)))
    return out
