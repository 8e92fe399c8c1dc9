"""Ratings (好差评), in the caller's transaction: every rating is kept with its case; a bad one
(不满意, 非常不满意) is verified by the supervisor; a real one opens a rectification (整改) and
reaches the scoring ledger exactly once.

谁办理、谁负责: a rating answers for whoever decided the case — the approver who claimed and
decided a 承诺件 or 联办件, the clerk who decided a 即办件 at the window — or, when nobody
decided it, the clerk who registered it. The supervisor may name another handler of the case.
The rectification goes to that person's unit: a window step's to the center's window (no
department; the center's supervisors close it), a back-office decision's to the department.

One incident, one charge: a verified bad rating (TD-07) and a verified complaint (TD-05) about
the same case and the same person are one incident, charged under one violation key, so
whichever is verified first is charged and the other is not charged again. A complaint about
another conduct is another incident: the supervisor records it in the ledger by hand.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.calendar.workdays import WorkCalendar
from engine.cases import service as cases
from engine.cases.models import Case
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.ledger import service as ledger
from engine.permissions import in_back_office, require_supervisor
from engine.staff.models import Staff
from engine.supervision.models import (
    BAD_RATINGS,
    GOOD_RATINGS,
    NOT_REAL,
    NOT_REAL_KINDS,
    NOT_REQUIRED,
    PENDING,
    REAL,
    RECTIFIED,
    RECTIFYING,
    CaseRating,
    Rectification,
)
from engine.supervision.policy import SupervisionPolicy
from engine.tasks.models import COMPLETED, HumanTask
from engine.validation import MAX_TEXT, is_id, text

LEDGER_TRIGGER = "verified_bad_rating"
VERDICTS = (REAL, NOT_REAL)
CENTER_WINDOW = None  # a rectification's unit when a window step is to blame: the center's own window


def incident_key(case_id: int, staff_id: int) -> str:
    """The ledger's violation key of one person's conduct in one case, shared by ratings and complaints."""
    return f"service_incident:{case_id}:{staff_id}"


def responsible_unit(session: Session, rating: CaseRating) -> str | None:
    """Whose rectification it is: the department of the person answering for the rating, the
    center's window for a window clerk (who belongs to no department), else the case's department."""
    staff = session.get(Staff, rating.responsible_staff_id) if rating.responsible_staff_id is not None else None
    if staff is None:
        return rating.department_code
    return staff.department_code if staff.department_code is not None else CENTER_WINDOW


def responsible_staff(session: Session, case: Case) -> int | None:
    """Who answers for the case (谁办理、谁负责): the staff member who completed the step that
    decided it (its task row closed in the decision's transaction), else the registering clerk."""
    if case.decided_at is not None:
        decider = session.scalar(
            select(HumanTask.completed_by_id)
            .where(HumanTask.case_id == case.id, HumanTask.state == COMPLETED, HumanTask.closed_at <= case.decided_at,
                   HumanTask.completed_by_id.is_not(None))
            .order_by(HumanTask.closed_at.desc()).limit(1))
        if decider is not None:
            return decider
    return case.created_by_id


def handlers_of_cases(session: Session, case_ids) -> dict[int, set[int]]:
    """Everyone who handled each case: its registering clerk and whoever completed one of its steps."""
    handled: dict[int, set[int]] = {case_id: set() for case_id in case_ids}
    rows = session.execute(
        select(Case.id, Case.created_by_id).where(Case.id.in_(handled), Case.created_by_id.is_not(None))
        .union(select(HumanTask.case_id, HumanTask.completed_by_id).where(
            HumanTask.case_id.in_(handled), HumanTask.state == COMPLETED, HumanTask.completed_by_id.is_not(None))))
    for case_id, staff_id in rows:
        handled[case_id].add(staff_id)
    return handled


def record_rating(session: Session, case: Case, actor: Actor, comment, now: datetime, today: date) -> CaseRating:
    """Keep the rating the case just received; a bad one waits for verification."""
    rating = CaseRating(case_id=case.id, rating=case.rating, comment=(comment or "").strip(), rated_at=now,
                        rated_on=today, entered_by_id=actor.id, department_code=case.department_code,
                        responsible_staff_id=responsible_staff(session, case),
                        verification=PENDING if case.rating in BAD_RATINGS else NOT_REQUIRED)
    session.add(rating)
    session.flush()
    return rating


def rating_of(session: Session, case: Case, *, lock: bool = False) -> CaseRating | None:
    """The case's one rating (locked for the caller's transaction with ``lock``), or None."""
    query = select(CaseRating).where(CaseRating.case_id == case.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def verify(session: Session, actor: Actor, case_number, *, verdict, reason, not_real_kind=None,
           responsible_staff_id=None, calendar: WorkCalendar, policy: SupervisionPolicy, now: datetime,
           today: date) -> tuple[Case, CaseRating, Rectification | None]:
    """The supervisor's verdict on a bad rating: real (a rectification opens, the ledger is charged
    once) or not real (mistaken or malicious, with the reason; it leaves the satisfaction rate)."""
    require_supervisor(actor, "核实差评", "verify ratings")
    case = cases.find_case(session, case_number)
    rating = rating_of(session, case, lock=True)
    if rating is None or rating.verification == NOT_REQUIRED:
        raise Conflict(f"办件 {case.number} 没有待核实的差评 (case {case.number} has no bad rating to verify)",
                       field="case_number")
    if rating.verification != PENDING:
        raise Conflict(f"办件 {case.number} 的评价已核实 (the rating of case {case.number} was verified already)",
                       field="case_number")
    if verdict not in VERDICTS:
        raise InvalidInput(f"verdict must be one of {', '.join(VERDICTS)}", field="verdict",
                           details={"rule": "enum", "limit": list(VERDICTS)})
    reason = text(reason, "reason")
    rectification = None
    if verdict == NOT_REAL:
        if not_real_kind not in NOT_REAL_KINDS:
            raise InvalidInput(f"not_real_kind must be one of {', '.join(NOT_REAL_KINDS)}", field="not_real_kind",
                               details={"rule": "enum", "limit": list(NOT_REAL_KINDS)})
        rating.not_real_kind = not_real_kind
    else:
        if not_real_kind is not None:
            raise InvalidInput("只有核实为不实的差评才填写不实差评类别 (not_real_kind is only for a rating that is not real)",
                               field="not_real_kind")
        if responsible_staff_id is not None:
            if not is_id(responsible_staff_id) or responsible_staff_id not in handlers_of_cases(session, [case.id])[case.id]:
                raise InvalidInput(f"人员 {responsible_staff_id} 未经办办件 {case.number} "
                                   f"(staff {responsible_staff_id} did not handle case {case.number})",
                                   field="responsible_staff_id")
            rating.responsible_staff_id = responsible_staff_id
        rectification = Rectification(rating_id=rating.id, department_code=responsible_unit(session, rating),
                                      opened_at=now,
                                      due_on=calendar.add_working_days(today, policy.rectification_days).day,
                                      state=RECTIFYING)
        session.add(rectification)
        if rating.responsible_staff_id is not None:
            ledger.record_automatic_rows(session, LEDGER_TRIGGER, [ledger.automatic_row(
                staff_id=rating.responsible_staff_id, violation_key=incident_key(case.id, rating.responsible_staff_id),
                occurred_on=today,
                case_id=case.id, now=now, evidence=f"办件 {case.number} 差评（{rating.rating}）经核实：{reason}")])
    rating.verification, rating.verdict_reason = verdict, reason
    rating.verified_by_id, rating.verified_at = actor.id, now
    session.flush()
    return case, rating, rectification


def _rectification_of(session: Session, case: Case, *, lock: bool) -> Rectification | None:
    query = select(Rectification).join(CaseRating, CaseRating.id == Rectification.rating_id).where(
        CaseRating.case_id == case.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def check_may_close(session: Session, actor: Actor, case: Case) -> None:
    """The unit a rectification is for closes it: the department's chief representative or approvers,
    the center's supervisors for the window's (a case without one is its department's)."""
    rectification = _rectification_of(session, case, lock=False)
    unit = rectification.department_code if rectification is not None else case.department_code
    if unit is CENTER_WINDOW:
        require_supervisor(actor, "办结窗口环节的整改", "close the rectification of a window step")
        return
    if not in_back_office(actor):
        raise Forbidden("只有本部门的首席代表或审批人员可以办结整改 "
                        "(only the department's chief representative or approvers close a rectification)",
                        field="role")
    if unit != actor.department_code:
        raise Forbidden(f"办件 {case.number} 的整改由 {unit} 负责 "
                        f"(the rectification of case {case.number} is for department {unit})", field="case_number")


def close_rectification(session: Session, actor: Actor, case_number, feedback, now: datetime) -> tuple[
        Case, Rectification]:
    """The responsible unit closes its rectification with feedback."""
    case = cases.find_case(session, case_number)
    check_may_close(session, actor, case)
    rectification = _rectification_of(session, case, lock=True)
    if rectification is None:
        raise NotFound(f"办件 {case.number} 没有整改 (case {case.number} has no rectification)", field="case_number")
    if rectification.state != RECTIFYING:
        raise Conflict(f"办件 {case.number} 的整改已办结 (the rectification of case {case.number} was closed already)",
                       field="case_number")
    rectification.feedback = text(feedback, "feedback", max_length=MAX_TEXT)
    rectification.state, rectification.closed_by_id, rectification.closed_at = RECTIFIED, actor.id, now
    session.flush()
    return case, rectification


@dataclass(frozen=True)
class Satisfaction:
    """满意度 of one department or staff member: good ratings among the counted ones.

    ``counted`` is every rating on the five-level scale (未评价 excluded) less the bad ratings
    verified as not real; ``rate`` is a percentage, None when nothing was counted.
    """

    key: str | int | None
    rated: int
    good: int
    bad: int
    excluded: int
    pending: int

    @property
    def counted(self) -> int:
        return self.rated - self.excluded

    @property
    def rate(self) -> float | None:
        return round(100 * self.good / self.counted, 1) if self.counted else None


def satisfaction(session: Session, first: date, last: date, group_by) -> list[Satisfaction]:
    """Per ``group_by`` (CaseRating.department_code or .responsible_staff_id), ratings given first..last."""
    tallies: dict = {}
    query = (select(group_by, CaseRating.rating, CaseRating.verification, func.count())
             .where(CaseRating.rated_on >= first, CaseRating.rated_on <= last,
                    CaseRating.rating.in_(GOOD_RATINGS + BAD_RATINGS))
             .group_by(group_by, CaseRating.rating, CaseRating.verification))
    for key, rating, verification, count in session.execute(query):
        tally = tallies.setdefault(key, {"rated": 0, "good": 0, "bad": 0, "excluded": 0, "pending": 0})
        tally["rated"] += count
        tally["good" if rating in GOOD_RATINGS else "bad"] += count
        tally["excluded"] += count if verification == NOT_REAL else 0
        tally["pending"] += count if verification == PENDING else 0
    return [Satisfaction(key, **tally) for key, tally in tallies.items()]


def total(rows: list[Satisfaction]) -> Satisfaction:
    return Satisfaction(None, *(sum(getattr(row, name) for row in rows)
                                for name in ("rated", "good", "bad", "excluded", "pending")))
