"""The public progress lookup for applicants (no sign-in)."""
