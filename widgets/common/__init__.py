"""Widget helpers shared by every room: the palette, style properties, tight rows, operator words."""
