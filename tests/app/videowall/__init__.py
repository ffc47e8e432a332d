"""Tests for app.videowall."""
