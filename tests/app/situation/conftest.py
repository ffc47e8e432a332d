"""Situation tests reuse the duty desk on a real store."""

from __future__ import annotations

from tests.app.desk.test_duty import duty

__all__ = ["duty"]
