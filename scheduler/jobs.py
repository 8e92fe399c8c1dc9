"""The scheduler's jobs. Each is safe to run twice or from two processes at once:
cases are locked while they advance, and ledger entries carry unique violation keys."""

import logging

log = logging.getLogger(__name__)

# A tick takes at most this many batches, so a backlog is worked off without starving other jobs.
MAX_BATCHES = 50


def _drain(step, batch: int) -> int:
    """Run ``step(limit=batch)`` until it advances nothing.

    Not "until a short batch": with two schedulers at work, a batch can come back short
    because the other one took part of it, while more cases are still due.
    """
    total = 0
    for _ in range(MAX_BATCHES):
        count = step(limit=batch)
        total += count
        if count == 0:
            break
    return total


def fire_timers(engine, batch: int = 200) -> int:
    """Fire the BPMN timers that are due (correction window expired, the 5-day notice rule …)."""
    return _drain(engine.fire_due_timers, batch)


def sweep_deadlines(engine, batch: int = 1000) -> int:
    """Recompute deadline states that time has changed; charge overdue working days."""
    return _drain(engine.sweep_deadlines, batch)


def compute_attendance(engine, batch: int = 5) -> int:
    """The daily attendance computation (考勤): each final working day once, charged to the ledger.
    Ticks that find nothing to compute cost one query; ``batch`` days at most per tick."""
    return engine.attendance.compute_due(limit=batch)


def close_unrated_ratings(engine, batch: int = 200) -> int:
    """未评价: delivered cases the applicant has not rated within ONEWINDOW_RATING_CLOSE_DAYS, each once."""
    return _drain(engine.supervision.close_unrated, batch)


def deliver_notifications(engine, batch: int = 50) -> int:
    """Send the outbox's due notifications and status events (engine/outbox/delivery.py); each
    delivery once, retried with backoff, a case's webhooks in order."""
    return _drain(engine.outbox.deliver_due, batch)


def charge_late_enquiries(engine, batch: int = 200) -> int:
    """回复网上咨询超过2个工作日 (XL-06): each online enquiry unanswered after its 2 working days, charged once."""
    return _drain(engine.enquiries.charge_late, batch)


JOBS = {"timers": fire_timers, "deadlines": sweep_deadlines, "attendance": compute_attendance,
        "ratings": close_unrated_ratings, "notifications": deliver_notifications, "enquiries": charge_late_enquiries}
