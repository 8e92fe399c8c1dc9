"""The service catalogue (办事指南): departments, service items and their materials."""
