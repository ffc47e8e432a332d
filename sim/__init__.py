"""The demo city simulator: a fictional city, its generated life, and a protocol v1 feed server for it."""

from __future__ import annotations

from sim.city import City, demo_city
from sim.feed_items import CapItem, EventItem, FeedItem, MetricItem
from sim.generator import DemoGenerator
from sim.machines import EventRole
from sim.runner import run_demo, run_sim
from sim.server import FeedServer

__all__ = [
    "CapItem",
    "City",
    "DemoGenerator",
    "EventItem",
    "EventRole",
    "FeedItem",
    "FeedServer",
    "MetricItem",
    "demo_city",
    "run_demo",
    "run_sim",
]
