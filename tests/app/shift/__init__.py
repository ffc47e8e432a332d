"""Tests for app.shift."""
