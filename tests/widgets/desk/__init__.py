"""Tests for widgets.desk."""
