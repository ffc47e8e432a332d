"""Tianshu widgets: render plain data handed in by app/."""
