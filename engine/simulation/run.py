"""The simulated service center: arrivals, window work, back office, returns, timers.

Every action goes through :class:`engine.runtime.CaseEngine` on a simulated clock, so
the run exercises the same code, transactions and database as real use. Randomness is
seeded: the same settings give the same run.
"""

import random
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from tqdm import tqdm

from engine.cases.models import Case
from engine.catalogue.models import ServiceItem
from engine.clock import SimulatedClock, local_datetime
from engine.errors import Conflict
from engine.permissions import holds_role
from engine.roles import CHIEF, CLERK, DEPARTMENT_ROLES, DIRECTOR
from engine.simulation import forms, people, report
from engine.simulation.attendance import AttendancePlay
from engine.staff.models import Staff
from engine.staff.service import actor_for
from engine.tasks.models import OPEN, HumanTask
from engine.workflow.properties import CLOCK_STOPPABLE, RESUMED

NEVER = datetime.max.replace(tzinfo=local_datetime(date(2000, 1, 1)).tzinfo)


@dataclass
class Settings:
    days: int = 20
    cases_per_day: int = 60
    seed: int = 7
    start: date | None = None
    incomplete_share: float = 0.22
    not_acceptable_share: float = 0.03
    post_share: float = 0.3
    commitment_share: float = 0.08  # 容缺受理, where the item allows it
    suspension_share: float = 0.03  # 第45条: e.g. a site inspection before the decision
    extension_share: float = 0.02  # 第42条


