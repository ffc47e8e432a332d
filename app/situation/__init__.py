"""Situational panels: vital signs, the map."""
