"""Supervision (督查): ratings with their verification and rectification, complaints.

``CaseEngine.supervision``. Every action is one transaction with its audit entry; reads
return rows with the names a reader needs.
"""

from dataclasses import dataclass

from sqlalchemy import select

from engine.actor import SYSTEM, Actor
from engine.audit import service as audit
from engine.cases import service as cases
from engine.cases.models import Case
from engine.catalogue.models import Department
from engine.clock import CHINA_TZ
from engine.context import EngineContext
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.ledger.scores import Period, parse_period
from engine.permissions import in_back_office, may_contest_rating, require_supervisor, supervises
from engine.staff.models import Staff
from engine.staff.service import staff_names
from engine.supervision import applicant, complaints, ratings
from engine.supervision.models import (
    BAD_RATINGS,
    INVITED,
    PENDING,
    RECTIFYING,
    CaseRating,
    Complaint,
    RatingContest,
    Rectification,
)
from engine.supervision.policy import SupervisionPolicy

# Lists are for people to read; a longer backlog is worked off from the top.
LIST_LIMIT = 500
RATING_STATES = ("pending", "real", "not_real", "all")
CONTEST_STATES = ("filed", "upheld", "rejected", "all")
# The applicant rates from outside: his audit entries name no staff member.
APPLICANT_ACTOR = Actor(id=None, username="applicant", name="申请人", role="applicant")
RECTIFICATION_STATES = ("open", "overdue", "closed", "all")
COMPLAINT_STATES = ("open", "overdue", "unverified", "all")
CENTER_WINDOW_NAME = "综合窗口（中心）"  # the unit of a rectification with no department: ratings.CENTER_WINDOW


@dataclass(frozen=True)
class RatingLine:
    rating: CaseRating
    case_number: str
    department_name: str
    responsible_name: str | None
    verified_by: str | None
    rectification: Rectification | None


@dataclass(frozen=True)
class RectificationLine:
    rectification: Rectification
    case_number: str
    rating: str
    department_name: str
    closed_by: str | None
    overdue: bool
    working_days_late: int


@dataclass(frozen=True)
class ComplaintLine:
    complaint: Complaint
    case_number: str | None
    target_staff_name: str | None
    target_department_name: str | None
    registered_by: str
    replied_by: str | None
    verified_by: str | None
    reply_overdue: bool
    working_days_late: int


@dataclass(frozen=True)
class SatisfactionSheet:
    period: Period
    departments: list[tuple[str, ratings.Satisfaction]]  # (department name, figures keyed by its code)
    staff: list[tuple[str, ratings.Satisfaction]]  # (staff name, figures keyed by staff id)
    total: ratings.Satisfaction


def _period(value) -> Period:
    try:
        return parse_period(value)
    except ValueError:  # a well-formed year the calendar cannot hold, such as 0000
        raise InvalidInput(f"期间 '{str(value)[:20]}' 超出范围 (period '{str(value)[:20]}' is out of range)",
                           field="period") from None


def _state(value, states: tuple, field: str = "state") -> str:
    if value not in states:
        raise InvalidInput(f"{field} must be one of {', '.join(states)}", field=field,
                           details={"rule": "enum", "limit": list(states)})
    return value


