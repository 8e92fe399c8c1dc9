"""The applicant's own rating (好差评): the signed token a notice carries, its link and QR code, and the
rating it is used for. One token per case (its number, signed with the app's secret key); it is used
up when the case has a rating, which the engine keeps to one per case."""

import segno
from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from engine.catalogue.models import ServiceItem
from engine.errors import InvalidInput, NotFound
from web.access import case_engine

RATING_LIMIT, RATING_SCOPE = "10 per minute", "public_rating"
SALT = "onewindow-rating"  # keeps these signatures apart from the session's and other tokens'
# Error correction M (15 %): a printed, folded notice still scans.
QR_OPTIONS = {"error": "m"}
TAMPERED = "评价链接无效，请核对告知书上的链接或二维码 (the rating token is not valid)"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(case_number: str) -> str:
    return _serializer().dumps({"case": case_number})


def case_of(token) -> str:
    """The case number a token names; a tampered or malformed token is refused (400)."""
    if not isinstance(token, str) or not token.strip():
        raise InvalidInput(TAMPERED, field="token")
    try:
        payload = _serializer().loads(token.strip())
    except BadSignature:
        raise InvalidInput(TAMPERED, field="token") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("case"), str):
        raise InvalidInput(TAMPERED, field="token")
    return payload["case"]


def link_for(case_number: str) -> str:
    public = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    if public:
        return public + url_for("rating.rate", token=token_for(case_number))
    return url_for("rating.rate", token=token_for(case_number), _external=True)


def qr_svg(link: str) -> str:
    """The link as an inline SVG QR code for the printed notice (no script, no external image)."""
    return segno.make(link, **QR_OPTIONS).svg_inline(scale=3, omitsize=False)


def invitation(case_number: str) -> dict:
    link = link_for(case_number)
    return {"link": link, "qr": qr_svg(link)}


def case_to_rate(token) -> dict:
    """What the rating page shows before the applicant rates: the case's number and item."""
    number = case_of(token)
    try:
        case = case_engine().get_case(number)
    except NotFound:
        raise InvalidInput(TAMPERED, field="token") from None
    return {"case_number": case.number, "item_name": _item_name(case.item_code)}


def _item_name(code: str) -> str:
    with case_engine().session() as session:
        item = session.get(ServiceItem, code)
        return item.name if item is not None else code


def rate(token, level, comment) -> dict:
    number = case_of(token)
    try:
        case, rating = case_engine().supervision.applicant_rating(number, level, comment)
    except NotFound:
        raise InvalidInput(TAMPERED, field="token") from None
    return {"case_number": case.number, "item_name": _item_name(case.item_code), "level": rating.rating,
            "rated_at": rating.rated_at}
