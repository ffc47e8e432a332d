"""City vital signs that warn: alert rules over metric series, evaluated on the injected clock."""
