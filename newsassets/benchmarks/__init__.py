"""Benchmark commands that print speed and memory figures: `python -m newsassets.benchmarks.dedup --items N`."""
