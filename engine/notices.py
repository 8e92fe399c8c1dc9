"""The official notices a case is given and what each says (行政许可法 第32、42、45条).

Every notice stays printable as it was issued: 一次性告知书 (one per notice step the model
marks ``notified``, with the materials and the correction deadline of that round), 受理通知书,
不予受理通知书, 暂停计时告知书 (one per suspension) and 延期告知书 (one per decided request).
The decision documents (准予 / 不予行政许可决定书, 第38条) and their 送达回证 are stored as
issued (engine/decisions/); ``documents_given`` lists them with the notices.
The facts and the legal constants are composed here; pages only lay them out, in Chinese
whatever the reader's interface language, because a notice is an official document.
Nothing here changes a case.
"""

from dataclasses import dataclass
from datetime import date, datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine import casefile
from engine.audit import service as audit
from engine.cases.models import Case
from engine.catalogue.models import ServiceItem
from engine.clock import CHINA_TZ
from engine.clockstop.models import APPROVED
from engine.decisions import service as decisions
from engine.decisions.models import DecisionDocument
from engine.errors import NotFound
from engine.workflow.facts import case_facts
from engine.workflow.properties import PERMIT_GRANTED, PERMIT_REFUSED, properties_of

ACCEPTANCE, ONE_TIME_NOTICE, REJECTION = "acceptance", "one_time_notice", "rejection"
SUSPENSION, EXTENSION = "suspension", "extension"
INTAKE_NOTICES = (ACCEPTANCE, ONE_TIME_NOTICE, REJECTION)
KINDS = INTAKE_NOTICES + (SUSPENSION, EXTENSION)
DELIVERY_RECEIPT = "delivery_receipt"
DECISION_KINDS = (PERMIT_GRANTED, PERMIT_REFUSED, DELIVERY_RECEIPT)
TITLES = {ACCEPTANCE: "受理通知书", ONE_TIME_NOTICE: "一次性告知书", REJECTION: "不予受理通知书",
          SUSPENSION: "暂停计时告知书", EXTENSION: "延期告知书", PERMIT_GRANTED: "准予行政许可决定书",
          PERMIT_REFUSED: "不予行政许可决定书", DELIVERY_RECEIPT: "送达回证"}
# 第38条: the decision, its reasons and the applicant's remedies when refused; 第44条: the licence within ten days.
DECISION_LAWS = {PERMIT_GRANTED: "《中华人民共和国行政许可法》第三十八条第一款",
                 PERMIT_REFUSED: "《中华人民共和国行政许可法》第三十八条第二款"}
# The articles each notice rests on, and the time limits it tells the applicant.
INTAKE_LAW = "《中华人民共和国行政许可法》第三十二条"
EXTENSION_LAW = "《中华人民共和国行政许可法》第四十二条"
SUSPENSION_LAW = "《中华人民共和国行政许可法》第四十五条"
RECONSIDERATION_DAYS = 60  # 《行政复议法》第二十条
LITIGATION_MONTHS = 6  # 《行政诉讼法》第四十六条
NOTIFIED = "notified"  # the milestone of the model's step that issues a one-time notice
# A reason is set into the notice's sentence (因……，经本机关负责人批准): its own closing marks go.
TRAILING_MARKS = "。.，,；;：:！!？? \t\r\n"


@dataclass(frozen=True)
class NoticeMaterial:
    code: str
    name: str
    form: str
    count: int
    problem: str | None


@dataclass(frozen=True)
class Notice:
    """Everything a printed notice says; ``kind`` says which notice, ``index`` which of its kind (from 1)."""

    kind: str
    index: int
    title: str
    center_name: str
    case_number: str
    issued_on: date
    item_code: str
    item_name: str
    item_legal_basis: str
    department_name: str
    applicant_name: str
    received_on: date
    law: str
    accepted_on: date | None = None
    # 受理通知书
    deemed_accepted: bool = False
    promised_limit_days: int | None = None
    due_date: date | None = None
    due_provisional: bool = False
    result_name: str | None = None
    # 一次性告知书
    missing_materials: tuple[NoticeMaterial, ...] = ()
    defective_materials: tuple[NoticeMaterial, ...] = ()
    correction_deadline: date | None = None
    correction_deadline_final: bool = False
    correction_window_days: int | None = None
    notice_remarks: str | None = None
    # 不予受理通知书
    rejection_reasons: str | None = None
    reconsideration_days: int = RECONSIDERATION_DAYS
    litigation_months: int = LITIGATION_MONTHS
    # 暂停计时告知书, 延期告知书
    suspension: casefile.Suspension | None = None
    extension: casefile.Extension | None = None
    extension_cause: str | None = None  # the request's reason as it reads inside the sentence

    @property
    def final(self) -> bool:
        """False for a one-time notice printed before its step is confirmed."""
        return self.kind != ONE_TIME_NOTICE or self.correction_deadline_final


