"""Human tasks: the queue rows (one per open user task) behind inboxes and claims."""
