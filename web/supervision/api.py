"""Supervision API (督查): bad ratings verified (好差评核实), satisfaction rates, rectifications
(整改), complaints (投诉). Same functions as the pages (web.supervision.service).

Supervisors and administrators verify and keep complaints; a department's chief
representative and approvers see and close their department's rectifications.
"""

from engine.roles import CHIEF, DEPARTMENT_ROLES, SUPERVISING
from web.access import case_checked_first, current_actor, require
from web.api import api_blueprint
from web.supervision import schemas, service

blp = api_blueprint("supervision_api", __name__, "/supervision",
                    "Ratings (好差评) and their verification, satisfaction rates, rectifications (整改), "
                    "complaints (投诉) with their replies and verification")


# Another department's chief or approver is refused before the request body is read.
department_first = case_checked_first(service.check_case_department)


@blp.route("/ratings")
@require(*SUPERVISING)
@blp.arguments(schemas.RatingQuery, location="query")
@blp.response(200, schemas.RatingRow(many=True))
def ratings(query):
    """Bad ratings (不满意, 非常不满意) by verification state, most recent first."""
    return service.ratings(current_actor(), query["state"], query.get("period"))


@blp.route("/ratings/<number>")
@require(*SUPERVISING)
@blp.response(200, schemas.RatingRow)
def rating(number):
    """A case's rating (by case number) with its verification and rectification."""
    return service.rating(current_actor(), number)


@blp.route("/ratings/<number>/verification", methods=["POST"])
@require(*SUPERVISING)
@blp.arguments(schemas.RatingVerdict)
@blp.response(200, schemas.RatingRow)
def verify_rating(verdict, number):
    """Verify a bad rating once: real (a rectification opens, the responsible staff member is charged
    once) or not real (mistaken or malicious: excluded from the satisfaction rate)."""
    return service.verify_rating(current_actor(), number, verdict)


def _figures(row) -> dict:
    return {"rated": row.rated, "good": row.good, "bad": row.bad, "excluded": row.excluded, "pending": row.pending,
            "counted": row.counted, "rate": row.rate}


@blp.route("/satisfaction")
@require(*SUPERVISING)
@blp.arguments(schemas.SatisfactionQuery, location="query")
@blp.response(200, schemas.SatisfactionSheetOut)
def satisfaction(query):
    """满意度 per department and per responsible staff member: the share of 非常满意, 满意 and 基本满意
    among the period's ratings (未评价 and bad ratings verified as not real left out)."""
    sheet = service.satisfaction(current_actor(), query.get("period") or service.this_month())
    return {"period": sheet.period.label, "first": sheet.period.first, "last": sheet.period.last,
            "departments": [{"department_code": row.key, "name": name, **_figures(row)}
                            for name, row in sheet.departments],
            "staff": [{"staff_id": row.key, "name": name, **_figures(row)} for name, row in sheet.staff],
            "total": _figures(sheet.total)}


@blp.route("/rectifications")
@require(*SUPERVISING, *DEPARTMENT_ROLES)
@blp.arguments(schemas.RectificationQuery, location="query")
@blp.response(200, schemas.RectificationRow(many=True))
def rectifications(query):
    """Rectifications by state, earliest due first (chief representatives and approvers: their department's)."""
    return service.rectifications(current_actor(), query["state"])


@blp.route("/rectifications/<number>/close", methods=["POST"])
@require(*SUPERVISING, *DEPARTMENT_ROLES)
@department_first
@blp.arguments(schemas.RectificationClosing)
@blp.response(200, schemas.RectificationRow)
def close_rectification(body, number):
    """Close the case's rectification with the feedback given to the rater (its department; the supervisors
    for a window step's)."""
    return service.close_rectification(current_actor(), number, body["feedback"])


@blp.route("/complaints")
@require(*SUPERVISING)
@blp.arguments(schemas.ComplaintQuery, location="query")
@blp.response(200, schemas.ComplaintRow(many=True))
def complaints(query):
    """Complaints by state (open: reply owed, newest first; overdue: most overdue first)."""
    return service.complaints(current_actor(), query["state"])


@blp.route("/complaints", methods=["POST"])
@require(*SUPERVISING)
@blp.arguments(schemas.NewComplaint)
@blp.response(201, schemas.ComplaintRow)
def register_complaint(fields):
    """Register a complaint: it gets its number and its reply due date (3 working days, 5 when complex)."""
    return service.register_complaint(current_actor(), fields)


@blp.route("/complaints/overdue")
@require(*SUPERVISING)
@blp.response(200, schemas.OverdueComplaints)
def overdue_complaints():
    """How many replies are owed past their due date, and those complaints with their working days late."""
    count, lines = service.overdue_complaints(current_actor())
    return {"count": count, "complaints": lines}


@blp.route("/complaints/<number>")
@require(*SUPERVISING)
@blp.response(200, schemas.ComplaintRow)
def complaint(number):
    return service.complaint(current_actor(), number)


@blp.route("/complaints/<number>/reply", methods=["POST"])
@require(*SUPERVISING)
@blp.arguments(schemas.ComplaintReply)
@blp.response(200, schemas.ComplaintRow)
def reply_complaint(body, number):
    """Record the reply given to the complainant (once)."""
    return service.reply_complaint(current_actor(), number, body["reply"])


@blp.route("/complaints/<number>/verification", methods=["POST"])
@require(*SUPERVISING)
@blp.arguments(schemas.ComplaintVerdict)
@blp.response(200, schemas.ComplaintRow)
def verify_complaint(verdict, number):
    """Verified (查证属实) or not, with the reason, once; verified against a staff member: charged once."""
    return service.verify_complaint(current_actor(), number, verdict)


@blp.route("/contests")
@require(*SUPERVISING, CHIEF)
@blp.arguments(schemas.ContestQuery, location="query")
@blp.response(200, schemas.ContestRow(many=True))
def contests(query):
    """Contests of bad ratings (申诉复核) by state, oldest first: supervisors all, a chief his department's."""
    return service.contests(current_actor(), query["state"])


@blp.route("/ratings/<number>/contest", methods=["POST"])
@require(CHIEF)
@department_first
@blp.arguments(schemas.ContestFiling)
@blp.response(201, schemas.ContestRow)
def file_contest(filing, number):
    """The rated department's chief representative contests a bad rating not yet verified (once)."""
    return service.file_contest(current_actor(), number, filing)


@blp.route("/ratings/<number>/contest/decision", methods=["POST"])
@require(*SUPERVISING)
@blp.arguments(schemas.ContestVerdict)
@blp.response(200, schemas.ContestRow)
def decide_contest(verdict, number):
    """Upheld: the rating is marked not real (of the contest's kind) and leaves the satisfaction rates;
    rejected: it waits for verification as before."""
    return service.decide_contest(current_actor(), number, verdict)
