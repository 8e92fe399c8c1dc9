"""The public 办事指南 and the applicant's own rating as JSON (no sign-in), rate-limited with their pages."""

from web.api import api_blueprint
from web.limits import limiter
from web.public import guide, rating, schemas

blp = api_blueprint("public_api", __name__, "/public",
                    "The public service guide (办事指南) and the applicant's own rating (好差评), no sign-in")


@blp.route("/items", methods=["GET"])
@limiter.shared_limit(guide.GUIDE_LIMIT, scope=guide.GUIDE_SCOPE)
@blp.doc(security=[])
@blp.arguments(schemas.GuideQuestion, location="query")
@blp.response(200, schemas.GuideLine(many=True))
def items(question):
    """The published items by category and department, filtered by any part of name or code (``q``)."""
    return guide.items(question["q"], question["department"], question["category"])


@blp.route("/items/<code>", methods=["GET"])
@limiter.shared_limit(guide.GUIDE_LIMIT, scope=guide.GUIDE_SCOPE)
@blp.doc(security=[])
@blp.response(200, schemas.GuideItem)
def item(code):
    """One item's guide: conditions, materials with sample and blank forms, limits, fee and its basis,
    procedure, legal basis, place, hours and contacts. 404 for an unknown or withdrawn item."""
    return guide.item(code)


@blp.route("/ratings", methods=["POST"])
@limiter.shared_limit(rating.RATING_LIMIT, scope=rating.RATING_SCOPE)
@blp.doc(security=[])
@blp.arguments(schemas.RatingSubmission)
@blp.response(201, schemas.RatingReceipt)
def rate(submission):
    """The applicant's own rating with the token of his notice: one per case. A tampered token is
    422, a used one (or a case already rated or closed as 未评价) 409."""
    return rating.rate(submission["token"], submission["level"], submission["comment"])
