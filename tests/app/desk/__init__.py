"""Tests for app.desk."""
