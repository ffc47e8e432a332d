"""Drills played through the feed: the local drill server, simulated units and operators, the runner."""
