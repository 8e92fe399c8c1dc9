"""A lease in the database: of several processes, exactly one holds it at a time.

The holder renews it on every tick; if the holder dies, the lease expires and another
process takes over. Taking and renewing is one conditional UPDATE, so it works the same
on SQLite and PostgreSQL and needs no long-lived connection.
"""

from datetime import datetime, timedelta

from sqlalchemy import String, or_, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.db import Base, UTCDateTime, per_dialect


class Lease(Base):
    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acquired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


_CREATE = per_dialect(lambda insert: insert(Lease.__table__).on_conflict_do_nothing(index_elements=["name"]))


def hold(session: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease ``name`` for ``holder``; False if someone else holds it."""
    connection = session.connection()
    connection.execute(_CREATE[connection.dialect.name],
                       {"name": name, "holder": None, "expires_at": now, "acquired_at": None})
    renewed = connection.execute(
        update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=now + ttl))
    if renewed.rowcount == 1:
        return True
    taken = connection.execute(
        update(Lease).where(Lease.name == name, or_(Lease.holder.is_(None), Lease.expires_at <= now))
        .values(holder=holder, expires_at=now + ttl, acquired_at=now))
    return taken.rowcount == 1


def release(session: Session, name: str, holder: str, now: datetime) -> None:
    session.execute(update(Lease).where(Lease.name == name, Lease.holder == holder)
                    .values(holder=None, expires_at=now))
