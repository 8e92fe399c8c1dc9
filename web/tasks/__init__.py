"""Task inboxes and the task form: claim, unclaim, complete (every role's steps)."""
