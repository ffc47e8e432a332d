"""Benchmarks: `python main.py bench …`, each a whole-process measurement with a one-line result."""
