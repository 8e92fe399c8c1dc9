"""The outbox page: what was sent and what failed, filtered; the channels and their subscribers with
their counts; and (administrators) sending a failed delivery, or a channel's, again."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from engine.errors import OneWindowError
from engine.outbox.models import DELIVERY_STATES
from engine.outbox.service import MESSAGES
from engine.permissions import may_resend_notifications
from engine.roles import ADMINISTERING, NOTIFICATION_READERS
from web import errors, refusals
from web.access import current_actor, require
from web.notifications import service
from web.notifications.schemas import FILTERS

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
KIND_LABELS = {"notice_issued": "一次性告知", "accepted": "受理", "clock_stopped": "暂停计时", "extended": "延期",
               "decided": "作出决定", "ready_for_pickup": "待领取", "posted": "已寄出", "task_queued": "新待办",
               "task_yellow": "黄牌预警", "task_red": "红牌预警", "status_changed": "状态变更", "closed": "办结",
               "enquiry_answered": "咨询已答复", "enquiry_referred": "咨询待答复",
               "appointment_booked": "预约成功", "appointment_cancelled": "预约取消",
               "pre_application_rejected": "网上预申请退回"}
# Past this page nobody reads: the filters narrow the list instead.
LAST_PAGE = 100_000
CHANNEL_LABELS = {"log": "日志", "sms": "短信", "email": "电子邮件"}


def _age(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds >= 86400:
        return _("%(days)s 天 %(hours)s 小时", days=seconds // 86400, hours=seconds % 86400 // 3600)
    if seconds >= 3600:
        return _("%(hours)s 小时 %(minutes)s 分钟", hours=seconds // 3600, minutes=seconds % 3600 // 60)
    return _("%(minutes)s 分钟", minutes=seconds // 60)


@bp.context_processor
def helpers():
    actor = current_actor()
    return {"local_time": lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else "",
            "kind_label": lambda kind: _(KIND_LABELS.get(kind, kind)),
            "channel_label": lambda channel: _(CHANNEL_LABELS[channel]) if channel in CHANNEL_LABELS else channel,
            "age": _age, "kinds": tuple(MESSAGES),
            "may_resend": actor is not None and may_resend_notifications(actor).allowed}


@bp.route("/")
@require(*NOTIFICATION_READERS)
def index():
    refusal = None
    try:
        filters = service.query(request.args.to_dict())
    except OneWindowError as error:
        refusal, filters = error, service.query({})
    page = min(max(1, request.args.get("page", 1, type=int) or 1), LAST_PAGE)
    total, found = service.lines(filters, service.PAGE_SIZE, (page - 1) * service.PAGE_SIZE)
    shown = {name: request.args.get(name, "") for name in FILTERS}
    html = render_template("notifications/index.html", lines=found, total=total, states=DELIVERY_STATES,
                           args=shown, refusal=refusal, channels=service.channels(), page=page,
                           last_page=max(1, -(-total // service.PAGE_SIZE)),
                           query_args={name: value for name, value in shown.items() if value})
    return html, refusal.http_status if refusal else 200


@bp.route("/<int:delivery_id>/retry", methods=["POST"])
@require(*ADMINISTERING)
def retry(delivery_id):
    service.book().retry(current_actor(), delivery_id, request.form.get("reason"))
    flash(_("已重新发送：该通知将在下一次发送时送出"))
    return redirect(url_for("notifications.index"), 303)


@bp.route("/retry", methods=["POST"])
@require(*ADMINISTERING)
def retry_channel():
    count = service.book().retry_channel(current_actor(), request.form.get("channel"), request.form.get("reason"))
    flash(_("已重新发送渠道 %(channel)s 的 %(count)s 条失败通知", channel=request.form.get("channel"), count=count))
    return redirect(url_for("notifications.index"), 303)


@bp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    """A refused form: back to the page with the refusal said in the person's language; nothing was written."""
    if request.method != "POST":
        return errors.handle_refusal(error)
    flash(refusals.explain(error), "error")
    return redirect(url_for("notifications.index"), 303)