class Supervision:
    def __init__(self, context: EngineContext, policy: SupervisionPolicy | None = None):
        self.context = context
        self.policy = policy or SupervisionPolicy()

    def _audit(self, session, actor: Actor, action: str, *, case: Case | None = None, detail: dict) -> None:
        status = case.status if case is not None else None
        audit.record(session, actor=actor, action=action, at=self.context.clock.now(),
                     case_id=case.id if case is not None else None, before_status=status, after_status=status,
                     detail=detail)

    # -- ratings -------------------------------------------------------------------------
    def rating_recorded(self, session, case: Case, actor: Actor, form: dict) -> None:
        """The case's rating step has just completed in ``session``: keep the rating; a bad one
        opens its verification in the same transaction. A step that invited the applicant to rate
        records nothing: his own rating, given before or after, is the case's."""
        if case.rating == INVITED:
            return
        applicant.check_unrated(session, case, field="rating")
        rating = ratings.record_rating(session, case, actor, form.get("rating_comment"), self.context.clock.now(),
                                       self.context.clock.today())
        self._opened(session, actor, case, rating)

    def _opened(self, session, actor: Actor, case: Case, rating: CaseRating) -> None:
        if rating.verification == PENDING:
            self._audit(session, actor, "rating_verification_open", case=case,
                        detail={"rating": rating.rating, "responsible_staff_id": rating.responsible_staff_id})

    def applicant_rating(self, case_number: str, level, comment) -> tuple[Case, CaseRating]:
        """The applicant's own rating (the web checked his token names ``case_number``): one per case."""
        with self.context.transaction() as session:
            case, rating = applicant.record(session, case_number, level, comment, self.context.clock.now(),
                                            self.context.clock.today())
            self._audit(session, APPLICANT_ACTOR, "rating_by_applicant", case=case, detail={"rating": rating.rating})
            self._opened(session, APPLICANT_ACTOR, case, rating)
            session.expunge(case)
            session.expunge(rating)
        return case, rating

    def close_unrated(self, limit: int = 200) -> int:
        """未评价: each delivered case unrated ``policy.rating_close_days`` after it, once, in its own transaction."""
        now, closed = self.context.clock.now(), 0
        with self.context.session() as session:
            due = applicant.lapsed_cases(session, now, self.policy.rating_close_days, limit)
        for case_id in due:
            with self.context.transaction() as session:
                rating = applicant.close_unrated(session, case_id, now, self.context.clock.today())
                if rating is not None:
                    audit.record(session, actor=SYSTEM, action="rating_closed", at=now, case_id=case_id,
                                 detail={"rating": rating.rating, "after_days": self.policy.rating_close_days})
                    closed += 1
        return closed

    def file_contest(self, actor: Actor, case_number, *, kind, reasons) -> RatingContest:
        with self.context.transaction() as session:
            case, contest = applicant.file_contest(session, actor, case_number, kind, reasons,
                                                   self.context.clock.now())
            self._audit(session, actor, "rating_contest", case=case, detail={"kind": contest.kind})
            session.expunge(contest)
        return contest

    def decide_contest(self, actor: Actor, case_number, *, verdict, reason) -> RatingContest:
        with self.context.transaction() as session:
            case, contest = applicant.decide_contest(session, actor, case_number, verdict, reason,
                                                     self.context.clock.now())
            self._audit(session, actor, "rating_contest_decide", case=case, detail={"verdict": contest.state})
            session.expunge(contest)
        return contest

    def contests(self, actor: Actor, state: str = "filed") -> list[tuple[RatingContest, str, str]]:
        """Contests with their case number and rating: supervisors see all, a chief his department's."""
        _state(state, CONTEST_STATES)
        if not supervises(actor) and not in_back_office(actor):
            raise Forbidden("只有督查人员和部门首席代表可以查看评价申诉 "
                            "(only supervisors and chief representatives see rating contests)", field="role")
        with self.context.session() as session:
            found = applicant.contests(session, None if state == "all" else state)
            for contest, _, _ in found:
                session.expunge(contest)
        if supervises(actor):
            return found
        return [line for line in found if line[0].department_code == actor.department_code]

    def contestable(self, actor: Actor) -> list[tuple[CaseRating, str]]:
        """The bad ratings the chief representative's department may still contest."""
        may_contest_rating(actor, actor.department_code).check()
        with self.context.session() as session:
            found = applicant.contestable(session, actor.department_code)
            for rating, _ in found:
                session.expunge(rating)
        return found

    def verify_rating(self, actor: Actor, case_number, *, verdict, reason, not_real_kind=None,
                      responsible_staff_id=None) -> RatingLine:
        with self.context.transaction() as session:
            case, rating, rectification = ratings.verify(
                session, actor, case_number, verdict=verdict, reason=reason, not_real_kind=not_real_kind,
                responsible_staff_id=responsible_staff_id, calendar=self.context.calendar.get(), policy=self.policy,
                now=self.context.clock.now(), today=self.context.clock.today())
            self._audit(session, actor, "rating_verify", case=case, detail={
                "verdict": rating.verification, "not_real_kind": rating.not_real_kind,
                "responsible_staff_id": rating.responsible_staff_id,
                "rectification_due_on": rectification.due_on.isoformat() if rectification else None})
        return self.rating(actor, case.number)

    def check_case_department(self, actor: Actor, case_number) -> None:
        """Refuse whoever may not close the case's rectification (before anything else is read)."""
        with self.context.session() as session:
            ratings.check_may_close(session, actor, cases.find_case(session, case_number))

    def close_rectification(self, actor: Actor, case_number, feedback) -> RectificationLine:
        with self.context.transaction() as session:
            case, rectification = ratings.close_rectification(session, actor, case_number, feedback,
                                                              self.context.clock.now())
            self._audit(session, actor, "rectification_close", case=case,
                        detail={"rectification": rectification.id, "due_on": rectification.due_on.isoformat()})
        return next(line for line in self.rectifications(actor, "all", case_number=case.number))

    def ratings(self, actor: Actor, state: str = "pending", period=None) -> list[RatingLine]:
        """Bad ratings by verification state (``period``: rated in it), most recent first."""
        require_supervisor(actor, "查看差评核实", "see the verification of ratings")
        _state(state, RATING_STATES)
        query = select(CaseRating).where(CaseRating.rating.in_(BAD_RATINGS))
        if state != "all":
            query = query.where(CaseRating.verification == state)
        if period is not None:
            period = _period(period)
            query = query.where(CaseRating.rated_on >= period.first, CaseRating.rated_on <= period.last)
        with self.context.session() as session:
            rows = list(session.scalars(query.order_by(CaseRating.rated_at.desc(), CaseRating.id.desc())
                                        .limit(LIST_LIMIT)))
            return self._rating_lines(session, rows)

    def rating(self, actor: Actor, case_number) -> RatingLine:
        """One case's rating with its verification (any rating, good ones too)."""
        require_supervisor(actor, "查看差评核实", "see the verification of ratings")
        with self.context.session() as session:
            case = cases.find_case(session, case_number)
            row = session.scalar(select(CaseRating).where(CaseRating.case_id == case.id))
            if row is None:
                raise NotFound(f"办件 {case.number} 尚无评价 (case {case.number} has not been rated)", field="case_number")
            return self._rating_lines(session, [row])[0]

    def handlers(self, case_numbers: list[str]) -> dict[str, list[Staff]]:
        """Who handled each case: whom a verified bad rating may be charged to."""
        with self.context.session() as session:
            numbers = dict(session.execute(select(Case.id, Case.number).where(Case.number.in_(case_numbers))).all())
            handled = ratings.handlers_of_cases(session, list(numbers))
            people = {row.id: row for row in session.scalars(
                select(Staff).where(Staff.id.in_(set().union(*handled.values()))))}
        return {numbers[case_id]: [people[staff_id] for staff_id in sorted(ids)] for case_id, ids in handled.items()}

    def _rating_lines(self, session, rows: list[CaseRating]) -> list[RatingLine]:
        names = staff_names(session, {row.responsible_staff_id for row in rows} | {row.verified_by_id for row in rows})
        numbers = dict(session.execute(select(Case.id, Case.number).where(Case.id.in_({r.case_id for r in rows}))).all())
        fixes = {fix.rating_id: fix for fix in session.scalars(
            select(Rectification).where(Rectification.rating_id.in_({row.id for row in rows})))}
        departments = _department_names(session)
        return [RatingLine(row, numbers[row.case_id], departments.get(row.department_code, row.department_code),
                           names.get(row.responsible_staff_id), names.get(row.verified_by_id), fixes.get(row.id))
                for row in rows]

    def rectifications(self, actor: Actor, state: str = "open", *, case_number: str | None = None
                       ) -> list[RectificationLine]:
        """Supervisors see every department's; a chief representative or approver their own."""
        _state(state, RECTIFICATION_STATES)
        today = self.context.clock.today()
        query = (select(Rectification, Case.number, CaseRating.rating)
                 .join(CaseRating, CaseRating.id == Rectification.rating_id).join(Case, Case.id == CaseRating.case_id))
        if in_back_office(actor):
            query = query.where(Rectification.department_code == actor.department_code)
        elif not supervises(actor):
            raise Forbidden("整改只由督查人员和相关部门查看 (rectifications are for supervisors and the departments)",
                            field="role")
        if state in ("open", "overdue"):
            query = query.where(Rectification.state == RECTIFYING)
        if state == "overdue":
            query = query.where(Rectification.due_on < today)
        if state == "closed":
            query = query.where(Rectification.state != RECTIFYING)
        if case_number is not None:
            query = query.where(Case.number == case_number)
        calendar = self.context.calendar.get()
        with self.context.session() as session:
            found = session.execute(query.order_by(Rectification.due_on, Rectification.id).limit(LIST_LIMIT)).all()
            names = staff_names(session, {fix.closed_by_id for fix, *_ in found})
            departments = _department_names(session)
        lines = []
        for fix, number, rating in found:
            finished = fix.closed_at.astimezone(CHINA_TZ).date() if fix.closed_at else today
            late = max(calendar.working_days_between(fix.due_on, finished), 0)
            unit = CENTER_WINDOW_NAME if fix.department_code is None else departments.get(fix.department_code,
                                                                                         fix.department_code)
            lines.append(RectificationLine(fix, number, rating, unit,
                                           names.get(fix.closed_by_id), fix.state == RECTIFYING and fix.due_on < today,
                                           late))
        return lines

    def satisfaction(self, actor: Actor, period) -> SatisfactionSheet:
        """满意度 per department and per responsible staff member for ratings given in ``period``."""
        require_supervisor(actor, "查看满意率", "see satisfaction rates")
        period = _period(period)
        with self.context.session() as session:
            by_department = ratings.satisfaction(session, period.first, period.last, CaseRating.department_code)
            by_staff = ratings.satisfaction(session, period.first, period.last, CaseRating.responsible_staff_id)
            departments = _department_names(session)
            names = staff_names(session, {row.key for row in by_staff})
        return SatisfactionSheet(
            period, sorted(((departments.get(row.key, row.key), row) for row in by_department), key=lambda p: p[1].key),
            sorted(((names.get(row.key, "—"), row) for row in by_staff), key=lambda pair: pair[1].key or 0),
            ratings.total(by_department))

    # -- complaints ----------------------------------------------------------------------
    def register_complaint(self, actor: Actor, **fields) -> ComplaintLine:
        with self.context.transaction() as session:
            complaint = complaints.register(session, actor, **fields, calendar=self.context.calendar.get(),
                                            policy=self.policy, now=self.context.clock.now(),
                                            today=self.context.clock.today())
            self._audit(session, actor, "complaint_register", detail=_complaint_detail(complaint))
        return self.complaint(actor, complaint.number)

    def reply_complaint(self, actor: Actor, number, reply) -> ComplaintLine:
        with self.context.transaction() as session:
            complaint = complaints.reply(session, actor, number, reply, self.context.clock.now())
            self._audit(session, actor, "complaint_reply", detail={
                **_complaint_detail(complaint), "late": complaint.reply_due_on < self.context.clock.today()})
        return self.complaint(actor, complaint.number)

    def verify_complaint(self, actor: Actor, number, *, verdict, reason) -> ComplaintLine:
        with self.context.transaction() as session:
            complaint = complaints.verify(session, actor, number, verdict, reason, self.context.clock.now(),
                                          self.context.clock.today())
            self._audit(session, actor, "complaint_verify", detail={**_complaint_detail(complaint),
                                                                    "verdict": complaint.verdict})
        return self.complaint(actor, complaint.number)

    def complaint(self, actor: Actor, number) -> ComplaintLine:
        require_supervisor(actor, "查看投诉", "see complaints")
        with self.context.session() as session:
            return self._complaint_lines(session, [complaints.find(session, number)])[0]

    def complaints(self, actor: Actor, state: str = "open") -> list[ComplaintLine]:
        """open: reply owed; overdue: reply owed past its due date (most overdue first); unverified:
        no verdict yet; all. Others newest first."""
        require_supervisor(actor, "查看投诉", "see complaints")
        _state(state, COMPLAINT_STATES)
        today = self.context.clock.today()
        with self.context.session() as session:
            if state == "overdue":
                return self._complaint_lines(session, complaints.overdue(session, today, LIST_LIMIT))
            query = select(Complaint)
            if state == "open":
                query = query.where(Complaint.replied_at.is_(None))
            elif state == "unverified":
                query = query.where(Complaint.verdict.is_(None))
            rows = session.scalars(query.order_by(Complaint.registered_at.desc(), Complaint.id.desc())
                                   .limit(LIST_LIMIT))
            return self._complaint_lines(session, list(rows))

    def overdue_complaints(self, actor: Actor) -> tuple[int, list[ComplaintLine]]:
        """How many replies are owed past their due date, and the most overdue of them."""
        require_supervisor(actor, "查看投诉", "see complaints")
        with self.context.session() as session:
            return complaints.overdue_count(session, self.context.clock.today()), self.complaints(actor, "overdue")

    def _complaint_lines(self, session, rows: list[Complaint]) -> list[ComplaintLine]:
        today, calendar = self.context.clock.today(), self.context.calendar.get()
        people = set()
        for row in rows:
            people |= {row.target_staff_id, row.registered_by_id, row.replied_by_id, row.verified_by_id}
        names = staff_names(session, people)
        departments = _department_names(session)
        numbers = dict(session.execute(select(Case.id, Case.number).where(
            Case.id.in_({row.case_id for row in rows} - {None}))).all())
        lines = []
        for row in rows:
            overdue = complaints.reply_overdue(row, today)
            lines.append(ComplaintLine(
                row, numbers.get(row.case_id), names.get(row.target_staff_id),
                departments.get(row.target_department_code), names.get(row.registered_by_id, "—"),
                names.get(row.replied_by_id), names.get(row.verified_by_id), overdue,
                calendar.working_days_between(row.reply_due_on, today) if overdue else 0))
        return lines


def _complaint_detail(complaint: Complaint) -> dict:
    return {"complaint": complaint.number, "target_staff_id": complaint.target_staff_id,
            "reply_due_on": complaint.reply_due_on.isoformat()}


def _department_names(session) -> dict[str, str]:
    return dict(session.execute(select(Department.code, Department.name)).all())

