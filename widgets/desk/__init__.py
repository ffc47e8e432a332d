"""The duty desk's widgets: the incident queue, the case panel, dispatch and merge dialogs."""
