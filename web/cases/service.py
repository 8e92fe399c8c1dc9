"""What the clerk's pages need from the engine; the pages only render it."""

from dataclasses import dataclass

from sqlalchemy import or_, select

from engine.cases.models import Case
from engine.catalogue.models import Department, ServiceItem
from engine.errors import InvalidInput
from engine.staff.service import Actor
from web.access import case_engine
from web.tasks.service import check_may_view_case

PAGE_SIZE = 50
ACCEPTANCE, ONE_TIME_NOTICE, REJECTION = "acceptance", "one_time_notice", "rejection"


@dataclass(frozen=True)
class CasePage:
    case: Case
    item: ServiceItem
    history: list
    open_tasks: list
    data: dict
    notice: str | None


def catalogue() -> list[tuple[Department, list[ServiceItem]]]:
    """Active service items grouped by their department, for choosing a new application's item."""
    with case_engine().session() as session:
        items = session.scalars(select(ServiceItem).where(ServiceItem.active.is_(True))
                                .order_by(ServiceItem.department_code, ServiceItem.code)).all()
        groups: dict[str, tuple] = {}
        for item in items:
            groups.setdefault(item.department_code, (item.department, []))[1].append(item)
        return list(groups.values())


def find(query: str) -> list[Case]:
    """Cases by their number or by the applicant's ID number, newest first."""
    query = (query or "").strip().upper()
    if not 5 <= len(query) <= 32:
        raise InvalidInput("enter a case number or an ID number (5-32 characters)", field="q")
    with case_engine().session() as session:
        return list(session.scalars(select(Case).where(or_(Case.number == query, Case.applicant_id_number == query))
                                    .order_by(Case.id.desc()).limit(PAGE_SIZE)))


def my_cases(actor: Actor, page: int) -> list[Case]:
    with case_engine().session() as session:
        return list(session.scalars(select(Case).where(Case.created_by_id == actor.id).order_by(Case.id.desc())
                                    .offset(max(0, page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))


def notice_kind(case: Case) -> str | None:
    """Which written notice the applicant is owed at the window (行政许可法 第32条)."""
    if case.outcome == "not_accepted":
        return REJECTION
    if case.accepted_on is not None:
        return ACCEPTANCE
    if case.notice_count:
        return ONE_TIME_NOTICE
    return None


def case_page(actor: Actor, number: str) -> CasePage:
    engine = case_engine()
    case = engine.get_case(number)
    check_may_view_case(actor, case)
    with engine.session() as session:
        item = session.get(ServiceItem, case.item_code)
        item.materials  # noqa: B018 — loaded now, read after the session closes
    return CasePage(case=case, item=item, history=engine.case_history(number), open_tasks=engine.open_tasks(number),
                    data=engine.case_data(number), notice=notice_kind(case))


def applicant_from(form) -> dict:
    """The applicant fields of the intake page; the engine validates them."""
    applicant = {key: form.get(f"applicant.{key}", "").strip()
                 for key in ("kind", "name", "id_type", "id_number", "phone", "address", "contact_name")}
    return {key: value for key, value in applicant.items() if value or key in ("kind", "name", "id_type",
                                                                             "id_number", "phone")}
