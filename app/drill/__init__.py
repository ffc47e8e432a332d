"""The drill room: the after-action review written to PDF or HTML."""