def as_cause(reason: str) -> str:
    """A reason as the clause after 因: without its closing punctuation, nor a leading 因 of its own."""
    cause = (reason or "").strip().rstrip(TRAILING_MARKS)
    return cause[1:] if cause.startswith("因") else cause


def _local_date(moment: datetime | None) -> date | None:
    return moment.astimezone(CHINA_TZ).date() if moment else None


def _materials(data: dict) -> tuple[tuple[NoticeMaterial, ...], tuple[NoticeMaterial, ...]]:
    """Every missing mandatory material and every defect the round's check found (all at once: 一次性)."""
    by_code = {m["code"]: m for m in data.get("materials") or []}

    def line(code: str, problem: str | None) -> NoticeMaterial:
        material = by_code.get(code, {"name": code, "form": "", "count": 0})
        return NoticeMaterial(code=code, name=material["name"], form=material["form"], count=material["count"],
                              problem=problem)
    missing = tuple(line(code, None) for code in data.get("missing_materials") or [])
    defective = tuple(line(defect["code"], defect["problem"]) for defect in data.get("material_defects") or [])
    return missing, defective


def _deadline(value) -> date | None:
    return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None


def _one_time_rounds(entries: list, workflow, engine) -> list[dict]:
    """Each one-time notice as issued (the model's ``notified`` steps, in order), then the one
    being printed now if that step is open. ``entries``: the case's audit trail."""
    issued_at = {entry.task_id: entry.at for entry in entries if entry.action == "complete"}
    rounds = []
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        if properties_of(task.task_spec).get("milestone") != NOTIFIED or str(task.id) not in issued_at:
            continue
        # The model computes the correction deadline in the step after the notice.
        after = [child.data.get("correction_deadline") for child in task.children
                 if child.state == TaskState.COMPLETED]
        rounds.append({"data": task.data, "issued_on": _local_date(issued_at[str(task.id)]),
                       "deadline": _deadline(next((value for value in after if value), None)), "final": True})
    rounds.sort(key=lambda found: found["issued_on"])
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        if properties_of(task.task_spec).get("milestone") == NOTIFIED:
            # Printed before the step is confirmed: the window runs from today, as the model will compute it.
            today, window = engine.clock.today(), task.data.get("correction_window_days")
            deadline = engine.calendar.get().add_working_days(today, int(window)).day if window is not None else None
            rounds.append({"data": task.data, "issued_on": today, "deadline": deadline, "final": False})
    return rounds


def case_notices(engine, case: Case, scope: str | None, center_name: str) -> list[Notice]:
    """Every notice ``case`` was given (and a one-time notice being printed), in the order issued.

    ``engine`` is the CaseEngine; ``scope`` the reader's opinion scope (engine.permissions.opinion_scope).
    """
    with engine.session() as session:
        records = casefile.back_office_records(session, case, scope)
        with engine.reading_workflow(session, case) as (_definition, workflow):
            return notices_of(session, engine, case, workflow, audit.case_history(session, case.id), records,
                              center_name)


