"""The closed loop: cases, their state machine, timers, routing, audit and metrics (no Qt)."""
