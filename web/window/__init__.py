"""The window (前台综合受理): intake, the window queue, a case, its notices and delivery."""
