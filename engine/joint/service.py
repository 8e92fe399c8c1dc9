"""Countersigned opinions of a joint review, and who may read which of them.

Each department countersigns its own part; the lead department decides seeing every
opinion. A co-reviewing department sees only its own (联审联办: 各部门只看本部门部分).
"""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.models import Case
from engine.joint.models import JointOpinion
from engine.workflow.properties import COUNTERSIGNED

# The ledger trigger of a co-reviewer past his reply limit (seed 004 篇四 二(三)4: 联办单位不履行规定职责).
CO_REVIEW_LATE_TRIGGER = "co_review_late"


def late_reply(case, task, today: date) -> bool:
    """Is ``task`` (an open task row of ``case``) a co-reviewing department's countersign past its
    reply limit? Its due date is that limit: the item's co_review_days (国发〔1999〕9号: 7 working
    days) from its start. The lead department's own countersign answers to the case's limit."""
    return (task.milestone == COUNTERSIGNED and task.department_code != case.department_code
            and task.due_date is not None and today > task.due_date)


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
