"""Cases (办件): the case row every domain package stands on, its number, applicant data and due date."""
