"""Tianshu domain: the city atlas, feed, store, closed loop, vital-sign rules and the app's seam. No Qt."""
