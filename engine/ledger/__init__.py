"""The staff scoring ledger (考核台账): rules, entries, appeals and period scores."""
