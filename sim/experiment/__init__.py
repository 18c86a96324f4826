"""Replications, executors and the results store; nothing here knows about coal."""
