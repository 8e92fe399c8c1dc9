"""The notifications API: the outbox with each delivery's state (supervisors and administrators)."""

from engine.roles import NOTIFICATION_READERS
from web.access import require
from web.api import api_blueprint
from web.notifications import schemas, service

blp = api_blueprint("notifications_api", __name__, "/notifications",
                    "The outbox: notifications to applicants and staff, status events to subscribed systems")


@blp.route("")
@require(*NOTIFICATION_READERS)
@blp.arguments(schemas.NotificationQuery, location="query")
@blp.response(200, schemas.NotificationPage)
def notifications(query):
    """Every delivery, newest first, with its event, channel, masked recipient, message and state
    (``pending`` with its attempts and next try, ``sent``, ``failed`` with the last error)."""
    total, items = service.lines(query.get("state"), query.get("channel"), query["limit"], query["offset"])
    return {"total": total, "items": items}
