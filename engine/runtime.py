"""CaseEngine: the one entry point for changing cases, each action one database transaction.

Every action takes the case's row lock, checks the actor's permission (engine.permissions)
and the state under the lock, runs the workflow, and writes the workflow's changed tasks,
the case row, the human task rows and an audit entry in the same transaction. A failure
leaves nothing behind: the transaction rolls back and the in-memory workflow is thrown away.

CaseEngine only builds the action groups and hands each the context it declares
(docs/architecture.md, "How to add an action"); its methods and attributes are the API
web/, scheduler/ and bench/ call.
"""

from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from engine.actions import CaseActions, Completed
from engine.actor import Actor
from engine.appointment_book import AppointmentBook
from engine.appointments.service import AppointmentPolicy
from engine.attendance_book import AttendanceBook
from engine.calendar.service import CalendarCache
from engine.cases import service as cases
from engine.cases.models import Case
from engine.casework import CaseWork
from engine.catalogue_admin import CatalogueAdministration
from engine.center_admin import CenterAdministration
from engine.clock import Clock, SystemClock
from engine.clock_actions import ClockActions
from engine.context import EngineContext
from engine.db import make_engine, make_session_factory
from engine.deadlines.states import WarningPolicy
from engine.enquiry_book import EnquiryBook
from engine.leave_book import LeaveBook
from engine.ledger.book import LedgerBook
from engine.ledger.scores import ScoringPolicy
from engine.outbox.channels import NotifyPolicy
from engine.outbox.delivery import OutboxDeliveries
from engine.outbox_book import OutboxBook
from engine.posts.service import Posts
from engine.pre_application_desk import PreApplicationDesk
from engine.queries import CaseQueries
from engine.service_account_admin import ServiceAccountAdmin
from engine.setup import CenterSetup
from engine.staff_admin import StaffAdmin
from engine.staff_rules import StaffRules
from engine.supervision.policy import SupervisionPolicy
from engine.supervision.service import Supervision
from engine.taskfile import TaskListing
from engine.tasks.models import HumanTask
from engine.unit_scores import UnitScores
from engine.workflow.expressions import SafeScriptEngine
from engine.workflow.store import WorkflowCache, WorkflowStore
from engine.workflow.versions import SpecCache


def _as_date(value) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise ValueError(f"not a date: {value!r}")


