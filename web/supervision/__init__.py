"""Supervision pages and API: ratings verified and rectified, complaints (督查)."""
