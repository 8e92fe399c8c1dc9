"""Signing in and out, the language switch, API tokens."""
