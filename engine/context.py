"""What an action group is given: the one declared context every part of CaseEngine works with.

An action group (engine/actions.py, engine/clock_actions.py, engine/setup.py, the ledger book,
supervision, the A/B posts …) is a class built with the context it needs, never with the
engine itself: what it may touch is written in its constructor.
"""

from dataclasses import dataclass

from sqlalchemy.orm import sessionmaker

from engine.calendar.service import CalendarCache
from engine.clock import Clock
from engine.db import transaction


@dataclass(frozen=True)
class EngineContext:
    """Sessions (a transaction to change, a session to read), the clock and the working-day calendar."""

    read_sessions: sessionmaker
    write_sessions: sessionmaker
    clock: Clock
    calendar: CalendarCache

    def transaction(self):
        # Re-read a calendar near its ttl now, while this thread holds no connection: a
        # re-read inside the step would need a second one, and threads each holding one
        # and waiting for another would exhaust the pool.
        self.calendar.get(max_age=self.calendar.ttl / 2)
        return transaction(self.write_sessions)

    def session(self):
        """A read-only session for queries."""
        return self.read_sessions()
