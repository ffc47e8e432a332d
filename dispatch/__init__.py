"""Tianshu domain: feeds, intake, store, closed loop, simulators. Pure Python, no Qt."""
