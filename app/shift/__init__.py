"""The shift: sign-in and lock, supervision (督办), handover (交接班) and 综合评价."""
