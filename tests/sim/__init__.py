"""Tests for sim."""
