"""Tests for widgets.situation."""
