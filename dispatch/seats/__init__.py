"""Seats: several machines sharing one closed loop through a NATS JetStream log (docs/seats.md)."""
