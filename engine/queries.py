"""Reading cases: what pages and the API show, with the workflow where the case's tables do
not say it (its data, its diagram, the intake form). Nothing here changes a case."""

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.actor import Actor
from engine.audit import service as audit
from engine.cases import service as cases
from engine.cases.models import Case
from engine.casework import CaseWork
from engine.tasks import service as tasks
from engine.tasks.models import HumanTask
from engine.workflow.facts import case_facts
from engine.workflow.forms import resolve_options
from engine.workflow.models import ProcessVersion
from engine.workflow.versions import latest_version


def _is_current(task) -> bool:
    """A step someone works on now (a user task), or an event the case waits for (a timer);
    a gateway waiting for its other branches (e.g. the commitment join) is no step."""
    if task.task_spec.manual:
        return task.state in (TaskState.READY, TaskState.STARTED)
    return task.state == TaskState.WAITING and getattr(task.task_spec, "event_definition", None) is not None


class CaseQueries:
    def __init__(self, work: CaseWork):
        self.work = work
        self.session, self.reading_workflow = work.context.session, work.reading_workflow

    def get_case(self, number: str) -> Case:
        with self.session() as session:
            return cases.find_case(session, number)

    def task_queue(self, actor: Actor, *, mine: bool = False) -> list[HumanTask]:
        with self.session() as session:
            return tasks.queue(session, actor, mine=mine)

    def open_tasks(self, number: str) -> list[HumanTask]:
        with self.session() as session:
            rows = list(session.scalars(select(HumanTask).join(Case, Case.id == HumanTask.case_id)
                                        .where(Case.number == number, HumanTask.state == "open")))
            if not rows:
                cases.find_case(session, number)  # an unknown number is an error, not "no tasks"
            return rows

    def case_data(self, number: str) -> dict:
        """The case's current process data (what its open step sees), e.g. to print a notice."""
        with self.session() as session:
            case = cases.find_case(session, number)
            with self.reading_workflow(session, case) as (_definition, workflow):
                return case_facts(workflow)

    def case_diagram(self, number: str) -> dict:
        """The case's BPMN (of the version it runs on) and which elements are done or current."""
        with self.session() as session:
            case = cases.find_case(session, number)
            version = session.get(ProcessVersion, case.process_version_id)
            done, current = set(), set()
            with self.reading_workflow(session, case) as (_definition, workflow):
                for task in workflow.get_tasks():
                    bpmn_id = task.task_spec.bpmn_id
                    if bpmn_id is None:
                        continue
                    if task.state == TaskState.COMPLETED:
                        done.add(bpmn_id)
                    elif _is_current(task):
                        current.add(bpmn_id)
        bpmn = next(text for name, text in version.files.items() if name.endswith(".bpmn"))
        return {"process_id": version.process_id, "version": version.version, "bpmn": bpmn,
                "completed": sorted(done - current), "current": sorted(current)}

    def intake_form(self, item_code: str) -> tuple:
        """(item, intake form with its choices resolved, the data it is filled against) for a new application."""
        with self.session() as session:
            item = cases.get_item(session, item_code)
            definition = self.work.specs.get(session, latest_version(session, item.process_id).id)
            _workflow, task, meta = self.work.first_step(definition, item, self.work.clock.today())
            data = dict(task.data)
            item.materials, item.co_departments  # noqa: B018 — loaded now, read after the session closes
            return item, resolve_options(definition.forms[meta.form], data), data

    def case_history(self, number: str) -> list:
        with self.session() as session:
            case = cases.find_case(session, number)
            return audit.case_history(session, case.id)
