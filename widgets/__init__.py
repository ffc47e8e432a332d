"""Tianshu widgets, in the same rooms as app/: they render plain values handed in by app/."""
