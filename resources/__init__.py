"""Bundled themes, translations and demo data. No logic."""
