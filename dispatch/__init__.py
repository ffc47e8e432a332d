"""Tianshu domain: the city atlas, feed, store, closed loop and vital-sign rules, and the app's seam. No Qt."""
