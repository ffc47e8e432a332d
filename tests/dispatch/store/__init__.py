"""Tests for dispatch.store.database."""
