"""The staff rules' warnings (seed 004 篇九) for the supervisor, who may let one stand with a reason."""
