"""One active scheduler, however many processes start one.

Every tick first holds the database lease ``scheduler``; a process that does not hold it
does nothing that tick. The holder renews the lease each tick; when it dies the lease
runs out and the next process to tick takes over. The jobs themselves are idempotent,
so even two holders (a lease stolen after a long pause) cannot double-fire or double-charge.
"""

import logging
import os
import socket
import uuid
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.lease import hold, release
from scheduler.jobs import JOBS

log = logging.getLogger(__name__)

LEASE = "scheduler"


class Scheduler:
    def __init__(self, engine, *, interval_seconds: float = 15.0, lease_seconds: float = 60.0):
        if lease_seconds <= interval_seconds:
            raise ValueError("the lease must outlast the interval between ticks")
        self.engine = engine
        self.interval = interval_seconds
        self.lease_ttl = timedelta(seconds=lease_seconds)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._apscheduler = None

    def holds_lease(self) -> bool:
        with self.engine.transaction() as session:
            return hold(session, LEASE, self.holder, self.engine.clock.now(), self.lease_ttl)

    def tick(self) -> dict[str, int] | None:
        """Run every job once if this process holds the lease; None if another one does."""
        if not self.holds_lease():
            return None
        results = {}
        for name, job in JOBS.items():
            try:
                results[name] = job(self.engine)
            except Exception:
                # A failing job is logged and runs again next tick; the other jobs still run.
                log.exception("scheduler job %s failed", name)
                results[name] = -1
        return results

    def _build(self, scheduler_class):
        scheduler = scheduler_class(timezone="Asia/Shanghai")
        scheduler.add_job(self.tick, "interval", seconds=self.interval, id="tick", max_instances=1,
                          coalesce=True, next_run_time=self.engine.clock.now())
        return scheduler

    def start(self) -> None:
        """In the background of this process (the embedded default, next to the web server)."""
        self._apscheduler = self._build(BackgroundScheduler)
        self._apscheduler.start()

    def run(self) -> None:
        """In the foreground, until interrupted (``onewindow scheduler``)."""
        self._apscheduler = self._build(BlockingScheduler)
        try:
            self._apscheduler.start()
        finally:
            self.stop()

    def stop(self) -> None:
        if self._apscheduler is not None and self._apscheduler.running:
            self._apscheduler.shutdown(wait=True)
        with self.engine.transaction() as session:
            release(session, LEASE, self.holder, self.engine.clock.now())
