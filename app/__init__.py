"""Tianshu application layer: builds and wires everything, owns the Qt event loop."""
