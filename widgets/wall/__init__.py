"""Wall-screen (大屏) panels: read-only views sized to be read across the room."""
