"""The main window's chrome: header, status bar, feed health, live event stream."""