def notices_of(session: Session, engine, case: Case, workflow, entries: list, records: casefile.BackOfficeRecords,
               center_name: str) -> list[Notice]:
    """The notices of ``case`` from what a reader of the whole case has already read in ``session``:
    its restored ``workflow``, its audit ``entries`` and its back-office ``records`` (read once for
    the case page and its notices)."""
    item = session.get(ServiceItem, case.item_code)
    facts = case_facts(workflow)
    rounds = _one_time_rounds(entries, workflow, engine)
    common = {"center_name": center_name, "case_number": case.number, "item_code": item.code,
              "item_name": item.name, "item_legal_basis": item.legal_basis,
              "department_name": item.department.name, "applicant_name": case.applicant_name,
              "received_on": case.received_on, "accepted_on": case.accepted_on}
    found = []
    for index, issued in enumerate(rounds, 1):
        missing, defective = _materials(issued["data"])
        found.append(Notice(**common, kind=ONE_TIME_NOTICE, index=index, title=TITLES[ONE_TIME_NOTICE],
                            law=INTAKE_LAW, issued_on=issued["issued_on"], missing_materials=missing,
                            defective_materials=defective, correction_deadline=issued["deadline"],
                            correction_deadline_final=issued["final"],
                            correction_window_days=issued["data"].get("correction_window_days"),
                            notice_remarks=issued["data"].get("notice_remarks") or None))
    if case.outcome == "not_accepted":
        rejected_on = facts.get("not_accepted_on")
        found.append(Notice(**common, kind=REJECTION, index=1, title=TITLES[REJECTION], law=INTAKE_LAW,
                            issued_on=date.fromisoformat(rejected_on) if rejected_on else _local_date(case.closed_at),
                            rejection_reasons=facts.get("rejection_reasons")))
    if case.accepted_on is not None:
        found.append(Notice(**common, kind=ACCEPTANCE, index=1, title=TITLES[ACCEPTANCE], law=INTAKE_LAW,
                            issued_on=_local_date(case.accepted_at) or case.accepted_on,
                            deemed_accepted=case.deemed_accepted, promised_limit_days=case.promised_limit_days,
                            due_date=case.due_date, due_provisional=case.due_provisional,
                            result_name=item.result_name))
    for index, suspension in enumerate(records.suspensions, 1):
        found.append(Notice(**common, kind=SUSPENSION, index=index, title=TITLES[SUSPENSION], law=SUSPENSION_LAW,
                            issued_on=suspension.started_on, suspension=suspension))
    for index, extension in enumerate(records.extensions, 1):
        if extension.decided_at is not None:
            found.append(Notice(**common, kind=EXTENSION, index=index, title=TITLES[EXTENSION], law=EXTENSION_LAW,
                                issued_on=_local_date(extension.decided_at), extension=extension,
                                extension_cause=as_cause(extension.reason) if extension.decision == APPROVED
                                else None))
    return sorted(found, key=lambda notice: notice.issued_on)


def notice_due(notices: list[Notice]) -> Notice | None:
    """The intake notice the applicant is owed at the window now: the last one issued, if any."""
    return next((notice for notice in reversed(notices) if notice.kind in INTAKE_NOTICES), None)


def one(notices: list[Notice], number: str, kind: str, index: int) -> Notice:
    """The ``index``-th (from 1) notice of ``kind``; NotFound when the case has none such."""
    for notice in notices:
        if notice.kind == kind and notice.index == index:
            return notice
    raise NotFound(f"此办件没有第 {index} 份{TITLES.get(kind, kind)} (case {number} "
                   f"has no {kind} notice number {index})", field="index")


@dataclass(frozen=True)
class Given:
    """One line of the list of what a case was given: a notice, a decision document or its 送达回证."""

    kind: str
    index: int
    title: str
    case_number: str
    number: str | None  # a decision document's 文号 (its 送达回证 names the document it served)
    issued_on: date
    final: bool = True  # False: a one-time notice being printed, its step not yet confirmed


def decision_document(session: Session, case: Case) -> DecisionDocument | None:
    """The case's decision document as issued (None before the decision)."""
    return decisions.document_of(session, case.id)


def documents_given(notices: list[Notice], document: DecisionDocument | None) -> list[Given]:
    """The notices, the decision document and its 送达回证 (once delivered), in the order issued."""
    found = [Given(notice.kind, notice.index, notice.title, notice.case_number, None, notice.issued_on, notice.final)
             for notice in notices]
    if document is not None:
        found.append(Given(document.kind, 1, TITLES[document.kind], document.case_number, document.number,
                           document.issued_on))
        if document.delivered_on is not None:
            found.append(Given(DELIVERY_RECEIPT, 1, TITLES[DELIVERY_RECEIPT], document.case_number, document.number,
                               document.delivered_on))
    return sorted(found, key=lambda given: given.issued_on)


def one_document(document: DecisionDocument | None, number: str, kind: str) -> DecisionDocument:
    """The decision document of ``kind`` (or the one its 送达回证 belongs to); NotFound when none such."""
    if document is not None and (kind == document.kind or (kind == DELIVERY_RECEIPT and document.delivered_on)):
        return document
    raise NotFound(f"此办件没有{TITLES.get(kind, kind)} (case {number} has no {kind})", field="kind")
