"""The administrator's area (系统管理): staff accounts, the staff file, passwords, authorisations."""
