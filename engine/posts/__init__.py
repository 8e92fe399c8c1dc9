"""A/B posts (AB岗): each window's A and B post, A's absences, and the cover B takes over while A is away."""
