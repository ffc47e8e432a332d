"""Tianshu's Qt controllers, a room per feature; app/shell/ builds and wires them and owns the event loop."""
