"""Attendance (考勤, 双签制): sign-ins and sign-outs, the center's working hours, what a day's record means."""
