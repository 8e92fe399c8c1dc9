"""Service accounts: systems (the provincial platform), not people, that call the API with client credentials."""
