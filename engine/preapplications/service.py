"""Pre-application rows: the platform's post checked and stored once per platform id, the window's
list with the 5-working-day due date of 第32条, and the row locked for registration or rejection.

Posting is idempotent by ``platform_application_id``: the row is inserted with ON CONFLICT DO
NOTHING, so of two racing posts one inserts and the other (on PostgreSQL after waiting for the
first to commit) finds the row and compares the bodies' fingerprints: the same body is the same
answer, another body a conflict.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar.workdays import WorkCalendar
from engine.cases import service as cases
from engine.clock import CHINA_TZ
from engine.db import per_dialect
from engine.errors import Conflict, InvalidInput, NotFound
from engine.preapplications.models import PENDING, PreApplication
from engine.validation import control_character_problem, is_id

NOTICE_DAYS = 5  # 行政许可法 第32条: the one-time notice within five days of the receipt
FIELDS = ("platform_application_id", "item_code", "applicant", "materials", "submitted_at")
_PLATFORM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
# The platform forwards within minutes; a receipt older than this or ahead of our clock is a mistake.
OLDEST_RECEIPT, CLOCK_SKEW = timedelta(days=30), timedelta(minutes=5)
_INSERTS = per_dialect(lambda insert: insert(PreApplication).on_conflict_do_nothing().returning(PreApplication.id))
REASON_LENGTH = (5, 500)


@dataclass(frozen=True)
class Submission:
    platform_application_id: str
    item_code: str
    applicant: dict
    materials: list[str]
    received_at: datetime

    @property
    def fingerprint(self) -> str:
        body = json.dumps({"item_code": self.item_code, "applicant": self.applicant, "materials": self.materials,
                           "submitted_at": self.received_at.isoformat()}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _platform_id(value) -> str:
    if not isinstance(value, str) or not _PLATFORM_ID.match(value):
        raise InvalidInput("平台申请编号须为 1 至 64 个字母、数字或 . _ : - (platform_application_id must be 1 to 64 "
                           "letters, digits or . _ : -)", field="platform_application_id")
    return value


def _submitted_at(value, now: datetime) -> datetime:
    moment = None
    if isinstance(value, str) and 10 < len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput("平台收件时间须为带时区的 ISO 8601 时间，如 2026-11-23T09:30:00+08:00 (submitted_at must be an "
                           "ISO 8601 time with its offset, e.g. 2026-11-23T09:30:00+08:00)", field="submitted_at")
    if moment > now + CLOCK_SKEW:
        raise InvalidInput("平台收件时间不能晚于当前时间 (submitted_at is in the future)", field="submitted_at")
    if moment < now - OLDEST_RECEIPT:
        raise InvalidInput(f"平台收件时间早于 {OLDEST_RECEIPT.days} 天前，请核实 (submitted_at is more than "
                           f"{OLDEST_RECEIPT.days} days ago)", field="submitted_at")
    return moment


def _materials(value, item) -> list[str]:
    codes = {material.code for material in item.materials}
    if not isinstance(value, list) or len(value) > 50 or not all(isinstance(code, str) for code in value):
        raise InvalidInput("已提交材料须为材料编码的列表 (materials must be a list of material codes)", field="materials")
    unknown = [code for code in value if code not in codes]
    if unknown:
        raise InvalidInput(f"已提交材料中有本事项没有的材料：{unknown[0][:30]} (materials: '{unknown[0][:30]}' is not a "
                           f"material of item {item.code})", field="materials")
    return sorted(set(value))


def check_submission(session: Session, body, now: datetime) -> Submission:
    """The platform's body checked field by field (the applicant by the window's own rule), or the refusal."""
    if not isinstance(body, dict):
        raise InvalidInput("请求内容须为 JSON 对象 (the body must be a JSON object)", field="body")
    extra = sorted(set(body) - set(FIELDS))
    if extra:
        raise InvalidInput(f"不认识的字段：{str(extra[0])[:40]} (unknown field)", field=str(extra[0])[:40])
    platform_id = _platform_id(body.get("platform_application_id"))
    item = cases.get_item(session, body.get("item_code"))
    applicant = cases.validate_applicant(body.get("applicant"))
    materials = _materials(body.get("materials"), item)
    return Submission(platform_id, item.code, applicant, materials, _submitted_at(body.get("submitted_at"), now))


def china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()


def store(session: Session, submission: Submission, account_id: int, now: datetime) -> tuple[PreApplication, bool]:
    """(the row, whether this post made it). The same id with another body is refused."""
    statement = _INSERTS[session.get_bind().dialect.name].values(
        platform_application_id=submission.platform_application_id, account_id=account_id,
        fingerprint=submission.fingerprint, item_code=submission.item_code, applicant=submission.applicant,
        materials=submission.materials, received_at=submission.received_at,
        received_on=china_day(submission.received_at), arrived_at=now, state=PENDING)
    inserted = session.execute(statement).scalar()
    row = session.scalar(select(PreApplication).where(
        PreApplication.platform_application_id == submission.platform_application_id))
    if inserted is None and row.fingerprint != submission.fingerprint:
        raise Conflict(f"平台申请编号 {submission.platform_application_id} 已以不同内容提交过 (platform_application_id "
                       f"{submission.platform_application_id} was already posted with another body)",
                       field="platform_application_id")
    return row, inserted is not None


def notice_due(calendar: WorkCalendar, row: PreApplication) -> date:
    """The last day for the one-time notice: 5 working days from the platform's receipt."""
    return calendar.add_working_days(row.received_on, NOTICE_DAYS).day


def lock(session: Session, pre_application_id, *, for_update: bool = True) -> PreApplication:
    """The pre-application under its row lock (``for_update``), or read as it is."""
    row = None
    if is_id(pre_application_id):
        statement = select(PreApplication).where(PreApplication.id == pre_application_id)
        if for_update:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        row = session.scalar(statement)
    if row is None:
        raise NotFound(f"未找到预申请 {str(pre_application_id)[:20]} (no pre-application {str(pre_application_id)[:20]})",
                       field="pre_application_id")
    return row


def check_pending(row: PreApplication) -> None:
    if row.state != PENDING:
        raise Conflict(f"预申请 {row.platform_application_id} 已处理，不能再次接件 (pre-application "
                       f"{row.platform_application_id} was already handled)", field="pre_application_id")


def check_reason(reason) -> str:
    low, high = REASON_LENGTH
    text = reason.strip() if isinstance(reason, str) else ""
    if not low <= len(text) <= high or control_character_problem(text) is not None:
        raise InvalidInput(f"退回理由须为 {low} 至 {high} 个字 (the reason must be {low} to {high} characters)",
                           field="reason")
    return text


def waiting(session: Session, limit: int = 500) -> list[PreApplication]:
    return list(session.scalars(select(PreApplication).where(PreApplication.state == PENDING)
                                .order_by(PreApplication.received_at, PreApplication.id).limit(limit)))


def recent_handled(session: Session, limit: int = 50) -> list[PreApplication]:
    return list(session.scalars(select(PreApplication).where(PreApplication.state != PENDING)
                                .order_by(PreApplication.handled_at.desc(), PreApplication.id.desc()).limit(limit)))
