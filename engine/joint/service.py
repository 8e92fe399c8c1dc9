"""Countersigned opinions of a joint review, and who may read which of them.

Each department countersigns its own part; the lead department decides seeing every
opinion. A co-reviewing department sees only its own (联审联办: 各部门只看本部门部分).
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.models import Case
from engine.joint.models import JointOpinion


def record_opinion(session: Session, case: Case, task_id: str, opinion: dict, actor_id: int | None,
                   now: datetime) -> JointOpinion:
    row = JointOpinion(case_id=case.id, task_id=task_id, department_code=opinion["department_code"],
                       part=opinion["part"], position=opinion["position"], opinion=opinion["opinion"],
                       signed_by_id=actor_id, signed_at=now)
    session.add(row)
    return row


def opinions(session: Session, case: Case, department_code: str | None) -> list[JointOpinion]:
    """The opinions ``department_code`` may read (None: everyone's, for the window and supervisors)."""
    query = select(JointOpinion).where(JointOpinion.case_id == case.id).order_by(JointOpinion.signed_at,
                                                                                 JointOpinion.id)
    if department_code is not None and department_code != case.department_code:
        query = query.where(JointOpinion.department_code == department_code)
    return list(session.scalars(query))
