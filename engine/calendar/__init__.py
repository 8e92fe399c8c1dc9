"""Working days: statutory holidays and make-up working days (调休), as data."""
