"""The outbox page: what was sent and what failed, filtered by state and channel."""

from flask import Blueprint, render_template, request
from flask_babel import format_datetime
from flask_babel import gettext as _

from engine.outbox.models import DELIVERY_STATES
from engine.roles import NOTIFICATION_READERS
from web.access import require
from web.notifications import service

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
KIND_LABELS = {"notice_issued": "一次性告知", "accepted": "受理", "clock_stopped": "暂停计时", "extended": "延期",
               "decided": "作出决定", "ready_for_pickup": "待领取", "posted": "已寄出", "task_queued": "新待办",
               "task_yellow": "黄牌预警", "task_red": "红牌预警", "status_changed": "状态变更", "closed": "办结",
               "enquiry_answered": "咨询已答复",
               "appointment_booked": "预约成功", "appointment_cancelled": "预约取消",
               "pre_application_rejected": "网上预申请退回"}


@bp.context_processor
def helpers():
    return {"local_time": lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else "",
            "kind_label": lambda kind: _(KIND_LABELS.get(kind, kind))}


@bp.route("/")
@require(*NOTIFICATION_READERS)
def index():
    state = request.args.get("state") if request.args.get("state") in DELIVERY_STATES else None
    channel = (request.args.get("channel") or "")[:60] or None
    total, found = service.lines(state, channel)
    return render_template("notifications/index.html", lines=found, total=total, states=DELIVERY_STATES,
                           args=request.args)
