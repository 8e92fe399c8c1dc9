"""Appointments (预约): the public booking and cancelling pages, the windows' list of the day, the slots."""
