"""Benchmark runner: ``python -m bench`` (``make bench``). See ``bench.runner``."""
