"""Evals: run the real assistant over question sets and score it (docs/evals.md)."""
