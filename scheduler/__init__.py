"""Background jobs (APScheduler): due timers, deadline sweeps, warnings, ledger feed."""
