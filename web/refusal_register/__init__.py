"""Registers (台账) kept for supervision: the 否决备案 register of every refusal."""