class CaseEngine:
    def __init__(self, database: str | Engine, *, clock: Clock | None = None, case_number_prefix: str = "ZW",
                 workflow_cache_size: int = 256, calendar_ttl: float = 60.0, warnings: WarningPolicy | None = None,
                 scoring: ScoringPolicy | None = None, notify: NotifyPolicy | None = None,
                 supervision: SupervisionPolicy | None = None, appointments: AppointmentPolicy | None = None):
        self.db = make_engine(database) if isinstance(database, str) else database
        read_sessions = make_session_factory(self.db)
        self.clock = clock or SystemClock()
        self.calendar = CalendarCache(read_sessions, ttl=calendar_ttl)
        self.context = EngineContext(read_sessions, make_session_factory(self.db, write=True), self.clock,
                                     self.calendar)
        self.script_engine = SafeScriptEngine(self._expression_functions())
        self.specs = SpecCache(self.script_engine.environment, cases.INITIAL_DATA_KEYS)
        self.store = WorkflowStore()
        self.workflows = WorkflowCache(workflow_cache_size)
        self.warnings = warnings or WarningPolicy()
        self.notify = notify or NotifyPolicy()
        self.work = CaseWork(self.context, script_engine=self.script_engine, process_specs=self.specs,
                             store=self.store, workflows=self.workflows, warnings=self.warnings,
                             notify=self.notify)
        # The action groups: each is given what it declares, never the engine.
        self.ledger = LedgerBook(self.context, scoring)
        self.units = UnitScores(self.context, self.ledger)
        self.supervision = Supervision(self.context, supervision)
        self.posts = Posts(self.context)
        self.outbox = OutboxDeliveries(self.context, self.notify)
        self.outbox_book = OutboxBook(self.context, self.notify)
        self.attendance = AttendanceBook(self.context)
        self.leave = LeaveBook(self.context)
        self.enquiries = EnquiryBook(self.context, self.notify)
        self.staff_admin = StaffAdmin(self.context)
        self.staff_rules = StaffRules(self.context)
        self.setup = CenterSetup(self.work)
        self.catalogue_admin = CatalogueAdministration(self.context)
        self.center_admin = CenterAdministration(self.context, self.setup, self.ledger, self.attendance)
        self.queries = CaseQueries(self.work)
        self.case_number_prefix = case_number_prefix
        self.actions = CaseActions(self.work, self.supervision, case_number_prefix)
        self.clock_actions = ClockActions(self.work, self.actions)
        self.appointments = AppointmentBook(self.context, self.notify, self.actions, appointments)
        self.service_accounts = ServiceAccountAdmin(self.context)
        self.pre_applications = PreApplicationDesk(self.context, self.actions, self.warnings, self.notify)

    def _expression_functions(self) -> dict:
        """Calendar functions models may call; dates travel as ISO strings in task data."""
        def today():
            return self.clock.today().isoformat()

        def add_working_days(day, days):
            return self.calendar.get().add_working_days(_as_date(day), int(days)).day.isoformat()

        def subtract_working_days(day, days):
            return self.calendar.get().subtract_working_days(_as_date(day), int(days)).day.isoformat()

        def working_days_between(first, last):
            return self.calendar.get().working_days_between(_as_date(first), _as_date(last))

        def end_of_day(day):
            return f"{_as_date(day).isoformat()}T23:59:59+08:00"

        return {"today": today, "add_working_days": add_working_days,
                "subtract_working_days": subtract_working_days,
                "working_days_between": working_days_between, "end_of_day": end_of_day}

    def transaction(self):
        return self.context.transaction()

    def session(self):
        """A read-only session for queries."""
        return self.context.session()

    def reading_workflow(self, session, case: Case):
        return self.work.reading_workflow(session, case)

    # -- setting up a center (engine/setup.py) ---------------------------------------
    def deploy_processes(self, directory: Path | None = None) -> list:
        return self.setup.deploy_processes(directory)

    def seed_calendar(self) -> list[int]:
        return self.setup.seed_calendar()

    def import_calendar(self, text: str, source: str) -> tuple[int, int, int]:
        return self.setup.import_calendar(text, source)

    def load_catalogue(self, raw: dict) -> dict:
        return self.setup.load_catalogue(raw)

    def recompute_provisional_due_dates(self) -> int:
        return self.setup.recompute_provisional_due_dates()

    # -- moving cases (engine/actions.py, engine/clock_actions.py) -------------------
    def create_case(self, actor: Actor, item_code: str, applicant: dict, intake: dict,
                    idempotency_key: str | None = None, *, source=None, received_at=None) -> Case:
        return self.actions.create_case(actor, item_code, applicant, intake, idempotency_key, source=source,
                                        received_at=received_at)

    def complete_task(self, actor: Actor, task_id: str, form: dict) -> Case:
        return self.actions.complete_task(actor, task_id, form)

    def complete_and_answer(self, actor: Actor, task_id: str, form: dict) -> Completed:
        return self.actions.complete_and_answer(actor, task_id, form)

    def claim_task(self, actor: Actor, task_id: str) -> HumanTask:
        return self.actions.claim_task(actor, task_id)

    def unclaim_task(self, actor: Actor, task_id: str) -> HumanTask:
        return self.actions.unclaim_task(actor, task_id)

    def claim_and_answer(self, actor: Actor, task_id: str) -> TaskListing:
        return self.actions.claim_and_answer(actor, task_id)

    def unclaim_and_answer(self, actor: Actor, task_id: str) -> TaskListing:
        return self.actions.unclaim_and_answer(actor, task_id)

    def fire_due_timers(self, limit: int = 200) -> int:
        return self.actions.fire_due_timers(limit)

    def sweep_deadlines(self, limit: int = 1000) -> int:
        return self.actions.sweep_deadlines(limit)

    def suspend_clock(self, actor: Actor, case_number: str, kind, reason) -> Case:
        return self.clock_actions.suspend_clock(actor, case_number, kind, reason)

    def request_extension(self, actor: Actor, case_number: str, reason) -> Case:
        return self.clock_actions.request_extension(actor, case_number, reason)

    def end_suspension(self, actor: Actor, case_number: str, note) -> Case:
        return self.clock_actions.end_suspension(actor, case_number, note)

    # -- reading cases (engine/queries.py) -------------------------------------------
    def get_case(self, number: str) -> Case:
        return self.queries.get_case(number)

    def task_queue(self, actor: Actor, *, mine: bool = False) -> list[HumanTask]:
        return self.queries.task_queue(actor, mine=mine)

    def open_tasks(self, number: str) -> list[HumanTask]:
        return self.queries.open_tasks(number)

    def case_data(self, number: str) -> dict:
        return self.queries.case_data(number)

    def case_diagram(self, number: str) -> dict:
        return self.queries.case_diagram(number)

    def intake_form(self, item_code: str) -> tuple:
        return self.queries.intake_form(item_code)

    def case_history(self, number: str) -> list:
        return self.queries.case_history(number)
