"""Benchmarks, run from the project root as modules: `python -m bench.national` (see docs/benchmarks.md)."""
