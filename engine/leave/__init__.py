"""Leave (请销假): requests naming who covers, double approval, the return."""
