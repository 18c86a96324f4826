"""Calibration: fit a world's uncertain parameters to observed figures (``coalsim calibrate``).

A targets file names the world, the figures it should match (each with its
error model) and the parameters to fit with their priors. The fit is
Bayesian history matching in waves, with a Gaussian-process emulator per
target (scikit-learn) ruling out implausible worlds, and an importance-weighted
posterior over the simulated points; every simulation goes out through the
experiment layer's sweeps, so it runs alike on one process, a local pool or
Dask, and an interrupted fit resumes to the same posterior.
"""
