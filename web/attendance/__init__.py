"""Attendance (考勤) and leave (请销假): signing in and out, the day's sheet, leave and its approvals, the weekly bulletin."""
