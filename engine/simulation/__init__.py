"""A simulated service center driven through the real engine and database on a simulated clock."""
