"""Center setup (中心设置): the administrator's catalogue, calendar, process versions and scoring rules."""
