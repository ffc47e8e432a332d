"""Tests of the wall-screen mode."""
