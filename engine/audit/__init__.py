"""The audit trail: who did what to which case, when, and what changed."""
