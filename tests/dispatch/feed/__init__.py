"""Tests for dispatch.feed."""
