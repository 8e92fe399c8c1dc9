"""The window's 待接件 pages (a pre-application, its registration through the window's own intake
form, prefilled; its rejection) and the administrator's service accounts page."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine.cases.schemas import ID_TYPES
from engine.errors import OneWindowError
from engine.roles import PRE_APPLICATION_DESK, SERVICE_ACCOUNT_ADMINS
from engine.service_accounts.service import SCOPES
from web.access import case_engine, current_actor, require
from web.window import service as window

bp = Blueprint("pre_applications", __name__)
STATE_LABELS = {"pending": "待接件", "registered": "已登记为办件", "rejected": "已退回"}


@bp.context_processor
def helpers():
    return {"local_time": lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else "",
            "long_date": lambda value: format_date(value, "long") if value else "",
            "state_label": lambda state: _(STATE_LABELS.get(state, state)), "scope_labels": SCOPES}


@bp.route("/pre-applications/")
@require(*PRE_APPLICATION_DESK)
def index():
    desk = case_engine().pre_applications
    return render_template("preapplications/index.html", waiting=desk.waiting(current_actor()),
                           handled=desk.handled(current_actor()))


@bp.route("/pre-applications/<int:pre_id>")
@require(*PRE_APPLICATION_DESK)
def detail(pre_id, refusal: OneWindowError | None = None):
    line = case_engine().pre_applications.line(current_actor(), pre_id)
    item, _schema = window.intake_form(line.row.item_code)
    page = render_template("preapplications/detail.html", line=line, item=item, refusal=refusal,
                           reason=request.form.get("reason", ""))
    return page, refusal.http_status if refusal else 200


@bp.route("/pre-applications/<int:pre_id>/register", methods=["GET", "POST"])
@require(*PRE_APPLICATION_DESK)
def register(pre_id):
    """The window's intake form, prefilled with the platform's applicant and materials."""
    desk = case_engine().pre_applications
    line = desk.line(current_actor(), pre_id)
    item, schema = window.intake_form(line.row.item_code)
    refusal = None
    if request.method == "POST":
        form, applicant = request.form, window.applicant_from_form(request.form)
        try:
            case = desk.register(current_actor(), pre_id, applicant, window.intake_from_form(form, item))
        except OneWindowError as error:
            refusal = error
        else:
            return redirect(url_for("cases.case", number=case.number), code=303)
    else:
        form = MultiDict([("received_materials", code) for code in line.row.materials])
        applicant = {"kind": "person", "id_type": next(iter(ID_TYPES)), **line.row.applicant}
    page = render_template("cases/new.html", item=item, applicant=applicant, id_types=ID_TYPES,
                           regions=window.postal_regions(schema), form=form, refusal=refusal,
                           commitment_materials=window.commitment_materials(item),
                           committed=window.committed_from_form(form), idempotency_key="", pre_application=line)
    return page, refusal.http_status if refusal else 200


@bp.route("/pre-applications/<int:pre_id>/reject", methods=["POST"])
@require(*PRE_APPLICATION_DESK)
def reject(pre_id):
    try:
        row = case_engine().pre_applications.reject(current_actor(), pre_id, request.form.get("reason"))
    except OneWindowError as error:
        return detail(pre_id, refusal=error)
    flash(_("已退回预申请 %(id)s", id=row.platform_application_id))
    return redirect(url_for("pre_applications.index"), code=303)


# -- the administrator's service accounts -----------------------------------------------------

@bp.route("/admin/service-accounts")
@require(*SERVICE_ACCOUNT_ADMINS)
def accounts(refusal: OneWindowError | None = None):
    page = render_template("preapplications/accounts.html", accounts=case_engine().service_accounts.list(current_actor()),
                           refusal=refusal, name=request.form.get("name", ""))
    return page, refusal.http_status if refusal else 200


@bp.route("/admin/service-accounts", methods=["POST"])
@require(*SERVICE_ACCOUNT_ADMINS)
def create_account():
    try:
        account, secret = case_engine().service_accounts.create(current_actor(), request.form.get("name"),
                                                                request.form.getlist("scopes"))
    except OneWindowError as error:
        return accounts(refusal=error)
    return _secret_page(account, secret)


@bp.route("/admin/service-accounts/<client_id>/rotate", methods=["POST"])
@require(*SERVICE_ACCOUNT_ADMINS)
def rotate(client_id):
    try:
        account, secret = case_engine().service_accounts.rotate(current_actor(), client_id)
    except OneWindowError as error:
        return accounts(refusal=error)
    return _secret_page(account, secret)


@bp.route("/admin/service-accounts/<client_id>/deactivate", methods=["POST"])
@require(*SERVICE_ACCOUNT_ADMINS)
def deactivate(client_id):
    try:
        account = case_engine().service_accounts.deactivate(current_actor(), client_id)
    except OneWindowError as error:
        return accounts(refusal=error)
    flash(_("已停用服务账户 %(name)s：其密钥与令牌均已失效", name=account.name))
    return redirect(url_for("pre_applications.accounts"), code=303)


def _secret_page(account, secret: str):
    """The secret, shown this once; the page is not kept by the browser."""
    response = render_template("preapplications/secret.html", account=account, secret=secret)
    return response, 200, {"Cache-Control": "no-store"}
