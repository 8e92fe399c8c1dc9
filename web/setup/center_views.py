"""The calendar, process version, scoring rule and working hour pages of center setup."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.calendar.service import HOLIDAY, ORDINARY, WORKDAY
from engine.errors import OneWindowError
from engine.roles import ADMINISTERING
from web import errors
from web.access import case_engine, current_actor, require
from web.setup import service

bp = Blueprint("setup_center", __name__, url_prefix="/admin")
HOUR_FIELDS = ("first_day", "last_day", "morning_start", "morning_end", "afternoon_start", "afternoon_end")
DAY_KINDS = {HOLIDAY: "休息（节假日）", WORKDAY: "上班（调休）", ORDINARY: "恢复为普通日"}


@bp.context_processor
def helpers():
    return {"day_kinds": DAY_KINDS, "day_kind": lambda kind: _(DAY_KINDS.get(kind, kind))}


@bp.route("/calendar")
@require(*ADMINISTERING)
def calendar():
    return _calendar_page()


def _calendar_page(refusal: OneWindowError | None = None, values=None):
    admin = service.center_admin()
    today = case_engine().clock.today()
    year = request.args.get("year", type=int) or today.year
    if not 2000 <= year <= 2100:
        year = today.year
    return render_template("setup/calendar.html", view=admin.calendar_year(year), years=admin.calendar_years(),
                           outlook=admin.outlook(), refusal=refusal, values=values or {}), \
        refusal.http_status if refusal else 200


@bp.route("/calendar/preview", methods=["POST"])
@require(*ADMINISTERING)
def preview_calendar():
    text = service.uploaded_text(request.files.get("schedule"), "schedule")
    source = request.form.get("source", "").strip()
    year, changes = service.center_admin().preview_calendar(text)
    return render_template("setup/calendar_preview.html", year=year, changes=changes, schedule=text, source=source)


@bp.route("/calendar/import", methods=["POST"])
@require(*ADMINISTERING)
def import_calendar():
    year, days, firmed = service.center_admin().import_calendar(current_actor(), request.form.get("schedule", ""),
                                                                request.form.get("source", ""))
    flash(_("已导入 %(year)s 年日历 %(days)s 天；%(firmed)s 件办件的暂定期限已确定", year=year, days=days, firmed=firmed))
    return redirect(url_for("setup_center.calendar", year=year))


@bp.route("/calendar/days", methods=["POST"])
@require(*ADMINISTERING)
def correct_day():
    day = service.parse_day(request.form.get("day", ""))
    change = service.center_admin().correct_day(current_actor(), day, request.form.get("kind", ""),
                                                request.form.get("name", ""))
    flash(_("已更正 %(day)s：%(kind)s", day=day.isoformat(), kind=_(DAY_KINDS[change.after])))
    return redirect(url_for("setup_center.calendar", year=day.year))


@bp.route("/processes")
@require(*ADMINISTERING)
def processes():
    return _processes_page()


def _processes_page(refusal: OneWindowError | None = None):
    return render_template("setup/processes.html", lines=service.center_admin().process_versions(),
                           refusal=refusal), refusal.http_status if refusal else 200


@bp.route("/processes/<int:version_id>")
@require(*ADMINISTERING)
def process_version(version_id):
    version = service.center_admin().process_version(version_id)
    return render_template("setup/process.html", version=version)


@bp.route("/processes", methods=["POST"])
@require(*ADMINISTERING)
def deploy():
    files = {upload.filename: upload.read() for upload in request.files.getlist("files") if upload.filename}
    versions = service.center_admin().deploy_upload(current_actor(), files)
    flash(_("已部署：%(versions)s", versions="、".join(f"{v.process_id} v{v.version}" for v in versions))
          if versions else _("流程没有变化，未生成新版本"))
    return redirect(url_for("setup_center.processes"))


@bp.route("/scoring")
@require(*ADMINISTERING)
def scoring():
    return _scoring_page()


def _scoring_page(refusal: OneWindowError | None = None):
    rules, sets = service.center_admin().scoring_rules()
    return render_template("setup/scoring.html", rules=rules, sets=sets, refusal=refusal), \
        refusal.http_status if refusal else 200


@bp.route("/scoring", methods=["POST"])
@require(*ADMINISTERING)
def load_rules():
    raw = service.rules_from_text(service.uploaded_text(request.files.get("toml"), "toml"))
    rules = service.center_admin().load_rules(current_actor(), raw)
    flash(_("已载入 %(count)s 条考核规则", count=len(rules)))
    return redirect(url_for("setup_center.scoring"))


@bp.route("/hours")
@require(*ADMINISTERING)
def hours():
    return _hours_page()


def _hours_page(refusal: OneWindowError | None = None):
    return render_template("setup/hours.html", schedule=service.center_admin().working_hours(), refusal=refusal), \
        refusal.http_status if refusal else 200


@bp.route("/hours", methods=["POST"])
@require(*ADMINISTERING)
def save_hours():
    season = request.form.get("season", "")
    fields = {name: (request.form.get(name) or "").strip() or None for name in HOUR_FIELDS}
    service.center_admin().save_working_hours(current_actor(), season, fields)
    flash(_("作息时间已保存"))
    return redirect(url_for("setup_center.hours"))


@bp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    """The page again with the refusal, its field named by its label; nothing was written."""
    error = service.labelled(error)
    if request.endpoint in ("setup_center.preview_calendar", "setup_center.import_calendar",
                            "setup_center.correct_day"):
        return _calendar_page(error, request.form)
    if request.endpoint == "setup_center.deploy":
        return _processes_page(error)
    if request.endpoint == "setup_center.load_rules":
        return _scoring_page(error)
    if request.endpoint == "setup_center.save_hours":
        return _hours_page(error)
    return errors.handle_refusal(error)
