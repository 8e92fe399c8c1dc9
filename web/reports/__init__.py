"""Statistics reports (月统计, 季通报): figures by department, item or person for a month, quarter or year."""
