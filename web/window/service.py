"""What the window's pages and the cases API both do: the catalogue, registering an
application, a case with its materials and history, and the written notices it was given
(composed by engine.notices).

Every function that shows a case takes the signed-in actor and refuses a case the actor
may not see (engine.permissions); ID and phone numbers are shown as engine.masking says.
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import raiseload

from engine import casefile, masking, permissions
from engine import notices as notices_rules
from engine.actor import Actor
from engine.audit import service as audit
from engine.cases import service as cases
from engine.cases.models import Case
from engine.catalogue.models import Department, ServiceItem
from engine.errors import InvalidInput, NotFound
from engine.staff.service import name_known, staff_names
from engine.taskfile import TaskListing, queue_listings
from engine.tasks.models import HumanTask
from engine.workflow.facts import case_facts
from web.access import case_engine
from web.appointments.service import form_number

PAGE_SIZE = 50
LAST_PAGE = 10000
APPLICANT_FIELDS = ("kind", "name", "id_type", "id_number", "phone", "address", "contact_name", "email")
POSTAL_FIELDS = ("recipient", "phone", "address", "region")
MAX_COMMITMENT_ROWS = 20  # as the intake form's maxItems; more rows are not read


@dataclass(frozen=True)
class MaterialLine:
    """A material of the case's checklist as the clerk checked it."""

    code: str
    name: str
    mandatory: bool
    form: str
    count: int
    received: bool
    missing: bool
    defect: str | None


@dataclass(frozen=True)
class CaseView:
    case: Case
    item: ServiceItem
    department_name: str
    registered_by: str | None
    applicant: dict
    materials: list[MaterialLine]
    delivery_method: str | None
    postal_address: dict | None
    open_tasks: list[HumanTask]
    history: list[casefile.HistoryEntry]
    notice: str | None  # the kind of the notice owed now
    notices: list[notices_rules.Notice]  # every notice given, each printable as issued
    given: list[notices_rules.Given]  # the notices, the decision document and its 送达回证, in the order issued
    records: casefile.BackOfficeRecords


def parse_page(value) -> int:
    """A page number from a query string: 1 when absent, else a whole number 1..10000."""
    if value is None or value == "":
        return 1
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        page = int(value)
        if 1 <= page <= LAST_PAGE:
            return page
    raise InvalidInput(f"页码须为 1-{LAST_PAGE} 的整数 (page must be a whole number from 1 to {LAST_PAGE})",
                       field="page")


def catalogue() -> list[tuple[Department, list[ServiceItem]]]:
    with case_engine().session() as session:
        return casefile.catalogue(session)


def item_names() -> dict[str, str]:
    with case_engine().session() as session:
        return casefile.item_names(session)


def intake_form(item_code: str) -> tuple[ServiceItem, dict]:
    """The item with its materials, and its intake form (JSON Schema, choices filled in)."""
    item, schema, _data = case_engine().intake_form(item_code)
    return item, schema


def postal_regions(schema: dict) -> list[str]:
    """The 寄达范围 choices the intake form allows (none: the form takes no postal address)."""
    postal = schema.get("properties", {}).get("postal_address", {})
    return list(postal.get("properties", {}).get("region", {}).get("enum", []))


def window_queue(actor: Actor) -> list[TaskListing]:
    """The window's queue with each task's case and item, in one statement (as the inbox)."""
    with case_engine().session() as session:
        name_known(session, actor)
        return queue_listings(session, actor)


def find(query) -> list[Case]:
    with case_engine().session() as session:
        return casefile.find_cases(session, query if isinstance(query, str) else "", PAGE_SIZE)


def my_cases(actor: Actor, page: int) -> tuple[list[Case], int]:
    with case_engine().session() as session:
        return casefile.cases_registered_by(session, actor.id, page, PAGE_SIZE)


def applicant_from_form(form) -> dict:
    """The applicant as the intake page posts it (``applicant.<field>``); the engine validates it."""
    applicant = {key: form.get(f"applicant.{key}", "").strip() for key in APPLICANT_FIELDS}
    applicant["id_number"] = applicant["id_number"].upper()  # the check character X is often typed as x
    return applicant


