"""What the ledger page and the ledger API both do: read a period's entries and scores
with the filters a supervisor uses, and the actions (record, appeal, decide, export)."""

from dataclasses import dataclass

from flask import current_app

from engine import permissions
from engine.actor import Actor
from engine.errors import InvalidInput
from engine.ledger.book import EntryLine, ScoreSheet
from engine.ledger.scores import parse_period
from engine.unit_feedback import feedback_workbook
from web.access import case_engine

FILTER_FIELDS = ("period", "staff_id", "department", "rule_code")


@dataclass(frozen=True)
class Filters:
    """The ledger view's filters; None means every one."""

    period: str
    staff_id: int | None = None
    department: str | None = None
    rule_code: str | None = None


def supervising(actor: Actor) -> bool:
    return permissions.supervises(actor)


def this_month() -> str:
    return case_engine().clock.today().strftime("%Y-%m")


def filters_from_query(values) -> Filters:
    """The filters from a page's query string (empty fields: no filter)."""
    staff_id = (values.get("staff_id") or "").strip()
    if staff_id and not staff_id.isdigit():
        raise InvalidInput("人员编号须为数字 (staff_id must be a staff id)", field="staff_id")
    return Filters(period=values.get("period") or this_month(), staff_id=int(staff_id) if staff_id else None,
                   department=values.get("department") or None, rule_code=values.get("rule_code") or None)


def entries(actor: Actor, filters: Filters) -> list[EntryLine]:
    return case_engine().ledger.entries(actor, filters.period, staff_id=filters.staff_id,
                                        department_code=filters.department, rule_code=filters.rule_code)


def scores(actor: Actor, filters: Filters) -> tuple[ScoreSheet, list]:
    """The period's score sheet and the rows the actor may see: supervisors every row (narrowed
    by the staff and department filters), anyone else their own."""
    sheet = case_engine().ledger.scores(filters.period)
    if not supervising(actor):
        return sheet, [row for row in sheet.rows if row.staff_id == actor.id]
    return sheet, [row for row in sheet.rows
                   if filters.staff_id in (None, row.staff_id)
                   and filters.department in (None, sheet.staff[row.staff_id].department_code)]


def score_row(sheet: ScoreSheet, row) -> dict:
    """A score row for the API: the person's names and the categories in the catalogue's order."""
    person = sheet.staff[row.staff_id]
    return {**vars(row), "name": person.name, "department_code": person.department_code,
            "categories": [{"category": name, "budget": figure.budget, "deductions": figure.raw,
                            "counted": figure.counted, "remaining": figure.remaining}
                           for name, figure in row.category_figures()]}


def rules():
    return case_engine().ledger.rules()


def line(actor: Actor, entry) -> EntryLine:
    """One entry with its names, as the actor may see it."""
    return case_engine().ledger.line(actor, entry.id)


def record(actor: Actor, fields: dict):
    return case_engine().ledger.record(actor, **fields)


def appeal(actor: Actor, entry_id, reason):
    return case_engine().ledger.appeal(actor, entry_id, reason)


def decide(actor: Actor, entry_id, decision, reason):
    return case_engine().ledger.decide_appeal(actor, entry_id, decision, reason)


def export(actor: Actor, period) -> tuple[str, bytes]:
    """The file name and the .xlsx bytes of a period's scores and ledger."""
    data = case_engine().ledger.export(actor, period, center_name=current_app.config["CENTER_NAME"])
    return f"ledger-{parse_period(period).label}.xlsx", data


def windows(actor: Actor, period):
    return case_engine().units.windows(actor, period)


def departments(actor: Actor, period):
    return case_engine().units.departments(actor, period)


def feedback(actor: Actor, period, department_code):
    return case_engine().units.feedback(actor, period, department_code)


def feedback_export(actor: Actor, period, department_code) -> tuple[str, bytes]:
    """The file name and the .xlsx bytes of the feedback report to a seconding department."""
    report = feedback(actor, period, department_code)
    data = feedback_workbook(report, center_name=current_app.config["CENTER_NAME"])
    return f"feedback-{report.department.code}-{report.sheet.period.label}.xlsx", data


def record_department(actor: Actor, department_code, fields: dict):
    return case_engine().ledger.record_department(actor, department_code=department_code, **fields)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
