"""A console joined to a centre as a seat (docs/seats.md): the seat's loop, its feed and its status."""
