"""Reproducible performance measurements; each module writes JSON to benchmarks/results/."""
