"""The SQLite store: opening and migrations, the one writer thread, read-only connections."""