class Simulation:
    def __init__(self, engine, clock: SimulatedClock, settings: Settings, write=print):
        self.engine, self.clock, self.settings, self.write = engine, clock, settings, write
        self.rng = random.Random(settings.seed)
        self.plans: dict[str, datetime] = {}
        self.finished: set[str] = set()
        self.form_fields: dict[tuple[int, str], frozenset] = {}
        with engine.session() as session:
            staff = [actor_for(row) for row in session.scalars(select(Staff).where(Staff.active.is_(True)))]
            self.items = {item.code: item for item in session.scalars(select(ServiceItem)
                                                                       .where(ServiceItem.active.is_(True)))}
        self.clerks = [actor for actor in staff if holds_role(actor, (CLERK,))]
        self.directors = [actor for actor in staff if holds_role(actor, (DIRECTOR,))]
        self.deciders: dict[str, list] = {}
        for actor in staff:
            if holds_role(actor, DEPARTMENT_ROLES):
                self.deciders.setdefault(actor.department_code, []).append(actor)
        if not self.clerks or not self.items:
            raise ValueError("the simulation needs a seeded center: clerks and service items")
        self.attendance = AttendancePlay(engine, settings.seed)
        # Immediate items are the bulk of a service hall's traffic.
        self.item_weights = [4 if item.case_type == "即办件" else 2 for item in self.items.values()]

    # -- time ------------------------------------------------------------------------
    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        moment = local_datetime(day, hour, minute)
        if moment > self.clock.now():
            self.clock.set(moment)
        return self.clock.now()

    def _working_days_later(self, days: int, hour: int) -> datetime:
        day = self.engine.calendar.get().add_working_days(self.clock.today(), days).day
        return local_datetime(day, hour, self.rng.randint(0, 59))

    def _tick(self) -> None:
        """What the scheduler does as time passes: timers, deadline states and overdue charges, attendance."""
        while self.engine.fire_due_timers():
            pass
        while self.engine.sweep_deadlines():
            pass
        self.engine.attendance.compute_due()

    # -- the run ---------------------------------------------------------------------
    def run(self) -> list[str]:
        start = self.settings.start or self.clock.today()
        self.clock.set(local_datetime(start, 0, 1))
        self.write(report.header())
        days = range(self.settings.days)
        progress = tqdm(days, unit="天", desc="模拟", disable=not sys.stderr.isatty(), leave=False)
        # Daily lines go above the progress bar when there is one.
        write = self.write if progress.disable else progress.write
        for offset in progress:
            day = start + timedelta(days=offset)
            self._day(day)
            with self.engine.session() as session:
                write(report.row(day, report.figures(session, day, day)))
        progress.close()
        last = start + timedelta(days=self.settings.days - 1)
        with self.engine.session() as session:
            return report.final_summary(session, start, last)

    def _day(self, day: date) -> None:
        self._at(day, 0, 1)
        self.attendance.import_yesterday()
        self._tick()
        if not self.engine.calendar.get().is_working_day(day):
            return
        self.attendance.start_of_day(day)
        self.attendance.morning(day)
        arrivals = max(0, round(self.rng.gauss(self.settings.cases_per_day, self.settings.cases_per_day * 0.1)))
        morning, afternoon = arrivals // 2, arrivals - arrivals // 2
        self._arrivals(day, morning, 9, 0, 11, 30)
        self._work(self._at(day, 11, 40))
        self._at(day, 14, 0)
        self._work(self.clock.now())
        self._arrivals(day, afternoon, 14, 10, 17, 0)
        self._work(self._at(day, 17, 10))
        self.attendance.evening()

    def _arrivals(self, day: date, count: int, hour: int, minute: int, end_hour: int, end_minute: int) -> None:
        first, last = local_datetime(day, hour, minute), local_datetime(day, end_hour, end_minute)
        span = (last - first).total_seconds()
        for moment in sorted(first + timedelta(seconds=self.rng.uniform(0, span)) for _ in range(count)):
            if moment > self.clock.now():
                self.clock.set(moment)
            number = self._new_application()
            self._serve_visit(number)

    # -- arrivals --------------------------------------------------------------------
    def _new_application(self) -> str:
        rng, settings = self.rng, self.settings
        item = rng.choices(list(self.items.values()), weights=self.item_weights)[0]
        mandatory = [m.code for m in item.materials if m.mandatory]
        optional = [m.code for m in item.materials if not m.mandatory]
        received = list(mandatory) + rng.sample(optional, k=rng.randint(0, len(optional)))
        defects = []
        roll = rng.random()
        if roll < settings.incomplete_share:
            for code in rng.sample(mandatory, k=min(len(mandatory), rng.choice((1, 1, 2)))):
                received.remove(code)
            if rng.random() < 0.2 and received:
                defects = [{"code": rng.choice(received), "problem": "复印件不清晰，需重新提供"}]
        acceptable = rng.random() >= settings.not_acceptable_share
        post = "post" in item.delivery_options and rng.random() < settings.post_share
        form = {"received_materials": received, "material_defects": defects, "acceptable": acceptable,
                "delivery_method": "post" if post else item.delivery_options[0]}
        owed = [m.code for m in item.materials if m.mandatory and m.commitment_allowed and m.code in received]
        if owed and not defects and rng.random() < settings.commitment_share:
            code = rng.choice(owed)
            received.remove(code)
            due = self.engine.calendar.get().add_working_days(self.clock.today(),
                                                              rng.randint(1, max(1, item.promised_limit_days)))
            form["committed_materials"] = [{"code": code, "due_on": due.day.isoformat()}]
        if not acceptable:
            form["rejection_reasons"] = "申请事项依法不需要取得行政许可，已告知申请人向有关部门备案"
        applicant = people.applicant(rng)
        if post:
            form["postal_address"] = {"recipient": applicant.get("contact_name") or applicant["name"],
                                      "phone": applicant["phone"], "address": applicant["address"],
                                      "region": rng.choice(("same_city", "same_city", "in_province", "out_of_province"))}
        case = self.engine.create_case(rng.choice(self.clerks), item.code, applicant, form)
        return case.number

    # -- work ------------------------------------------------------------------------
    def _open_tasks(self, number: str | None = None) -> list[tuple[HumanTask, Case]]:
        with self.engine.session() as session:
            statement = select(HumanTask, Case).join(Case, Case.id == HumanTask.case_id).where(HumanTask.state == OPEN)
            if number is not None:
                statement = statement.where(Case.number == number)
            return list(session.execute(statement.order_by(HumanTask.created_at)).all())

    def _serve_visit(self, number: str) -> None:
        """The applicant is at the window: do whatever is planned for now on this case."""
        acted = True
        while acted:
            acted = False
            for task, case in self._open_tasks(number):
                if self._plan(task, case) <= self.clock.now():
                    self._act(task, case)
                    acted = True

    def _work(self, now: datetime) -> None:
        for task, case in self._open_tasks():
            if task.id in self.finished:  # done meanwhile, while its applicant was at the window
                continue
            if self._plan(task, case) <= now:
                self._act(task, case)
                self._serve_visit(case.number)

    def _kind(self, task: HumanTask, case: Case) -> str:
        """What the task asks for, read from the fields of the form its model names."""
        key = (case.process_version_id, task.form)
        if key not in self.form_fields:
            with self.engine.session() as session:
                schema = self.engine.specs.get(session, case.process_version_id).forms[task.form]
            self.form_fields[key] = frozenset(schema.get("properties", {}))
        return forms.kind_of(self.form_fields[key], task.role)

    def _plan(self, task: HumanTask, case: Case) -> datetime:
        if task.id in self.plans:
            return self.plans[task.id]
        rng, now, kind = self.rng, self.clock.now(), self._kind(task, case)
        if kind == "notice":
            roll = rng.random()
            when = now if roll < 0.92 else self._working_days_later(rng.randint(1, 3), 11) if roll < 0.99 \
                else self._working_days_later(8, 11)
        elif kind == "correction":
            when = self._working_days_later(rng.randint(1, 8), 14) if rng.random() < 0.97 else NEVER
        elif kind in ("decision", "report"):
            promised = self.items[case.item_code].promised_limit_days
            days = max(0, round(promised * rng.triangular(0.15, 1.3, 0.55)))
            when = self._working_days_later(days, rng.choice((10, 16)))
        elif kind == "pickup" and case.case_type != "即办件":
            when = self._working_days_later(rng.randint(0, 3), 14)
        elif kind == "postal":
            when = self._working_days_later(rng.randint(0, 1), 16)
        elif kind == "countersign":
            when = self._working_days_later(rng.randint(1, self.items[case.item_code].co_review_days), 11)
        elif kind == "higher_result":
            when = self._working_days_later(rng.randint(3, 10), 15)
        elif kind == "resume":
            when = self._working_days_later(rng.randint(1, 5), 15)
        elif kind == "commitment":
            when = self._working_days_later(rng.randint(0, 3), 10) if rng.random() < 0.9 else NEVER
        elif kind == "delivery":
            # The carrier's tracking shows delivery; most parcels keep the T+1 / T+2 service level.
            when = self._working_days_later(1 if rng.random() < 0.93 else 2, 15)
        else:  # window decision, pickup of an immediate item, rating, answers: while the applicant waits
            when = now
        self.plans[task.id] = when
        return when

    def _stop_or_extend(self, actor, task: HumanTask, case: Case) -> bool:
        """Now and then the approver stops the clock or asks for an extension instead of deciding."""
        rng, settings = self.rng, self.settings
        if case.suspended_since is None and rng.random() < settings.suspension_share:
            self.engine.suspend_clock(actor, case.number, "现场勘察", "需到申请人经营场所现场勘察核实")
        elif not case.extended_days and rng.random() < settings.extension_share:
            try:
                self.engine.request_extension(actor, case.number, "案情复杂，需组织专家论证")
            except Conflict:  # one is already waiting for the chief representative
                return False
        else:
            return False
        self.plans[task.id] = self._working_days_later(rng.randint(1, 4), 16)
        return True

    def _act(self, task: HumanTask, case: Case) -> None:
        rng = self.rng
        self.plans.pop(task.id, None)
        if case.suspended_since is not None and task.role == "approver" and task.milestone != RESUMED:
            self.plans[task.id] = self._working_days_later(1, 10)  # the decision waits for the clock to run
            return
        if task.role == "approver" and task.assignee_id is not None:  # kept by whoever stopped the clock
            actor = next(person for person in self.deciders[task.department_code] if person.id == task.assignee_id)
        elif task.role == "approver":
            actor = rng.choice(self.deciders[task.department_code])
            self.engine.claim_task(actor, task.id)
            if task.clock == CLOCK_STOPPABLE and self._kind(task, case) == "decision" \
                    and self._stop_or_extend(actor, task, case):
                return
        elif task.role in ("chief", DIRECTOR):
            actor = self._approver_of(task)
        else:
            actor = rng.choice(self.clerks)
        self.engine.complete_task(actor, task.id, self._form(task, case))
        self.finished.add(task.id)

    def _approver_of(self, task: HumanTask):
        """The department's chief for his steps; the director for his, and for an approval the
        chief may not give because he asked for it or holds the case."""
        chiefs = [person for person in self.deciders.get(task.department_code, []) if holds_role(person, (CHIEF,))]
        candidates = (chiefs if task.role == "chief" else []) + self.directors
        return next(person for person in candidates if not task.is_party(person.id))

    def _form(self, task: HumanTask, case: Case) -> dict:
        item = self.items[case.item_code]
        return forms.task_form(self._kind(task, case), self.rng, mandatory_materials=[m.code for m in item.materials if m.mandatory],
                               recipient=case.applicant_contact or case.applicant_name,
                               applicant={"kind": case.applicant_kind, "name": case.applicant_name,
                                          "id_type": case.applicant_id_type, "id_number": case.applicant_id_number},
                               today=self.clock.today().isoformat())


def simulate(database_url: str, settings: Settings, write=print) -> list[str]:
    """Migrate and seed an empty database, run the simulation, return the final summary."""
    from sqlalchemy import func

    from engine.demo import seed_demo_center
    from engine.migrate import upgrade
    from engine.runtime import CaseEngine

    upgrade(database_url)
    start = settings.start or date.today()
    clock = SimulatedClock(local_datetime(start, 0, 1))
    engine = CaseEngine(database_url, clock=clock)
    try:
        with engine.session() as session:
            existing = session.scalar(select(func.count()).select_from(Case))
        if existing:
            raise ValueError(f"the database already holds {existing} cases; simulate into an empty one")
        seed_demo_center(engine)
        settings.start = start
        return Simulation(engine, clock, settings, write).run()
    finally:
        engine.db.dispose()
