"""The administrator's pages (/admin): the staff list with the new-staff form, a staff member's page
(his file, roles, authorisations, deactivation, password reset) and the one-time password shown once."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from engine.catalogue.models import Department
from engine.errors import OneWindowError
from engine.roles import ADMIN, ALLOWED_COMBINATIONS, ROLES
from web import errors
from web.access import case_engine, current_actor, require
from web.admin import service

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.context_processor
def helpers():
    with case_engine().session() as session:
        departments = session.execute(select(Department.code, Department.name).order_by(Department.code)).all()
    return {"all_roles": ROLES, "departments": departments,
            "combinations": ["+".join(sorted(pair)) for pair in ALLOWED_COMBINATIONS],
            "kind_labels": {"comprehensive": _("综合窗口"), "category": _("分类综合窗口"), "department": _("部门窗口")},
            "local_time": lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""}


@bp.route("/staff")
@require(ADMIN)
def staff_list(refusal: OneWindowError | None = None, values=None):
    return render_template("admin/staff_list.html", people=service.staff_list(current_actor()),
                           refusal=refusal, values=values or {}), refusal.http_status if refusal else 200


@bp.route("/staff", methods=["POST"])
@require(ADMIN)
def create_staff():
    view, one_time = service.create_staff(current_actor(), service.staff_form(request.form, new=True))
    return render_template("admin/one_time.html", person=view, one_time=one_time)


@bp.route("/staff/<username>")
@require(ADMIN)
def staff(username, refusal: OneWindowError | None = None, values=None):
    return render_template("admin/staff.html", person=service.staff(current_actor(), username),
                           refusal=refusal, values=values or {}), refusal.http_status if refusal else 200


@bp.route("/staff/<username>", methods=["POST"])
@require(ADMIN)
def update_staff(username):
    service.update_staff(current_actor(), username, service.staff_form(request.form, new=False))
    flash(_("已保存 %(username)s 的人员信息", username=username))
    return redirect(url_for("admin.staff", username=username))


@bp.route("/staff/<username>/deactivate", methods=["POST"])
@require(ADMIN)
def deactivate(username):
    service.deactivate(current_actor(), username)
    flash(_("已停用 %(username)s：不能再登录，已认领的任务退回队列，历史记录保留", username=username))
    return redirect(url_for("admin.staff", username=username))


@bp.route("/staff/<username>/password-reset", methods=["POST"])
@require(ADMIN)
def reset_password(username):
    view, one_time = service.reset_password(current_actor(), username)
    return render_template("admin/one_time.html", person=view, one_time=one_time)


@bp.route("/staff/<username>/authorisations", methods=["POST"])
@require(ADMIN)
def record_authorisation(username):
    service.record_authorisation(current_actor(), username, service.authorisation_form(request.form))
    flash(_("已登记授权书"))
    return redirect(url_for("admin.staff", username=username))


@bp.route("/windows")
@require(ADMIN)
def windows(refusal: OneWindowError | None = None, values=None):
    return render_template("admin/windows.html", windows=service.windows(current_actor()),
                           people=[person for person in service.staff_list(current_actor()) if person.active],
                           refusal=refusal, values=values or {}), refusal.http_status if refusal else 200


@bp.route("/windows", methods=["POST"])
@require(ADMIN)
def save_window():
    line = service.save_window(current_actor(), service.window_form(request.form))
    flash(_("已保存窗口 %(name)s", name=line.window.name))
    return redirect(url_for("admin.windows"))


@bp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    """The page again with the refusal and the form as typed; nothing was written."""
    if request.endpoint == "admin.create_staff":
        return staff_list(refusal=error, values=request.form)
    if request.endpoint == "admin.save_window":
        return windows(refusal=error, values=request.form)
    username = (request.view_args or {}).get("username")
    if username and request.method == "POST" and error.field != "username":
        return staff(username, refusal=error, values=request.form)
    return errors.handle_refusal(error)
