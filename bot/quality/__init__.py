"""Evaluation and benchmarks: how good and how fast the answers are."""
