"""Gaussian-process emulators of each target and the history-matching rules built on them.

Each wave fits one Gaussian process per target (scikit-learn) to the wave's
simulated values over the prior quantiles of the parameters. A white-noise
term in the kernel learns the model's own replication noise, so the
predictive standard deviation is the emulator's uncertainty and the dice
together. A world ``x`` is implausible for target ``j`` when

    I_j(x) = |z_j - E[f_j(x)]| / sqrt(sd_obs_j^2 + Var[f_j(x)])  > 3

(one-sided for an ``at_least`` target: only a shortfall counts), the usual
cut-off by Pukelsheim's three-sigma rule (any unimodal distribution keeps
95% of its mass within three standard deviations). The weights of the
final posterior use the figures' error model alone, on simulated values.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from sim.calibrate.targets import Targets

CUTOFF = 3.0
MIN_POINTS = 5


@dataclass(frozen=True)
class ErrorModel:
    """Each target's centre, standard deviation and whether it is a lower bound only,
    in the scaled units the emulators are fitted in."""

    centre: np.ndarray
    sd: np.ndarray
    lower_bound: np.ndarray

    @classmethod
    def of(cls, targets: Targets) -> ErrorModel:
        ts = targets.targets
        return cls(
            np.array([t.centre for t in ts], dtype=float),
            np.array([t.sd for t in ts], dtype=float),
            np.array([t.at_least is not None for t in ts], dtype=bool),
        )

    def distance(self, y: np.ndarray) -> np.ndarray:
        """Signed shortfall (z - y) per target; 0 for an ``at_least`` target that is met."""
        d = self.centre - y
        out: np.ndarray = np.where(self.lower_bound, np.maximum(d, 0.0), d)
        return out

    def log_likelihood(self, y: np.ndarray) -> np.ndarray:
        """log L of each row of simulated values ``y`` (points x targets); -inf where a
        value is missing (a world with no value for a figure cannot match it)."""
        z = self.distance(y) / self.sd
        ll = np.asarray(stats.norm.logpdf(z), dtype=float).sum(axis=1) - np.log(self.sd).sum()
        out: np.ndarray = np.where(np.isfinite(y).all(axis=1), ll, -np.inf)
        return out


class Emulator:
    """One Gaussian process per target, fitted on (prior quantiles, scaled values)."""

    def __init__(self, u: np.ndarray, y: np.ndarray, seed: int) -> None:
        self.models = [_fit(u, y[:, j], seed + j) for j in range(y.shape[1])]

    def predict(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation (points x targets); a target too few points gave a
        value for is left unconstrained (mean NaN)."""
        mean = np.full((len(u), len(self.models)), np.nan)
        sd = np.full((len(u), len(self.models)), np.inf)
        for j, gp in enumerate(self.models):
            if gp is not None:
                m, s = gp.predict(u, return_std=True)
                mean[:, j], sd[:, j] = m, s
        return mean, sd

    def implausibility(self, u: np.ndarray, errors: ErrorModel) -> np.ndarray:
        """I_j(u) (points x targets); 0 where the emulator knows nothing."""
        mean, sd = self.predict(u)
        total = np.sqrt(errors.sd**2 + sd**2)
        out = np.abs(errors.distance(mean)) / total
        return np.where(np.isfinite(mean), out, 0.0)


def _fit(u: np.ndarray, y: np.ndarray, seed: int) -> Any:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    ok = np.isfinite(y)
    if ok.sum() < MIN_POINTS:
        return None
    d = u.shape[1]
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(
        length_scale=np.full(d, 0.5), length_scale_bounds=(1e-2, 1e2)
    ) + WhiteKernel(0.1, (1e-8, 1e1))
    gp = GaussianProcessRegressor(
        kernel, normalize_y=True, n_restarts_optimizer=0, random_state=seed % 2**32
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(u[ok], y[ok])
    return gp


def plausible(emulators: list[Emulator], u: np.ndarray, errors: ErrorModel) -> np.ndarray:
    """Which points every wave's emulator so far leaves plausible (the largest I <= 3)."""
    keep = np.ones(len(u), dtype=bool)
    for em in emulators:
        keep &= em.implausibility(u, errors).max(axis=1, initial=0.0) <= CUTOFF
    return keep


def worst(emulators: list[Emulator], u: np.ndarray, errors: ErrorModel) -> np.ndarray:
    """Each point's largest implausibility over every target and wave so far."""
    out = np.zeros(len(u))
    for em in emulators:
        out = np.maximum(out, em.implausibility(u, errors).max(axis=1, initial=0.0))
    return out
