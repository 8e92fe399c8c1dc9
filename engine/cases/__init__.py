"""Cases (办件): the case row, its number, applicant data and case-level bookkeeping."""
