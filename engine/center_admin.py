"""The administrator's calendar, process versions, scoring rules and working hours: the same engine
calls as `onewindow calendar import`, `process deploy`, `ledger rules` and `attendance hours`, each
one transaction with its audit entry, gated by ``permissions.may_administer``."""

import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePath

from sqlalchemy import func, select

from engine.actor import Actor
from engine.attendance.service import Schedule
from engine.attendance_book import AttendanceBook
from engine.audit import service as audit
from engine.calendar import service as calendar_service
from engine.calendar.models import CalendarDay, CalendarYear
from engine.cases.models import Case
from engine.context import EngineContext
from engine.errors import InvalidInput, NotFound
from engine.ledger.book import LedgerBook
from engine.ledger.models import LedgerRule, LedgerRuleSet
from engine.permissions import may_administer
from engine.setup import CenterSetup
from engine.workflow.model_checks import MAX_FILE_BYTES
from engine.workflow.models import ProcessVersion

# From November the next year's official schedule is due (the State Council publishes it late in the year).
OUTLOOK_MONTH = 11
PROCESS_SUFFIXES = (".bpmn", ".dmn", ".json")
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class CalendarYearView:
    year: int
    known: bool
    source: str | None
    imported_at: datetime | None
    days: list[CalendarDay]


@dataclass(frozen=True)
class CalendarOutlook:
    """From November, whether next year is unknown, and the open cases whose due dates are provisional."""

    next_year: int
    next_year_known: bool
    warn: bool
    provisional_cases: list[Case]


@dataclass(frozen=True)
class VersionLine:
    version: ProcessVersion
    open_cases: int
    latest: bool


class CenterAdministration:
    def __init__(self, context: EngineContext, setup: CenterSetup, ledger: LedgerBook, attendance: AttendanceBook):
        self.context, self.setup, self.ledger, self.attendance = context, setup, ledger, attendance

    # -- the calendar -------------------------------------------------------------------
    def calendar_year(self, year: int) -> CalendarYearView:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidInput(f"日历只含 {FIRST_YEAR} 至 {LAST_YEAR} 年，不含 {year} 年 "
                               f"(the calendar covers {FIRST_YEAR} to {LAST_YEAR}, not {year})", field="year")
        with self.context.session() as session:
            known = session.get(CalendarYear, year)
            days = list(session.scalars(select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1),
                                                                  CalendarDay.day <= date(year, 12, 31))
                                        .order_by(CalendarDay.day)))
            return CalendarYearView(year, known is not None, known and known.source, known and known.imported_at,
                                    days)

    def calendar_years(self) -> list[int]:
        with self.context.session() as session:
            return list(session.scalars(select(CalendarYear.year).order_by(CalendarYear.year)))

    def outlook(self) -> CalendarOutlook:
        today = self.context.clock.today()
        with self.context.session() as session:
            known = session.get(CalendarYear, today.year + 1) is not None
            provisional = list(session.scalars(select(Case).where(Case.due_provisional.is_(True),
                                                                  Case.closed_at.is_(None))
                                               .order_by(Case.due_date, Case.number)))
        return CalendarOutlook(today.year + 1, known, today.month >= OUTLOOK_MONTH and not known, provisional)

    def preview_calendar(self, text: str) -> tuple[int, list[calendar_service.DayChange]]:
        """What importing the schedule would change; nothing is written (so anyone who may import may look)."""
        with self.context.session() as session:
            return calendar_service.schedule_changes(session, text)

    def import_calendar(self, actor: Actor, text: str, source: str) -> tuple[int, int, int]:
        may_administer(actor).check()
        source = (source or "").strip()
        if not 1 <= len(source) <= 200:
            raise InvalidInput("请填写日程所依据的正式通知，1 至 200 个字 "
                               "(name the official notice the schedule comes from, 1 to 200 characters)",
                               field="source")
        return self.setup.import_calendar(text, source, actor)

    def correct_day(self, actor: Actor, day: date, kind: str, name: str) -> calendar_service.DayChange:
        may_administer(actor).check()
        with self.context.transaction() as session:
            change = calendar_service.correct_day(session, day, kind, name)
            audit.record(session, actor=actor, action="calendar_correct", at=self.context.clock.now(),
                         detail={"day": day.isoformat(), "before": change.before, "after": change.after,
                                 "name": change.after_name})
        self.context.calendar.invalidate()
        return change

    # -- process versions ---------------------------------------------------------------
    def process_versions(self) -> list[VersionLine]:
        with self.context.session() as session:
            counts = dict(session.execute(select(Case.process_version_id, func.count()).where(
                Case.closed_at.is_(None)).group_by(Case.process_version_id)).all())
            versions = list(session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id,
                                                                             ProcessVersion.version.desc())))
        latest = {}
        for version in versions:
            latest.setdefault(version.process_id, version.id)
        return [VersionLine(version, counts.get(version.id, 0), latest[version.process_id] == version.id)
                for version in versions]

    def process_version(self, version_id: int) -> ProcessVersion:
        with self.context.session() as session:
            version = session.get(ProcessVersion, version_id)
            if version is None:
                raise NotFound(f"未找到流程版本 {version_id} (no process version {version_id})", field="version_id")
            return version

    def deploy_upload(self, actor: Actor, files: dict[str, bytes]) -> list[ProcessVersion]:
        """Deploy an uploaded bundle (.bpmn, .dmn, forms as .json) through `onewindow process deploy`'s checks."""
        may_administer(actor).check()
        if not files:
            raise InvalidInput("请至少上传一个 .bpmn 文件 (upload at least one .bpmn file)", field="files")
        with tempfile.TemporaryDirectory(prefix="onewindow-deploy-") as folder:
            (Path(folder) / "forms").mkdir()
            for filename, data in files.items():
                name = PurePath((filename or "").replace("\\", "/")).name
                suffix = PurePath(name).suffix.lower()
                if suffix not in PROCESS_SUFFIXES or name.startswith("."):
                    raise InvalidInput(f"{name or '?'}：只接受 .bpmn、.dmn 和表单 .json 文件 "
                                       f"({name or '?'}: only .bpmn, .dmn and form .json files)", field="files")
                if len(data) > MAX_FILE_BYTES:
                    raise InvalidInput(f"{name}：超过 {MAX_FILE_BYTES // 1024} KiB ({name}: larger than {MAX_FILE_BYTES // 1024} KiB)",
                                       field="files")
                # Forms sit in forms/, as in the repository's processes/ folder.
                (Path(folder) / ("forms" if suffix == ".json" else "") / name).write_bytes(data)
            return self.setup.deploy_processes(Path(folder), actor)

    # -- scoring rules ------------------------------------------------------------------
    def scoring_rules(self) -> tuple[list[LedgerRule], list[LedgerRuleSet]]:
        with self.context.session() as session:
            rules = list(session.scalars(select(LedgerRule).order_by(LedgerRule.active.desc(), LedgerRule.code)))
            sets = list(session.scalars(select(LedgerRuleSet).order_by(LedgerRuleSet.version.desc())))
            return rules, sets

    def load_rules(self, actor: Actor, raw: dict) -> list[dict]:
        may_administer(actor).check()
        return self.ledger.load_rules(raw, actor)

    # -- working hours (作息时间) ---------------------------------------------------------
    def working_hours(self) -> Schedule:
        return self.attendance.hours()

    def save_working_hours(self, actor: Actor, season, fields: dict) -> Schedule:
        may_administer(actor).check()
        return self.attendance.save_hours(actor, season, fields)
