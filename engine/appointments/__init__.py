"""Appointments (预约, seed 004 篇一 第十五条): a window's time slots and the places booked in them."""
