"""Setting up a center: process versions, the calendar, the catalogue.

Each call is one transaction with its audit entry.
"""

from pathlib import Path

from sqlalchemy import select

from engine.actor import SYSTEM, Actor
from engine.audit import service as audit
from engine.calendar import service as calendar_service
from engine.cases import service as cases
from engine.cases.models import Case
from engine.casework import CaseWork
from engine.catalogue import loader as catalogue_loader
from engine.errors import ProcessDefinitionError
from engine.tasks.models import HumanTask
from engine.workflow.bundles import PROCESS_DIR, bundles_from_directory
from engine.workflow.versions import deploy_bundle, deployed_process_ids


class CenterSetup:
    def __init__(self, work: CaseWork):
        self.work, self.context, self.clock = work, work.context, work.clock

    def deploy_processes(self, directory: Path | None = None, actor: Actor = SYSTEM) -> list:
        """Deploy every process in ``directory``; returns the versions that were new."""
        bundles = bundles_from_directory(directory or PROCESS_DIR)
        if not bundles:
            raise ProcessDefinitionError(f"{directory or PROCESS_DIR} 中没有可执行的 BPMN 流程 "
                                         f"(no executable BPMN process in {directory or PROCESS_DIR})")
        with self.context.transaction() as session:
            deployed = [deploy_bundle(session, bundle, self.work.script_engine.environment,
                                            cases.INITIAL_DATA_KEYS, self.clock.now()) for bundle in bundles]
            for version in deployed:
                if version is not None:
                    audit.record(session, actor=actor, action="deploy", at=self.clock.now(),
                                 detail={"process_id": version.process_id, "version": version.version})
        return [version for version in deployed if version is not None]

    def seed_calendar(self) -> list[int]:
        with self.context.transaction() as session:
            years = calendar_service.seed_from_package(session, self.clock.now())
        self.context.calendar.invalidate()
        return years

    def import_calendar(self, text: str, source: str, actor: Actor = SYSTEM) -> tuple[int, int, int]:
        """Import a year's official schedule; returns (year, days, cases whose due date was firmed up)."""
        with self.context.transaction() as session:
            year, rows = calendar_service.import_schedule(session, text, source, self.clock.now())
            audit.record(session, actor=actor, action="calendar_import", at=self.clock.now(),
                         detail={"year": year, "days": rows, "source": source})
        self.context.calendar.invalidate()
        return year, rows, self.recompute_provisional_due_dates()

    def load_catalogue(self, raw: dict, actor: Actor = SYSTEM) -> dict:
        with self.context.transaction() as session:
            catalogue = catalogue_loader.load_catalogue(session, raw, deployed_process_ids(session),
                                                        saved_by=actor.username, now=self.clock.now())
            audit.record(session, actor=actor, action="catalogue_load", at=self.clock.now(),
                         detail={"items": len(catalogue["items"]), "departments": len(catalogue["departments"])})
        return catalogue

    def recompute_provisional_due_dates(self) -> int:
        """After a calendar import: recompute due dates that were computed for an unknown year."""
        calendar = self.context.calendar.get()
        with self.context.session() as session:
            ids = list(session.scalars(select(Case.id).where(Case.due_provisional.is_(True), Case.closed_at.is_(None))))
        for case_id in ids:
            with self.context.transaction() as session:
                case = cases.lock_case(session, case_id)
                before = case.due_date
                due = cases.compute_due(calendar, case)
                case.due_date, case.due_provisional = due.day, due.provisional
                case.updated_at = self.clock.now()
                definition, workflow, _snapshot = self.work.open_workflow(session, case)
                self.work.refresh_task_dues(case, definition, workflow, list(session.scalars(
                    select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.state == "open"))))
                audit.record(session, actor=SYSTEM, action="recompute_due", at=self.clock.now(), case_id=case.id,
                             before_status=case.status, after_status=case.status,
                             detail={"before": before.isoformat() if before else None, "after": due.day.isoformat(),
                                     "provisional": due.provisional})
        return len(ids)
