"""Enquiries (咨询) under the first-asked-is-responsible rule (首问负责制, seed 004)."""
