"""Stopping and moving the case clock: suspensions (行政许可法 第45条) and extensions (第42条)."""
