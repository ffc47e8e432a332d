"""Tests for widgets.videowall."""
