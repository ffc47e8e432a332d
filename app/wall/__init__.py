"""Wall-screen mode (大屏): pages of read-only panels across the room, one window per screen."""
