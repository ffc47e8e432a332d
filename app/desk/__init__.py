"""The duty desk (值班台): its controller, its database thread, the beat's jobs, merge, photos, the alarm."""
