"""The notifications API: the outbox with each delivery's state, the channels with their counts
(supervisors and administrators), and sending a failed delivery again (administrators)."""

from engine.outbox.models import PENDING
from engine.roles import ADMINISTERING, NOTIFICATION_READERS
from web.access import current_actor, require
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
    (``pending`` with its attempts and next try, ``sent``, ``failed`` with the last error); filtered by
    state, channel, case number, event kind and the days (``from``, ``to``) the events happened."""
    total, items = service.lines(query, query["limit"], query["offset"])
    return {"total": total, "items": items}


@blp.route("/channels")
@require(*NOTIFICATION_READERS)
@blp.response(200, schemas.NotificationChannel(many=True))
def notification_channels():
    """The configured channels and subscribed systems (name, host, whether signed; never the secret), each
    with its deliveries pending, sent and failed and the age of its oldest pending one."""
    return service.channels()


@blp.route("/<int:delivery_id>/retry", methods=["POST"])
@require(*ADMINISTERING)
@blp.arguments(schemas.NotificationRetry)
@blp.response(200, schemas.RetriedDelivery)
def retry(fields, delivery_id):
    """Send a failed (given-up) delivery again with a ``reason``: pending, due now, a fresh attempt budget;
    recorded in the audit trail. 409 for one that is not failed."""
    return {"id": service.book().retry(current_actor(), delivery_id, fields["reason"]), "state": PENDING}


@blp.route("/retry", methods=["POST"])
@require(*ADMINISTERING)
@blp.arguments(schemas.ChannelRetry)
@blp.response(200, schemas.RetriedChannel)
def retry_channel(fields):
    """Send every failed delivery of one ``channel`` again (a receiver that was down), with a ``reason``."""
    return {"channel": fields["channel"],
            "retried": service.book().retry_channel(current_actor(), fields["channel"], fields["reason"])}
