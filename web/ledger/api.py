"""The scoring ledger's API (考核台账): rules, entries, appeals (复核), scores, the Excel export.

Supervisors see and keep everyone's ledger; everyone else sees and appeals their own.
Same functions as the page (web.ledger.service).
"""

from flask import Response

from engine.roles import SUPERVISING
from web.access import current_actor, require
from web.api import api_blueprint
from web.ledger import schemas, service
from web.ledger.views import EVERYONE

blp = api_blueprint("ledger_api", __name__, "/ledger",
                    "The staff scoring ledger (考核台账): rules, entries, appeals, period scores, Excel export")


def _filters(query: dict) -> service.Filters:
    return service.Filters(period=query.get("period") or service.this_month(), staff_id=query.get("staff_id"),
                           department=query.get("department"), rule_code=query.get("rule_code"))


@blp.route("/rules")
@require(*EVERYONE)
@blp.response(200, schemas.LedgerRuleRow(many=True))
def rules():
    """The rule catalogue: what is scored, by how much, and where the rule comes from."""
    return service.rules()


@blp.route("/entries")
@require(*EVERYONE)
@blp.arguments(schemas.LedgerQuery, location="query")
@blp.response(200, schemas.LedgerEntryRow(many=True))
def entries(query):
    """A period's entries, oldest first (staff: their own only; a filter naming nothing is a 400)."""
    return service.entries(current_actor(), _filters(query))


@blp.route("/entries", methods=["POST"])
@require(*SUPERVISING)
@blp.arguments(schemas.NewLedgerEntry)
@blp.response(201, schemas.LedgerEntryRow)
def record(fields):
    """Record a manual entry (attendance, conduct, commendation) with its evidence."""
    actor = current_actor()
    return service.line(actor, service.record(actor, fields))


@blp.route("/entries/<int(min=1):entry_id>/appeal", methods=["POST"])
@require(*EVERYONE)
@blp.arguments(schemas.LedgerAppeal)
@blp.response(200, schemas.LedgerEntryRow)
def appeal(body, entry_id):
    """Ask for a review (复核) of an entry about yourself; it keeps counting until cancelled."""
    actor = current_actor()
    return service.line(actor, service.appeal(actor, entry_id, body["reason"]))


@blp.route("/entries/<int(min=1):entry_id>/decision", methods=["POST"])
@require(*SUPERVISING)
@blp.arguments(schemas.LedgerDecision)
@blp.response(200, schemas.LedgerEntryRow)
def decide(body, entry_id):
    """Uphold or cancel an appealed entry; a cancelled entry stays visible as cancelled."""
    actor = current_actor()
    return service.line(actor, service.decide(actor, entry_id, body["decision"], body["reason"]))


@blp.route("/scores")
@require(*EVERYONE)
@blp.arguments(schemas.LedgerQuery, location="query")
@blp.response(200, schemas.ScoreSheetOut)
def scores(query):
    """Period scores: base 100, cap 150, veto, category budgets, disqualification, grades, the 优秀 quota,
    allowance (staff: their own row); a year (period=2026) from its quarters."""
    sheet, rows = service.scores(current_actor(), _filters(query))
    return {"period": sheet.period.label, "first": sheet.period.first, "last": sheet.period.last,
            "scheme": sheet.scheme.name, "rows": [service.score_row(sheet, row) for row in rows]}


@blp.route("/export")
@require(*SUPERVISING)
@blp.arguments(schemas.PeriodQuery, location="query")
@blp.response(200, description="The .xlsx workbook (scores and ledger) for the notice board")
def export(query):
    """The period's scores and ledger as an Excel workbook in the notice-board layout."""
    name, data = service.export(current_actor(), query.get("period") or service.this_month())
    return Response(data, mimetype=service.XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})


@blp.route("/windows")
@require(*SUPERVISING)
@blp.arguments(schemas.PeriodQuery, location="query")
@blp.response(200, schemas.WindowSheetOut)
def windows(query):
    """Each window's score and ranking: its posts' mean score weighed with its satisfaction (优秀窗口, 流动红旗)."""
    sheet, rows = service.windows(current_actor(), query.get("period") or service.this_month())
    return {"period": sheet.period.label, "rows": rows}


@blp.route("/departments")
@require(*SUPERVISING)
@blp.arguments(schemas.PeriodQuery, location="query")
@blp.response(200, schemas.DepartmentSheetOut)
def departments(query):
    """Each seconding department: its staff's mean score and the deductions against it."""
    sheet, rows = service.departments(current_actor(), query.get("period") or service.this_month())
    return {"period": sheet.period.label, "rows": rows}


@blp.route("/departments/<code>/entries", methods=["POST"])
@require(*SUPERVISING)
@blp.arguments(schemas.NewDepartmentEntry)
@blp.response(201, schemas.DepartmentEntryOut)
def record_department(fields, code):
    """Record a deduction against a seconding department (seed 001 第十三条(二)) by a department rule."""
    entry = service.record_department(current_actor(), code, fields)
    rule = next(rule for rule in service.rules() if rule.code == entry.rule_code)
    return {"entry": entry, "rule_name": rule.name, "recorded_by": current_actor().name}


@blp.route("/departments/<code>/feedback")
@require(*SUPERVISING)
@blp.arguments(schemas.PeriodQuery, location="query")
@blp.response(200, schemas.FeedbackOut)
def feedback(query, code):
    """The period's results fed back to the seconding department: its people, their entries, its own."""
    report = service.feedback(current_actor(), query.get("period") or service.this_month(), code)
    return {"period": report.sheet.period.label, "department": report.department,
            "rows": [service.score_row(report.sheet, row) for row in report.rows], "entries": report.entries,
            "department_entries": report.department_entries}


@blp.route("/departments/<code>/feedback.xlsx")
@require(*SUPERVISING)
@blp.arguments(schemas.PeriodQuery, location="query")
@blp.response(200, description="The feedback report as an .xlsx workbook")
def feedback_export(query, code):
    """The feedback report to the seconding department as an Excel workbook."""
    name, data = service.feedback_export(current_actor(), query.get("period") or service.this_month(), code)
    return Response(data, mimetype=service.XLSX, headers={"Content-Disposition": f"attachment; filename={name}"})
