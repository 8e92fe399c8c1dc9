"""The outbox's readers: what the notifications and status events sent and what failed (supervisors, admins)."""
