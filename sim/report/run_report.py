"""The report of one run: what its sections are, in what order, and what each says."""

from __future__ import annotations

from pathlib import Path

from sim.metrics.units import counted
from sim.report import displacement, money, network, observed, run_figures
from sim.report.build import Part, Written, render
from sim.report.data import RunData, load_run
from sim.report.map import region_map
from sim.report.record import record_table
from sim.report.style import Missing
from sim.report.tables import all_metrics_table, parameter_table
from sim.report.terms import endogenous_note

CUT = "An interval end marked * is cut at the least or most the metric can be."


def run_meta(data: RunData) -> str:
    s, m = data.scenario, data.manifest
    bits = [f"Scenario {data.name}"]
    if m.get("scenario_file"):
        bits[0] += f" ({m['scenario_file']})"
    bits.append(counted(data.replications, "replication"))
    if "seed" in m:
        bits.append(f"seed {m['seed']}")
    if "horizon_days" in s:
        bits.append(f"{s['horizon_days']:g} simulated days")
    if m.get("overrides"):
        bits.append("--set " + " ".join(map(str, m["overrides"])))
    if m.get("posterior"):  # a calibration's posterior: the intervals carry both
        p = m["posterior"]
        bits.append(
            f"{', '.join(p.get('parameters', []))} drawn from the posterior {p.get('file')} for "
            "each replication, so every interval carries parameter and stochastic uncertainty"
        )
    return ", ".join(bits) + "."


def run_parts(data: RunData) -> list[Part]:
    """The run report's sections, in the order they are printed."""
    n = data.replications
    ci = f"Means over {counted(n, 'replication')} with 95% confidence intervals (Student's t)."
    return [
        Part(
            "headline",
            "Headline results",
            " ".join(x for x in (ci, CUT, endogenous_note(data)) if x),
            table=displacement.headline(data),
        ),
        *_trade_figures(data, ci),
        zones_part(data, ci),
        *_seen_parts(data, ci),
        *_place_figures(data),
        Part(
            "parameters",
            "Scenario parameters",
            "The key settings of the run, as saved in its manifest.",
            table=parameter_table(data.scenario, data.manifest),
            table_page=True,
        ),
        Part(
            "metrics",
            "Every metric",
            f"{ci} {CUT}",
            table=all_metrics_table(data.summary),
            table_page=True,
        ),
    ]


def _trade_figures(data: RunData, ci: str) -> list[Part]:
    """What the trade did over the run: coal, lots, money, buyers, terms, destinations."""
    return [
        Part(
            "tonnes",
            "Coal delivered and seized over time",
            "Coal delivered to Chinese buyers and seized by the Coast Guard, added up week by "
            f"week from the start of the run. {ci}",
            lambda: run_figures.cumulative_tonnes(data),
        ),
        Part(
            "outcomes",
            "Lots by outcome and cause",
            "What became of every lot: delivered, seized (split by what led to the seizure), "
            "held ashore, still at sea or not yet sailed when the run ended; lots and tonnes "
            "per run.",
            lambda: run_figures.outcomes(data),
        ),
        Part(
            "money",
            "Money by party",
            "Totals per run from the ledger: what the DPRK sellers were paid and kept, the "
            "Chinese buyers' net cash, brokers' income, fines and confiscated cargo to the "
            "state, and rewards paid to tipsters. A party's net cash is everything it "
            "received less everything it paid, so all parties' nets sum to zero. The lines "
            "under the bars show how the bars add up, e.g. fines to the state are the "
            "buyers' fines plus those of brokers named as accomplices. Resale takings and "
            f"sellers' running costs are not saved and are derived from these identities. {ci}",
            lambda: money.money(data),
        ),
        Part(
            "buyers",
            "Buyers and risk beliefs over time",
            "How many Chinese buyers are still willing to trade each week, and their mean "
            "believed chance that a shipment is intercepted.",
            lambda: run_figures.buyers_and_beliefs(data),
        ),
        Part(
            "terms",
            "Payment terms over time",
            "Share of the contracts each week paid in advance (the buyer carries the risk of "
            "seizure) or after delivery (the seller does). " + endogenous_note(data),
            lambda: run_figures.payment_terms(data),
        ),
        Part(
            "volume",
            "Coal delivered by destination over time",
            "Coal delivered to each destination port week by week (by arrival), with the day "
            "of the policy change: does coal stopped at the pressured ports reappear at the "
            f"others? {ci}",
            lambda: displacement.volume_by_destination(data),
        ),
    ]


def _seen_parts(data: RunData, ci: str) -> list[Part]:
    """What an outside observer saw of the run, and the run against the public record."""
    return [
        Part(
            "observed",
            "What an outside observer sees",
            "The run's true transfers, port deliveries, seizures and coal beside what an "
            "outside analyst would have seen of them (satellite imagery, AIS tracks, port "
            "reports, announced seizures), and the dark figure: the share of delivered coal "
            f"that nobody outside saw. {ci}",
            lambda: observed.truth_and_seen(data),
        ),
        record_part(data, ci),
    ]


def _place_figures(data: RunData) -> list[Part]:
    """Where it happened and who traded: the map, the network, and how runs differ."""
    return [
        Part(
            "map",
            "Map of the region",
            "Land from the shipped Natural Earth coastline; ports, routes as the model traces "
            "them (line width: voyages per run), enforcement zones, Coast Guard bases, and "
            "where each seizure took place in every replication, coloured by cause.",
            lambda: region_map(data),
        ),
        Part(
            "network",
            "Trading network before and after investigations",
            "Sellers, brokers and buyers linked by trade in the first replication; on the "
            "right, the trade at the run's end: the parties out of it then (named within one "
            "sentence of the end, or gone for good) and the links broken now, against those "
            "broken at some time in the run (named parties return after their sentence). "
            "With many buyers, each port's buyers are one ring, filled for those trading.",
            lambda: network.trading_network(data),
        ),
        Part(
            "revenue",
            "DPRK-side revenue across replications",
            "Payments received by DPRK sellers in each replication, with the mean and its 95% "
            "confidence interval: how far one simulated year can differ from another.",
            lambda: run_figures.revenue_histogram(data),
        ),
    ]


def zones_part(data: RunData, ci: str) -> Part:
    """The seizures-per-patrol-hour table, or a note when the run saved no zones.csv."""
    title = "Seizures per patrol hour by zone"
    caption = (
        "Per enforcement zone: Coast Guard vessel-hours on station (thousands), seizures made "
        "in the zone, tips about cargoes due to cross it, and seizures per 1,000 hours on station "
        f"(replications without hours in a zone are left out of its ratio). {ci}"
    )
    try:
        table = displacement.zone_table(data)
    except Missing as m:
        return Part("zones", title, caption, note=str(m))
    return Part("zones", title, caption, table=table, table_page=True)


def record_part(data: RunData, ci: str) -> Part:
    """The world against the public figures it names, or a note when it names none."""
    title = "Against the public record"
    caption = (
        "Each figure the scenario's [[public_figures]] names: the interval the public record "
        "allows (docs/sources.md), and the model's mean with its 95% CI; a total per year is "
        f"scaled from the run's horizon to 365 days. {ci}"
    )
    try:
        table = record_table(data)
    except Missing as m:
        return Part("record", title, caption, note=str(m))
    return Part("record", title, caption, table=table, table_page=True)


def run_report(folder: Path) -> Written:
    data = load_run(folder)
    return render(
        folder,
        f"coalsim report: {data.name}",
        run_meta(data),
        data.manifest,
        displacement.headline(data),
        run_parts(data),
    )
