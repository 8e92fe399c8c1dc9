"""The resumable driver bench/crash.py kills: a small service center on the public CaseEngine actions.

    python bench/crash_driver.py URL --cases N [--seed S]

It resumes from the last moment its database saw (never earlier) and works hour by hour:
applicants arrive until N cases exist, clerks and approvers act on open tasks, timers fire
and deadlines are swept as the clock passes them (some notices and corrections never come,
so their timers decide). It prints every commit it was told of, one line each, flushed:
``committed <case number>``, ``claimed <task id> <username>``, ``completed <task id> <username>``;
``resumed <moment>`` when it starts and ``finished <cases>`` when every case is closed.
(``onewindow simulate`` cannot do this: it refuses a database that already holds cases.)
"""

import argparse
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from engine.audit.models import AuditEntry  # noqa: E402
from engine.cases.models import Case  # noqa: E402
from engine.catalogue.models import ServiceItem  # noqa: E402
from engine.clock import SimulatedClock, local_datetime  # noqa: E402
from engine.runtime import CaseEngine  # noqa: E402
from engine.simulation import forms, people  # noqa: E402
from engine.staff.models import Staff  # noqa: E402
from engine.staff.service import actor_for  # noqa: E402

START = local_datetime(date(2026, 11, 2), 9)  # the first morning on an empty database
# Chance per working hour that an open task of each step is acted on.
ACT = {"issue_notice": 0.7, "await_correction": 0.3, "window_decision": 0.8, "review": 0.4, "window_pickup": 0.5,
       "postal_dispatch": 0.6, "rating": 0.8}


def say(*words) -> None:
    print(*words, flush=True)


@dataclass
class Center:
    engine: CaseEngine
    target: int
    rng: random.Random
    clerks: list = field(default_factory=list)
    deciders: dict = field(default_factory=dict)
    items: list = field(default_factory=list)

    def load(self) -> None:
        with self.engine.session() as session:
            for staff in session.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.id)):
                actor = actor_for(staff)
                if actor.role == "clerk":
                    self.clerks.append(actor)
                elif actor.role in ("approver", "chief"):
                    self.deciders.setdefault(actor.department_code, []).append(actor)
            self.items = list(session.scalars(select(ServiceItem).where(ServiceItem.active.is_(True))
                                              .order_by(ServiceItem.code)))
            for item in self.items:
                item.materials  # noqa: B018 — loaded now, read after the session closes

    def counts(self) -> tuple[int, int]:
        with self.engine.session() as session:
            return (session.scalar(select(func.count()).select_from(Case)),
                    session.scalar(select(func.count()).select_from(Case).where(Case.closed_at.is_(None))))

    def run(self) -> None:
        while True:
            created, still_open = self.counts()
            if created >= self.target and not still_open:
                say("finished", created)
                return
            self.next_hour(idle=created >= self.target)
            while self.engine.fire_due_timers() or self.engine.sweep_deadlines():
                pass  # what the scheduler does as time passes
            for _ in range(min(self.rng.randint(0, 4), self.target - created)):
                item = self.rng.choice(self.items)
                case = self.engine.create_case(self.rng.choice(self.clerks), item.code, people.applicant(self.rng),
                                               self.intake(item))
                say("committed", case.number)
            self.work()

    def next_hour(self, idle: bool) -> None:
        """The next working hour; with nothing left to arrive, no earlier than the next timer."""
        clock, calendar = self.engine.clock, self.engine.calendar.get()
        moment = clock.now() + timedelta(hours=1)
        if idle:
            with self.engine.session() as session:
                timer = session.scalar(select(func.min(Case.next_timer_at)).where(Case.closed_at.is_(None)))
            moment = max(moment, timer or moment)
        local = moment.astimezone(START.tzinfo)
        day = local.date() if local.hour < 17 else local.date() + timedelta(days=1)
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        clock.set(max(moment, local_datetime(day, 9)) if day == local.date() else local_datetime(day, 9))

    def work(self) -> None:
        for task in self.engine.task_queue(self.clerks[0]):
            # Some notices and corrections never come: their timers decide (deemed acceptance, withdrawal).
            never = task.bpmn_id in ("issue_notice", "await_correction") and int(task.id[:8], 16) % 10 == 0
            if not never and self.rng.random() < ACT.get(task.bpmn_id, 0.5):
                self.complete(self.rng.choice(self.clerks), task)
        for people_of_department in self.deciders.values():
            for task in self.engine.task_queue(people_of_department[-1]):
                if task.assignee_id is None and self.rng.random() < 0.6:
                    actor = self.rng.choice(people_of_department)
                    self.engine.claim_task(actor, task.id)
                    say("claimed", task.id, actor.username)
                elif task.assignee_id is not None and self.rng.random() < ACT["review"]:
                    self.complete(next(p for p in people_of_department if p.id == task.assignee_id), task)

    def complete(self, actor, task) -> None:
        self.engine.complete_task(actor, task.id, self.form(task))
        say("completed", task.id, actor.username)

    def intake(self, item) -> dict:
        mandatory = [m.code for m in item.materials if m.mandatory]
        received = mandatory[:-1] if self.rng.random() < 0.3 else mandatory
        post = "post" in item.delivery_options and self.rng.random() < 0.3
        form = {"received_materials": received, "material_defects": [], "acceptable": self.rng.random() > 0.03,
                "delivery_method": "post" if post else item.delivery_options[0]}
        if not form["acceptable"]:
            form["rejection_reasons"] = "申请事项依法不需要取得行政许可"
        if post:
            form["postal_address"] = {"recipient": "张三", "phone": "13800138000", "address": "示范市人民路1号",
                                      "region": "same_city"}
        return form

    def form(self, task) -> dict:
        with self.engine.session() as session:
            case = session.get(Case, task.case_id)
            item = session.get(ServiceItem, case.item_code)
            mandatory = [m.code for m in item.materials if m.mandatory]
            fields = self.engine.specs.get(session, case.process_version_id).forms[task.form].get("properties", {})
        return forms.task_form(forms.kind_of(fields, task.role), self.rng, mandatory_materials=mandatory, recipient="张三",
                               approve_share=0.9, withdraw_share=0.05, short_share=0.0,
                               today=self.engine.clock.today().isoformat())


def drive(url: str, target: int, seed: int) -> None:
    """The child: resume from the last moment the database saw (never earlier), run to the end."""
    probe = CaseEngine(url, clock=SimulatedClock(START))
    with probe.session() as session:
        last = session.scalar(select(func.max(AuditEntry.at)))
    probe.db.dispose()
    engine = CaseEngine(url, clock=SimulatedClock(max(last or START, START)))
    center = Center(engine, target, random.Random(f"{seed}:{engine.clock.now().isoformat()}"))
    center.load()
    say("resumed", engine.clock.now().isoformat())
    center.run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--cases", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    drive(args.url, args.cases, args.seed)


if __name__ == "__main__":
    main()
