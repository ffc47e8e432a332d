"""The video wall's widgets: tiles, the grid, the camera tree, pop-ups and toasts."""
