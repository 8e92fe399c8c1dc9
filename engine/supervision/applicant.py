"""The applicant's own rating (好差评 by the notice's link or QR code), the invitation lapsing as 未评价,
and the department's contest of a bad rating (申诉复核), in the caller's transaction.

One rating per case: ``case_rating.case_id`` is unique, and every path checks for a rating under the
case's row lock before adding one, so the applicant's rating, the window's step and the closing sweep
never both record one. The rate (``ratings.satisfaction``) counts the applicant's rating as any other
and leaves out a rating marked not real, whether by the supervisor's verification or an upheld contest.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.cases import service as cases
from engine.cases.models import Case
from engine.errors import Conflict, InvalidInput, NotFound
from engine.permissions import may_contest_rating, require_supervisor
from engine.supervision.models import (
    APPLICANT,
    BAD_RATINGS,
    CLOSED,
    CONTEST_FILED,
    CONTEST_UPHELD,
    CONTEST_VERDICTS,
    LEVELS,
    NOT_RATED,
    NOT_REAL,
    NOT_REAL_KINDS,
    NOT_REQUIRED,
    PENDING,
    CaseRating,
    RatingContest,
)
from engine.supervision.ratings import rating_of, responsible_staff
from engine.validation import MAX_TEXT, optional_text, text

MAX_COMMENT = 500


def check_unrated(session: Session, case: Case, field: str = "token") -> None:
    """Refuse a second rating of a case (its row lock is held)."""
    rating = rating_of(session, case)
    if rating is None:
        return
    if rating.source == CLOSED:
        raise Conflict(f"办件 {case.number} 的评价期已结束，已记为未评价 "
                       f"(the rating of case {case.number} closed as not rated)", field=field)
    raise Conflict(f"办件 {case.number} 已评价，每件只能评价一次 (case {case.number} was rated already; "
                   "one rating per case)", field=field)


def record(session: Session, case_number: str, level, comment, now: datetime, today: date) -> tuple[
        Case, CaseRating]:
    """The applicant's rating of his accepted case, given with the token of its notice."""
    if level not in LEVELS:
        raise InvalidInput(f"评价须为 {'、'.join(LEVELS)} 之一 (level must be one of the five levels)", field="level",
                           details={"rule": "enum", "limit": list(LEVELS)})
    comment = optional_text(comment, "comment", max_length=MAX_COMMENT) or ""
    case = cases.find_case(session, case_number, lock=True)
    if case.accepted_at is None:
        raise Conflict(f"办件 {case.number} 尚未受理，不能评价 (case {case.number} is not accepted)", field="token")
    check_unrated(session, case)
    rating = CaseRating(case_id=case.id, rating=level, comment=comment, rated_at=now, rated_on=today,
                        entered_by_id=None, department_code=case.department_code,
                        responsible_staff_id=responsible_staff(session, case), source=APPLICANT,
                        verification=PENDING if level in BAD_RATINGS else NOT_REQUIRED)
    session.add(rating)
    session.flush()
    return case, rating


def lapsed_cases(session: Session, now: datetime, close_days: int, limit: int) -> list[int]:
    """Delivered cases whose result was handed over ``close_days`` ago or more, still without a rating."""
    rated = exists().where(CaseRating.case_id == Case.id)
    return list(session.scalars(select(Case.id).where(Case.delivered_at <= now - timedelta(days=close_days), ~rated)
                                .order_by(Case.delivered_at, Case.id).limit(limit)))


def close_unrated(session: Session, case_id: int, now: datetime, today: date) -> CaseRating | None:
    """Record 未评价 for the case unless it was rated meanwhile (its row lock taken first)."""
    case = cases.lock_case(session, case_id)
    if rating_of(session, case) is not None:
        return None
    rating = CaseRating(case_id=case.id, rating=NOT_RATED, comment="", rated_at=now, rated_on=today,
                        entered_by_id=None, department_code=case.department_code,
                        responsible_staff_id=responsible_staff(session, case), source=CLOSED,
                        verification=NOT_REQUIRED)
    session.add(rating)
    session.flush()
    return rating


def _locked_rating(session: Session, case: Case) -> CaseRating:
    rating = rating_of(session, case, lock=True)
    if rating is None:
        raise NotFound(f"办件 {case.number} 尚无评价 (case {case.number} has no rating)", field="case_number")
    return rating


