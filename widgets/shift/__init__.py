"""The shift's widgets: sign-in, lock, session badge, supervision board, handover, 综合评价."""
