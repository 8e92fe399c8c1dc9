"""Staff accounts and sign-in (the acting person is engine.actor, the roles engine.roles)."""
