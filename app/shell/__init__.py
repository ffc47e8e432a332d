"""The cockpit's shell: application set-up, main window, theme, FrameClock and the composition root."""
