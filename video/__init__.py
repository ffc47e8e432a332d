"""Tianshu video: capture workers, latest-frame mailboxes, stream health. No Qt."""
