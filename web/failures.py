"""Failures that are not the user's: the database is away or full (503/507, with Retry-After),
or something unexpected broke (500). The user is told what to do and, for the unexpected, a
reference; the detail goes to the log under that reference, never to the page.

The outage page stands alone (no navigation): rendering the usual layout would ask the
database who is signed in, and fail again.
"""

import logging

from flask import jsonify, render_template
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from engine.errors import new_reference
from web.errors import wants_json

log = logging.getLogger(__name__)

# How long a client waits before it tries again: PostgreSQL restarts in seconds.
RETRY_AFTER_SECONDS = 15
# PostgreSQL's SQLSTATE for "disk full".
_DISK_FULL = "53100"


def _outage(error) -> tuple[int, str, str]:
    """(status, code, message) for a database failure."""
    detail = str(getattr(error, "orig", "") or error).lower()
    if getattr(getattr(error, "orig", None), "sqlstate", None) == _DISK_FULL or "disk is full" in detail:
        return 507, "database_full", _("数据库存储空间已满，新的办理无法保存；请联系系统管理员")
    if "readonly database" in detail or "read-only" in detail:
        return 503, "database_read_only", _("数据库当前只读，新的办理无法保存；请联系系统管理员")
    return 503, "database_unavailable", _("数据库暂时无法连接，请稍后重试")


def handle_database_error(error):
    status, code, message = _outage(error)
    log.error("database failure (%s): %s", code, error)
    if wants_json():
        response = jsonify({"code": code, "message": message})
    else:
        response = render_template("unavailable.html", status=status, message=message)
    return response, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def handle_unexpected(error: Exception):
    reference = new_reference()
    log.exception("unexpected error %s", reference, exc_info=error)
    message = _("系统内部错误，请稍后重试；如再次出现，请向技术支持提供参考编号 %(reference)s", reference=reference)
    if wants_json():
        return jsonify({"code": "internal_error", "message": message, "reference": reference}), 500
    return render_template("unavailable.html", status=500, message=message), 500


def register(app) -> None:
    for database_error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(database_error, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