def intake_from_form(form, item: ServiceItem) -> dict:
    """The intake form's fields (intake.schema.json) from the page: one checkbox and one
    defect note per material, the acceptance question, delivery and postal address."""
    codes = [material.code for material in item.materials]
    intake = {
        "received_materials": list(dict.fromkeys(form.getlist("received_materials"))),
        "material_defects": [{"code": code, "problem": form.get(f"defect.{code}", "").strip()}
                             for code in codes if form.get(f"defect.{code}", "").strip()],
    }
    acceptable = form.get("acceptable", "")
    if acceptable not in ("", "yes", "no"):
        raise InvalidInput("是否属于受理范围只能选“是”或“否” (acceptable must be yes or no)", field="acceptable")
    if acceptable:  # left out when unanswered: the form then says it is required
        intake["acceptable"] = acceptable == "yes"
    reasons = form.get("rejection_reasons", "").strip()
    if acceptable == "no" and reasons:
        intake["rejection_reasons"] = reasons
    delivery = form.get("delivery_method", "").strip()
    if delivery:
        intake["delivery_method"] = delivery
    if delivery == "post":
        intake["postal_address"] = {key: form.get(f"postal_address.{key}", "").strip() for key in POSTAL_FIELDS}
    committed = committed_from_form(form)
    if committed:
        intake["committed_materials"] = committed
    return intake


def committed_from_form(form) -> list[dict]:
    """The 容缺 rows the page posts (``committed_materials.<n>.code`` / ``.due_on``), blank rows left out.

    The page shows the rows again as sent, so the engine's ``committed_materials.<n>`` names the row shown.
    """
    start = "committed_materials."
    indexes = sorted({int(key[len(start):].split(".", 1)[0]) for key in form.keys()
                      if key.startswith(start) and key[len(start):].split(".", 1)[0].isdigit()})
    rows = []
    for index in indexes[:MAX_COMMITMENT_ROWS]:
        code = form.get(f"committed_materials.{index}.code", "").strip()
        due_on = form.get(f"committed_materials.{index}.due_on", "").strip()
        if code or due_on:
            rows.append({"code": code, "due_on": due_on})
    return rows


def commitment_materials(item: ServiceItem) -> list:
    """The item's materials that may be accepted on the applicant's written commitment (容缺)."""
    return [material for material in item.materials if material.commitment_allowed]


def register(actor: Actor, item_code: str, applicant, intake, idempotency_key: str | None = None,
             appointment=None) -> Case:
    """Register an application and run its intake: the engine answers with the case
    (accepted, waiting for a one-time notice, or not accepted) or refuses with the field.
    A repeated ``idempotency_key`` answers with the case its first request made. From an
    ``appointment``, the case and the appointment's link commit together."""
    if appointment is not None:
        return case_engine().appointments.register(actor, form_number(appointment), item_code, applicant, intake,
                                                   idempotency_key)
    return case_engine().create_case(actor, item_code, applicant, intake, idempotency_key)


def booked_applicant(actor: Actor, item_code: str, appointment) -> dict:
    """The applicant of an appointment for this item that the window may register now."""
    booked_item, applicant = case_engine().appointments.for_intake(actor, form_number(appointment))
    if booked_item != item_code:
        raise InvalidInput(f"预约办理的事项是 {booked_item}，不是 {item_code} (the appointment is for item {booked_item})",
                           field="appointment")
    return applicant


def viewable_case(actor: Actor, number: str) -> Case:
    with case_engine().session() as session:
        return _viewable(session, actor, number)


def _viewable(session, actor: Actor, number: str) -> Case:
    case = cases.find_case(session, number)
    permissions.check_may_view_case(session, actor, case)
    return case


def material_lines(data: dict) -> list[MaterialLine]:
    """The case's checklist (the item's materials when the case began) against what the
    last completeness check recorded."""
    received = set(data.get("received_materials") or [])
    missing = set(data.get("missing_materials") or [])
    defects: dict[str, list[str]] = {}
    for defect in data.get("material_defects") or []:
        defects.setdefault(defect["code"], []).append(defect["problem"])
    return [MaterialLine(code=m["code"], name=m["name"], mandatory=m["mandatory"], form=m["form"], count=m["count"],
                         received=m["code"] in received, missing=m["code"] in missing,
                         defect="；".join(defects[m["code"]]) if m["code"] in defects else None)
            for m in data.get("materials") or []]


def history(actor: Actor, number: str) -> list[casefile.HistoryEntry]:
    engine = case_engine()
    with engine.session() as session:
        case = _viewable(session, actor, number)
        return casefile.history(session, engine.specs.get(session, case.process_version_id), case,
                                audit.case_history(session, case.id), actor)


