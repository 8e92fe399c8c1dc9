"""Supervision (督查): ratings (好差评) verified and rectified, complaints (投诉)."""
