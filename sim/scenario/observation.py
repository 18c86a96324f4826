"""What outside observers catch of the trade: the scenario's ``[observation]`` section.

Analysts never see the true volume. They see ship-to-ship transfers on
satellite imagery or in AIS tracks, DPRK ships reported in Chinese ports, and
the seizures the Coast Guard chooses to announce. Each chance here is per
event; a ship sailing dark (AIS off) is seen less often. The defaults are
assumptions, not measurements (docs/sources.md says why each was chosen).
"""

from __future__ import annotations

from pydantic import Field

from sim.scenario.base import Probability, Strict


class Observation(Strict):
    """The chance that each event of the trade is seen from outside."""

    transfer_ais_on: Probability = Field(
        default=0.6,
        description="chance a ship-to-ship transfer by a ship with AIS on is seen (AIS "
        "tracks meeting at sea, satellite imagery)",
    )
    transfer_ais_off: Probability = Field(
        default=0.25,
        description="chance a ship-to-ship transfer by a ship with AIS off is seen "
        "(satellite imagery only)",
    )
    port_call_ais_on: Probability = Field(
        default=0.7,
        description="chance a delivery into a Chinese port by a ship with AIS on is reported",
    )
    port_call_ais_off: Probability = Field(
        default=0.3,
        description="chance a delivery into a Chinese port by a ship with AIS off is reported",
    )
    seizure_announced: Probability = Field(
        default=0.5, description="chance the Coast Guard announces a seizure publicly"
    )
