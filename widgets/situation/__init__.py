"""Situational widgets: vital-sign tiles, trend charts, the map."""
