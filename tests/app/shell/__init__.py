"""Tests for app.shell."""
