"""What the register's page, its Excel export and GET /api/v1/cases need from the engine."""

from flask import current_app
from sqlalchemy import select

from engine import masking, register
from engine.actor import Actor
from engine.catalogue.models import Department, ServiceItem
from web.access import case_engine
from web.case_register.schemas import FILTERS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _query(filters: dict) -> register.RegisterQuery:
    return register.RegisterQuery(**{name: filters[name] for name in FILTERS if filters.get(name) is not None})


def find(actor: Actor, filters: dict) -> register.RegisterPage:
    """One page of the cases the actor may see, narrowed by ``filters`` (RegisterListQuery), and the total."""
    query = _query(filters)
    with case_engine().session() as session:
        return register.page(session, register.scope(session, actor, query.department), query)


def export(actor: Actor, filters: dict) -> tuple[str, bytes]:
    """The file name and .xlsx bytes of the whole filtered list."""
    query = _query(filters)
    engine = case_engine()
    with engine.session() as session:
        rows = register.export_rows(session, register.scope(session, actor, query.department), query)
        items = dict(session.execute(select(ServiceItem.code, ServiceItem.name)).all())
        departments = dict(session.execute(select(Department.code, Department.name)).all())
    today = engine.clock.today()
    title = f"{current_app.config['CENTER_NAME']} 办件台账（导出于 {today.isoformat()}，共 {len(rows)} 件）"
    return f"case-register-{today:%Y%m%d}.xlsx", register.workbook(actor, rows, items, departments, title)


def choices(actor: Actor) -> dict:
    """The page's filter lists: departments (a department's staff: their own) and items."""
    with case_engine().session() as session:
        scope = register.scope(session, actor)
        departments = select(Department.code, Department.name).order_by(Department.code)
        items = select(ServiceItem.code, ServiceItem.name).order_by(ServiceItem.code)
        if scope.department_code:
            departments = departments.where(Department.code == scope.department_code)
            items = items.where(ServiceItem.department_code == scope.department_code)
        return {"departments": session.execute(departments).all(), "items": session.execute(items).all()}


def shown(actor: Actor, cases: list) -> list[dict]:
    """The cases as the register's table shows them: ID and phone numbers masked for all but the window."""
    return [{"case": case, "applicant": masking.applicant(actor, case)} for case in cases]
