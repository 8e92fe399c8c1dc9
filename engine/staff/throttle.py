"""Failed sign-ins slow down the source that makes them, never lock the account.

Failures are counted per typed username and source address, and per username from everywhere.
After ``PAIR_FREE`` failures from one source, that source is refused (without checking the
password) for a window that doubles with each further failure, up to ``PAIR_CAP``. After
``ACCOUNT_FREE`` failures from everywhere (guessing from many addresses), every source that
has failed on the name is refused for a doubling window up to ``ACCOUNT_CAP``, but a source
without failures still gets its try: the owner at his own desk signs in while strangers
elsewhere are held off. The typed name is the key whether or not such an account exists, so
the refusals tell nothing about which accounts exist.
"""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, delete, select, update
from sqlalchemy.orm import Session

from engine.db import per_dialect
from engine.staff.models import SignInFailure

PAIR_FREE = 5
ACCOUNT_FREE = 20
STEP = timedelta(minutes=1)
PAIR_CAP = timedelta(hours=1)
ACCOUNT_CAP = timedelta(minutes=15)
# A day without failures and the record is forgotten.
FORGET = timedelta(hours=24)
EVERYWHERE = ""

_TABLE = SignInFailure.__table__


def _count_statement(insert):
    """Add one failure (starting again after FORGET) and return the count, in one statement, so two
    racing failures both count."""
    statement = insert(_TABLE).values(username=bindparam("username"), source=bindparam("source"), failures=1,
                                      last_failure_at=bindparam("now"))
    fresh = _TABLE.c.last_failure_at < bindparam("forgotten")
    return statement.on_conflict_do_update(
        index_elements=[_TABLE.c.username, _TABLE.c.source],
        set_={"failures": case((fresh, 1), else_=_TABLE.c.failures + 1),
              "refused_until": case((fresh, None), else_=_TABLE.c.refused_until),
              "last_failure_at": bindparam("now")}).returning(_TABLE.c.failures)


_COUNT = per_dialect(_count_statement)


def _window(failures: int, free: int, cap: timedelta) -> timedelta | None:
    if failures < free:
        return None
    return min(STEP * 2 ** min(failures - free, 20), cap)


def refused_until(session: Session, username: str, source: str, now: datetime) -> datetime | None:
    """Until when this attempt is refused without looking at the password; None: look."""
    rows = {row.source: row for row in session.scalars(
        select(SignInFailure).where(SignInFailure.username == username,
                                    SignInFailure.source.in_((source, EVERYWHERE))).with_for_update())
            if row.last_failure_at >= now - FORGET}
    pair, everywhere = rows.get(source), rows.get(EVERYWHERE)
    if pair is not None and pair.refused_until is not None and pair.refused_until > now:
        return pair.refused_until
    if pair is not None and everywhere is not None and everywhere.refused_until is not None \
            and everywhere.refused_until > now:
        return everywhere.refused_until
    return None


def record_failure(session: Session, username: str, source: str, now: datetime) -> list[tuple[str, dict]]:
    """Count a failure; returns the alerts (audit action, detail) it raises: a source throttled on
    a name, a name attacked from everywhere."""
    alerts = []
    for where, free, cap, action in ((source, PAIR_FREE, PAIR_CAP, "login_throttled"),
                                     (EVERYWHERE, ACCOUNT_FREE, ACCOUNT_CAP, "sign_in_attack")):
        statement = _COUNT[session.get_bind().dialect.name]
        failures = session.execute(statement, {"username": username, "source": where, "now": now,
                                               "forgotten": now - FORGET}).scalar_one()
        window = _window(failures, free, cap)
        if window is None:
            continue
        session.execute(update(SignInFailure).where(SignInFailure.username == username,
                                                    SignInFailure.source == where)
                        .values(refused_until=now + window))
        if failures == free:
            detail = {"username": username, "failures": failures, "minutes": int(window.total_seconds() // 60)}
            alerts.append((action, detail | ({"source": source} if where else {})))
    return alerts


def clear(session: Session, username: str, source: str) -> None:
    """A right password: this source starts afresh, and so does the name's count from everywhere."""
    session.execute(delete(SignInFailure).where(SignInFailure.username == username,
                                                SignInFailure.source.in_((source, EVERYWHERE))))


def attacks(session: Session, now: datetime) -> list[SignInFailure]:
    """Names and sources refused in the last day (the supervisor's list), latest first."""
    return list(session.scalars(select(SignInFailure).where(SignInFailure.refused_until.is_not(None),
                                                            SignInFailure.last_failure_at >= now - FORGET)
                                .order_by(SignInFailure.last_failure_at.desc()).limit(200)))
