"""Tests for widgets.shift."""
