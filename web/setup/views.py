"""The catalogue pages (办事指南管理): departments, items with their versions, sample and blank forms."""

from urllib.parse import quote

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.catalogue.export import to_toml
from engine.catalogue.loader import CATEGORIES
from engine.catalogue.models import (
    ATTACHMENT_KINDS,
    CASE_TYPES,
    DELIVERY_METHODS,
    MATERIAL_FORMS,
    REPORT_CLOCKS,
)
from engine.errors import OneWindowError
from engine.roles import ADMINISTERING
from web import errors
from web.access import current_actor, require
from web.setup import service

bp = Blueprint("setup", __name__, url_prefix="/admin")
# A new item's form offers this many blank material rows; an existing one as many more.
BLANK_MATERIAL_ROWS = 3
KIND_LABELS = {"sample": "示范文本", "blank": "空白表格"}


@bp.context_processor
def helpers():
    return {"categories": CATEGORIES, "case_types": CASE_TYPES, "delivery_methods": DELIVERY_METHODS,
            "material_forms": MATERIAL_FORMS, "report_clocks": REPORT_CLOCKS, "attachment_kinds": ATTACHMENT_KINDS,
            "kind_label": lambda kind: _(KIND_LABELS.get(kind, kind))}


@bp.route("/catalogue")
@require(*ADMINISTERING)
def catalogue():
    return _catalogue_page()


def _catalogue_page(refusal: OneWindowError | None = None, values=None):
    admin = service.catalogue_admin()
    return render_template("setup/catalogue.html", departments=admin.departments(), items=admin.items(),
                           refusal=refusal, values=values or {}), refusal.http_status if refusal else 200


@bp.route("/catalogue/departments", methods=["POST"])
@require(*ADMINISTERING)
def save_department():
    department = service.catalogue_admin().save_department(current_actor(), service.department_from_form(request.form))
    flash(_("已保存部门 %(name)s", name=department.name))
    return redirect(url_for("setup.catalogue"))


@bp.route("/catalogue/items/new")
@require(*ADMINISTERING)
def new_item():
    return _item_page(None)


@bp.route("/catalogue/items/<code>")
@require(*ADMINISTERING)
def item(code):
    return _item_page(service.catalogue_admin().item(code))


def _item_page(page, refusal: OneWindowError | None = None, values=None):
    admin = service.catalogue_admin()
    item = page.item if page else None
    materials = values.get("materials", []) if values else [
        {key: getattr(material, key) for key in service.MATERIAL_KEYS} for material in (item.materials if item else [])]
    return render_template("setup/item.html", page=page, item=item, values=values, departments=admin.departments(),
                           materials=materials + [{}] * BLANK_MATERIAL_ROWS, processes=admin.processes(),
                           refusal=refusal), refusal.http_status if refusal else 200


@bp.route("/catalogue/items", methods=["POST"])
@require(*ADMINISTERING)
def save_item():
    saved = service.catalogue_admin().save_item(current_actor(), service.item_from_form(request.form))
    flash(_("已保存事项 %(name)s（第 %(version)s 版）", name=saved.name, version=saved.version))
    return redirect(url_for("setup.item", code=saved.code))


@bp.route("/catalogue/items/<code>/attachments", methods=["POST"])
@require(*ADMINISTERING)
def add_attachment(code):
    upload = request.files.get("file")
    row = service.catalogue_admin().add_attachment(current_actor(), code, request.form.get("kind", ""),
                                                   upload.filename if upload else "", upload.read() if upload else b"")
    flash(_("已上传 %(file)s", file=row.filename))
    return redirect(url_for("setup.item", code=code))


@bp.route("/catalogue/attachments/<int:attachment_id>")
@require(*ADMINISTERING)
def attachment(attachment_id):
    row = service.catalogue_admin().attachment(attachment_id)
    return Response(row.data, mimetype=row.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}"})


@bp.route("/catalogue/export.toml")
@require(*ADMINISTERING)
def export():
    raw = service.catalogue_admin().export(current_app.config["CENTER_NAME"])
    return Response(to_toml(raw), mimetype="application/toml",
                    headers={"Content-Disposition": "attachment; filename=catalogue.toml"})


@bp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    """The page again with the refusal (the field named by its label) and the form as typed."""
    error = service.labelled(error)
    if request.endpoint == "setup.save_department":
        return _catalogue_page(error, request.form)
    if request.endpoint == "setup.save_item":
        values = service.item_from_form(request.form)
        page = None
        try:
            page = service.catalogue_admin().item(values.get("code", ""))
        except OneWindowError:
            pass  # a new item: there is no saved one to show beside the form
        return _item_page(page, error, values)
    return errors.handle_refusal(error)
