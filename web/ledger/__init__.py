"""The scoring ledger's pages: the supervisor's view, each person's own ledger and appeals."""
