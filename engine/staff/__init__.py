"""Staff accounts, roles and the actor that every engine action is performed by."""
