from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.models import AuditEntry
from engine.staff.service import Actor

_INSERT = AuditEntry.__table__.insert()


def record(session: Session, *, actor: Actor, action: str, at: datetime, case_id: int | None = None,
           task_id: str | None = None, before_status: str | None = None, after_status: str | None = None,
           detail: dict | None = None) -> None:
    # A plain insert: entries are never read back in the transaction that writes them.
    session.execute(_INSERT, {"at": at, "actor": actor.username, "actor_id": actor.id, "action": action,
                              "case_id": case_id, "task_id": task_id, "before_status": before_status,
                              "after_status": after_status, "detail": detail or {}})


def case_history(session: Session, case_id: int) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)))
