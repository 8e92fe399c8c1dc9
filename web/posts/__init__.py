"""A/B posts (AB岗): windows with their A and B staff, and the absences the supervisor records."""
