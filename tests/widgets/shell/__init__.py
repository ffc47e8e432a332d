"""Tests for widgets.shell."""