def case_view(actor: Actor, number: str) -> CaseView:
    """The case page (and the API's case): every row read in one session, the workflow restored once
    for its data and its notices."""
    engine = case_engine()
    scope = permissions.opinion_scope(actor)
    with engine.session() as session:
        name_known(session, actor)
        case = _viewable(session, actor, number)
        # The checklist shown is the one the case began with (its data), not the catalogue's today.
        item = session.get(ServiceItem, case.item_code,
                           options=[raiseload(ServiceItem.materials), raiseload(ServiceItem.co_departments)])
        records = casefile.back_office_records(session, case, scope)
        entries = audit.case_history(session, case.id)
        with engine.reading_workflow(session, case) as (definition, workflow):
            data = case_facts(workflow)
            given = notices_rules.notices_of(session, engine, case, workflow, entries, records,
                                             current_app.config["CENTER_NAME"])
        steps = casefile.history(session, definition, case, entries, actor)
        # After the trail: the registering clerk is mostly one of its people, whose names it read.
        registered_by = staff_names(session, [case.created_by_id]).get(case.created_by_id)
        open_tasks = casefile.open_tasks(session, case)
        document = notices_rules.decision_document(session, case)
        department_name = item.department.name
    due = notices_rules.notice_due(given)
    return CaseView(case=case, item=item, department_name=department_name, registered_by=registered_by,
                    applicant=masking.applicant(actor, case), materials=material_lines(data),
                    delivery_method=data.get("delivery_method"), postal_address=data.get("postal_address"),
                    open_tasks=open_tasks, history=steps, notice=due.kind if due else None, notices=given,
                    records=records, given=notices_rules.documents_given(given, document))


def notices(actor: Actor, number: str) -> list[notices_rules.Notice]:
    """Every notice the case was given, in the order issued (engine.notices composes them)."""
    case = viewable_case(actor, number)
    return notices_rules.case_notices(case_engine(), case, permissions.opinion_scope(actor),
                                      current_app.config["CENTER_NAME"])


def notice(actor: Actor, number: str) -> notices_rules.Notice:
    """The written notice the case is owed now: 受理通知书, 一次性告知书 or 不予受理通知书."""
    due = notices_rules.notice_due(notices(actor, number))
    if due is None:
        raise NotFound("此办件暂无可出具的通知书 (no written notice is due for this case)", field="case_number")
    return due


def printed_notice(actor: Actor, number: str, kind: str, index: int) -> notices_rules.Notice:
    """The ``index``-th notice of ``kind`` as it was issued."""
    return notices_rules.one(notices(actor, number), number, kind, index)


def documents_given(actor: Actor, number: str) -> list[notices_rules.Given]:
    """Every notice and document the case was given: the notices, the decision document, its 送达回证."""
    case = viewable_case(actor, number)
    engine = case_engine()
    given = notices_rules.case_notices(engine, case, permissions.opinion_scope(actor),
                                       current_app.config["CENTER_NAME"])
    with engine.session() as session:
        return notices_rules.documents_given(given, notices_rules.decision_document(session, case))


@dataclass(frozen=True)
class PrintedDocument:
    """A decision document or its 送达回证 (``kind``) as issued, with the staff names it shows."""

    kind: str
    title: str
    document: object  # engine.decisions.models.DecisionDocument
    delivered_by: str | None
    law: str
    reconsideration_days: int = notices_rules.RECONSIDERATION_DAYS
    litigation_months: int = notices_rules.LITIGATION_MONTHS


def printed_document(actor: Actor, number: str, kind: str) -> PrintedDocument:
    """The case's decision document, or its 送达回证, as it was issued."""
    with case_engine().session() as session:
        case = _viewable(session, actor, number)
        document = notices_rules.one_document(notices_rules.decision_document(session, case), number, kind)
        names = staff_names(session, [document.delivery_recorded_by_id])
    return PrintedDocument(kind=kind, title=notices_rules.TITLES[kind], document=document,
                           delivered_by=names.get(document.delivery_recorded_by_id),
                           law=notices_rules.DECISION_LAWS[document.kind])


def decision_document(actor: Actor, number: str) -> PrintedDocument:
    """The case's decision document as issued; NotFound before the decision."""
    with case_engine().session() as session:
        document = notices_rules.decision_document(session, _viewable(session, actor, number))
    if document is None:
        raise NotFound("此办件尚未作出许可决定 (no decision has been made on this case yet)", field="case_number")
    return printed_document(actor, number, document.kind)