def file_contest(session: Session, actor: Actor, case_number, kind, reasons, now: datetime) -> tuple[
        Case, RatingContest]:
    """The rated department's chief representative contests a bad rating still to be verified."""
    case = cases.find_case(session, case_number)
    may_contest_rating(actor, case.department_code).check()
    rating = _locked_rating(session, case)
    if rating.rating not in BAD_RATINGS:
        raise Conflict(f"只能对差评申诉 (only a bad rating is contested; case {case.number} was rated "
                       f"{'good' if rating.rating in LEVELS else 'not rated'})", field="case_number")
    if rating.verification != PENDING:
        raise Conflict(f"办件 {case.number} 的差评已核实，不能再申诉 "
                       f"(the bad rating of case {case.number} was verified already)", field="case_number")
    if session.scalar(select(RatingContest.id).where(RatingContest.rating_id == rating.id)) is not None:
        raise Conflict(f"办件 {case.number} 的差评已申诉过 (the rating of case {case.number} was contested already)",
                       field="case_number")
    if kind not in NOT_REAL_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(NOT_REAL_KINDS)}", field="kind",
                           details={"rule": "enum", "limit": list(NOT_REAL_KINDS)})
    contest = RatingContest(rating_id=rating.id, department_code=case.department_code, kind=kind,
                            reasons=text(reasons, "reasons", max_length=MAX_TEXT), filed_by_id=actor.id,
                            filed_at=now, state=CONTEST_FILED)
    session.add(contest)
    session.flush()
    return case, contest


def decide_contest(session: Session, actor: Actor, case_number, verdict, reason, now: datetime) -> tuple[
        Case, RatingContest]:
    """The supervisor's decision: upheld marks the rating not real (of the contest's kind), so it leaves
    the rates and needs no verification; rejected leaves it pending, to be verified as before."""
    require_supervisor(actor, "复核评价申诉", "decide a rating contest")
    case = cases.find_case(session, case_number)
    rating = _locked_rating(session, case)
    contest = session.scalar(select(RatingContest).where(RatingContest.rating_id == rating.id).with_for_update()
                             .execution_options(populate_existing=True))
    if contest is None:
        raise NotFound(f"办件 {case.number} 的评价没有申诉 (the rating of case {case.number} is not contested)",
                       field="case_number")
    if contest.state != CONTEST_FILED:
        raise Conflict(f"办件 {case.number} 的申诉已复核 (the contest of case {case.number} was decided already)",
                       field="case_number")
    if verdict not in CONTEST_VERDICTS:
        raise InvalidInput(f"verdict must be one of {', '.join(CONTEST_VERDICTS)}", field="verdict",
                           details={"rule": "enum", "limit": list(CONTEST_VERDICTS)})
    reason = text(reason, "reason", max_length=MAX_TEXT)
    contest.state, contest.decision_reason = verdict, reason
    contest.decided_by_id, contest.decided_at = actor.id, now
    if verdict == CONTEST_UPHELD:
        rating.verification, rating.not_real_kind, rating.verdict_reason = NOT_REAL, contest.kind, reason
        rating.verified_by_id, rating.verified_at = actor.id, now
    session.flush()
    return case, contest


def contests(session: Session, state: str | None) -> list[tuple[RatingContest, str, str]]:
    """Contests (with the case number and the rating), the oldest filed first."""
    query = (select(RatingContest, Case.number, CaseRating.rating)
             .join(CaseRating, CaseRating.id == RatingContest.rating_id).join(Case, Case.id == CaseRating.case_id))
    if state is not None:
        query = query.where(RatingContest.state == state)
    return [tuple(row) for row in session.execute(query.order_by(RatingContest.filed_at, RatingContest.id))]


def contestable(session: Session, department_code: str) -> list[tuple[CaseRating, str]]:
    """The department's bad ratings still to be verified and not contested yet (with the case number)."""
    contested = exists().where(RatingContest.rating_id == CaseRating.id)
    query = (select(CaseRating, Case.number).join(Case, Case.id == CaseRating.case_id)
             .where(CaseRating.department_code == department_code, CaseRating.verification == PENDING, ~contested)
             .order_by(CaseRating.rated_at, CaseRating.id))
    return [tuple(row) for row in session.execute(query)]
