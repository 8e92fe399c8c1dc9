"""Task pages: the inbox (department queue, window queue, mine) and the task page with its form."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from engine.errors import OneWindowError
from engine.permissions import acting_for, task_actions
from engine.roles import TASK_HOLDERS
from web.access import current_actor, require
from web.back_office import service as back_office
from web.tasks import forms, service
from web.tasks.clock import EXTEND, SUSPEND, clock_panel

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
DEADLINE_LABELS = {"normal": "正常", "yellow": "预警", "red": "超期"}
STEP_LABELS = {"create": "收件", "complete": "完成", "claim": "认领", "unclaim": "退回", "timer": "期限届满",
               "suspend": "暂停计时", "request_extension": "申请延期"}
TASK_STATE_LABELS = {"open": "待办", "completed": "已办结", "cancelled": "已取消"}


@bp.context_processor
def helpers():
    return {"local_time": lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else "",
            "long_date": lambda value: format_date(value, "long") if value else "",
            "deadline_label": lambda state: _(DEADLINE_LABELS.get(state, state)),
            "step_label": lambda action: _(STEP_LABELS.get(action, action)),
            "task_state_label": lambda state: _(TASK_STATE_LABELS.get(state, state)),
            "acting_for": lambda row: acting_for(current_actor(), row),
            "choice_label": forms.choice_label, "row_count": forms.row_count, "field_title": forms.field_title}


@bp.route("/")
@require(*TASK_HOLDERS)
def inbox():
    mine = request.args.get("mine") == "1"
    return render_template("tasks/inbox.html", rows=service.inbox(current_actor(), mine), mine=mine)


@bp.route("/<task_id>")
@require(*TASK_HOLDERS)
def task(task_id):
    return _task_page(task_id)


def _task_page(task_id, *, values: dict | None = None, refusal: OneWindowError | None = None, status: int = 200,
               clock_refusal: tuple[str, OneWindowError] | None = None):
    """The task page; ``clock_refusal``: (which clock form, the engine's refusal) to show beside that form."""
    actor = current_actor()
    detail = service.task_detail(actor, task_id)
    steps = [(step, forms.display(step.schema, step.form, detail.data)) for step in detail.steps]
    fields = forms.fields_of(detail.form, detail.data)
    if values is None:
        values = forms.initial_values(fields, detail.data)
    return render_template("tasks/task.html", detail=detail, summary=service.case_summary(actor, detail), steps=steps,
                           fields=fields, values=values, may=task_actions(actor, detail.task),
                           refusal=refusal, clock=clock_panel(actor, detail, clock_refusal)), status


def _back_to(task_id) -> str:
    """Where the claim or release was asked from (a task page), else the task page.

    Only paths under /tasks/: anything else could send the user to another site.
    """
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/tasks/") and "\\" not in target and not parts.scheme and not parts.netloc:
        return target
    return url_for("tasks.task", task_id=task_id)


@bp.route("/<task_id>/claim", methods=["POST"])
@require(*TASK_HOLDERS)
def claim(task_id):
    return _assign(task_id, service.claim, "已认领：%(case)s %(task)s")


@bp.route("/<task_id>/unclaim", methods=["POST"])
@require(*TASK_HOLDERS)
def unclaim(task_id):
    return _assign(task_id, service.unclaim, "已退回待办队列：%(case)s %(task)s")


def _assign(task_id, action, message: str):
    try:
        listing = action(current_actor(), task_id)
    except OneWindowError as refusal:
        return _task_page(task_id, refusal=refusal, status=refusal.http_status)
    flash(_(message, case=listing.case_number, task=listing.task.name))
    return redirect(_back_to(task_id), code=303)


@bp.route("/<task_id>/complete", methods=["POST"])
@require(*TASK_HOLDERS)
def complete(task_id):
    actor = current_actor()
    detail = service.task_detail(actor, task_id)
    values = forms.submission(forms.fields_of(detail.form, detail.data), request.form)
    try:
        done = service.complete(actor, task_id, values)
    except OneWindowError as refusal:
        return _task_page(task_id, values=values, refusal=refusal, status=refusal.http_status)
    flash(_("已办理：%(case)s %(task)s，办件状态：%(status)s", case=done.case_number, task=done.task_name,
            status=done.case_status))
    if done.next_task_id:
        return redirect(url_for("tasks.task", task_id=done.next_task_id), code=303)
    return redirect(url_for("tasks.inbox"), code=303)


@bp.route("/<task_id>/suspend", methods=["POST"])
@require("approver", "chief")
def suspend(task_id):
    """暂停计时 from the task page: the case's clock stops until the 恢复计时 task is done."""
    return _clock_action(task_id, SUSPEND, lambda actor, number: back_office.suspend(
        actor, number, request.form.get("kind", ""), request.form.get("reason", "")), "已暂停计时：%(case)s")


@bp.route("/<task_id>/extension", methods=["POST"])
@require("approver", "chief")
def extension(task_id):
    """申请延期 from the task page: the department's chief representative decides."""
    return _clock_action(task_id, EXTEND, lambda actor, number: back_office.request_extension(
        actor, number, request.form.get("reason", "")), "已提交延期申请：%(case)s")


def _clock_action(task_id, which: str, action, message: str):
    actor = current_actor()
    listing = service.listing(actor, task_id)  # the task must be one this actor may act on
    try:
        action(actor, listing.case_number)
    except OneWindowError as refusal:
        return _task_page(task_id, clock_refusal=(which, refusal), status=refusal.http_status)
    flash(_(message, case=listing.case_number))
    return redirect(url_for("tasks.task", task_id=task_id), code=303)
