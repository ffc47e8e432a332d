"""Tests of the wall-screen panels."""
