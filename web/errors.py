"""Every refusal as a clear 4xx: JSON (code, message, field) for the API, a page for people."""

import logging

from flask import jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import OneWindowError
from engine.validation import first_error
from web import refusals
from web.refusals import N_

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_input",
         429: "too_many_requests"}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _respond(status: int, message: str, field: str | None = None, code: str | None = None):
    if wants_json():
        body = {"code": code or CODES.get(status, "error"), "message": message}
        if field:
            body["field"] = field
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, field=field), status


def handle_refusal(error: OneWindowError):
    return _respond(error.http_status, refusals.explain(error), error.field, error.code)


# Werkzeug's own descriptions are library English; each status gets a sentence of ours.
STATUS_MESSAGES = {400: N_("请求有误"), 401: N_("请先登录"), 403: N_("无权访问"), 404: N_("未找到您要的页面或数据"),
                   405: N_("不允许的操作"), 409: N_("操作冲突，请刷新后重试"), 413: N_("提交内容过大"),
                   415: N_("不支持的内容类型"), 422: N_("填写有误"), 429: N_("操作过于频繁，请稍后再试")}


def handle_http(error: HTTPException):
    if error.code == 401 and not wants_json():
        return redirect(url_for("auth.login", next=request.full_path))
    field, message = None, error.description
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # webargs nests by location (json, query, form): name the field, not the location.
        location_messages = next(iter(messages.values())) if isinstance(messages, dict) else messages
        field, detail = first_error(location_messages)
        label = refusals.schema_label(data.get("schema"), field) if field else None
        message = refusals.say_library_reason(detail, field or None, label)
    elif isinstance(error, RateLimitExceeded):
        message = _("操作过于频繁：每%(period)s最多 %(count)s 次，请稍后再试", count=error.limit.limit.amount,
                    period=_period(error.limit.limit))
    elif message == type(error).description or not message:
        message = _(STATUS_MESSAGES.get(error.code, N_("出错了")))
    else:
        message = refusals.one_language(message)
    response = make_response(_respond(error.code or 500, message, field or None))
    # What the exception says about itself (Allow on a 405, Retry-After on a 429) stays said.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _period(limit) -> str:
    """The limit's window ("1 minute") as a person says it."""
    units = {"second": _("秒"), "minute": _("分钟"), "hour": _("小时"), "day": _("天")}
    name = limit.GRANULARITY.name
    return f"{limit.multiples} {units.get(name, name)}" if limit.multiples != 1 else units.get(name, name)


def handle_csrf(error: CSRFError):
    return _respond(400, _("表单已过期或缺少安全令牌，请刷新页面后重试"), "csrf_token", "csrf")


def _nul_field(value, path: str = "") -> str | None:
    """The dotted path of the first key or text holding a NUL character (no database stores one)."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        if "\x00" in str(key):
            return where
        if (found := _nul_field(item, where)) is not None:
            return found
    return None


def _first_nul_field() -> str | None:
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            if "\x00" in name or "\x00" in value:
                return name
    for source in (request.view_args or {}, request.get_json(silent=True) if request.is_json else None):
        if (field := _nul_field(source)) is not None:
            return field
    return None


def refuse_nul_characters():
    """A NUL in any field, query parameter or path is refused before a view runs."""
    field = _first_nul_field()
    if field is not None:
        return _respond(400, _("输入含有不允许的控制字符"), field or None, "invalid_input")
    return None


def register(app) -> None:
    app.before_request(refuse_nul_characters)
    app.register_error_handler(OneWindowError, handle_refusal)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.add_template_filter(refusals.explain, "explain")
    app.add_template_global(refusals.field_label, "field_label")
