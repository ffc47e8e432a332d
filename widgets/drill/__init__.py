"""The drill room's views: the after-action review report and its chart."""
