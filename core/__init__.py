"""Small shared helpers with no Qt and no I/O: clock, geometry, map projection."""
