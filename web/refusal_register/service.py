"""What the register page and the registers API both do: read the 否决备案 register with the
filters, scoped as engine.permissions says (a chief his department's), and its Excel sheet."""

from datetime import date

from flask import current_app
from sqlalchemy import select

from engine import casefile, permissions
from engine.actor import Actor
from engine.catalogue.models import Department
from engine.decisions import export
from engine.decisions import service as decisions
from engine.errors import InvalidInput
from web.access import case_engine

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_FIELDS = ("from", "to", "department", "item", "kind")


def default_period() -> tuple[date, date]:
    """This month so far (Beijing)."""
    today = case_engine().clock.today()
    return today.replace(day=1), today


def filters(actor: Actor, first: date | None, last: date | None, department: str | None, item: str | None,
            kind: str | None) -> decisions.RegisterFilters:
    """The register's filters, the department narrowed to the actor's own where he may see no other."""
    default_first, default_last = default_period()
    return decisions.RegisterFilters(first=first or default_first, last=last or default_last,
                                     department=permissions.refusal_register_department(actor, department or None),
                                     item=item or None, kind=kind or None)


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD ({field} must be a date such as 2026-11-01)", field=field) from None


def filters_from_query(actor: Actor, values) -> decisions.RegisterFilters:
    """The filters from the page's query string (empty fields: no filter)."""
    return filters(actor, _day(values.get("from"), "from"), _day(values.get("to"), "to"),
                   values.get("department"), values.get("item"), values.get("kind"))


def lines(chosen: decisions.RegisterFilters) -> list[decisions.RegisterLine]:
    with case_engine().session() as session:
        return decisions.register(session, chosen)


def department_names() -> dict[str, str]:
    with case_engine().session() as session:
        return dict(session.execute(select(Department.code, Department.name).order_by(Department.code)).all())


def item_names() -> dict[str, str]:
    with case_engine().session() as session:
        return dict(sorted(casefile.item_names(session).items()))


def sheet(chosen: decisions.RegisterFilters) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of the filtered register."""
    names = department_names()
    scope = names.get(chosen.department, chosen.department) if chosen.department else "全部部门"
    data = export.workbook(lines(chosen), title=f"{current_app.config['CENTER_NAME']} 否决备案登记表",
                           subtitle=f"{chosen.first.isoformat()} 至 {chosen.last.isoformat()}；{scope}",
                           department_names=names)
    return f"refusals-{chosen.first.isoformat()}-{chosen.last.isoformat()}.xlsx", data
