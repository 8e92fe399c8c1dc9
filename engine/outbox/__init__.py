"""The outbox: notifications and status events written with the step that caused them, delivered later."""
