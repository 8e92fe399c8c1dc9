"""Deadline states of cases and tasks: normal, yellow (warning), red (overdue)."""
