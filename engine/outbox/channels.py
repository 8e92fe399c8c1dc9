"""The channels a delivery goes out by, and their settings (``ONEWINDOW_NOTIFY_*``, engine/settings.py).

``log`` (the default) writes what would be sent to the log (the row keeps it too, so the demo shows
it); ``sms`` posts to an HTTP gateway; ``email`` goes through an SMTP server; every subscribed
system gets each event as a signed webhook (``webhook:<name>``). A channel's ``send`` returns
normally when the counterpart took the message and raises anything else when it did not.
"""

import hashlib
import hmac
import json
import logging
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage

from engine.errors import InvalidInput

log = logging.getLogger("onewindow.notifications")

LOG, SMS, EMAIL, WEBHOOK = "log", "sms", "email", "webhook"
PERSON_CHANNELS = (LOG, SMS, EMAIL)
SIGNATURE_HEADER, TIMESTAMP_HEADER = "X-OneWindow-Signature", "X-OneWindow-Timestamp"
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Subscription:
    """A system subscribed to every event (the provincial platform, the 好差评 system …)."""

    name: str
    url: str
    secret: str

    @property
    def channel(self) -> str:
        return f"{WEBHOOK}:{self.name}"


@dataclass(frozen=True)
class NotifyPolicy:
    channels: tuple[str, ...] = (LOG,)
    center_name: str = "政务服务中心"
    sms_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    sender: str = "onewindow@localhost"
    # {event kind: message template} replacing the built-in wording (engine/outbox/service.py).
    templates: dict = field(default_factory=dict)
    subscriptions: tuple[Subscription, ...] = ()
    max_attempts: int = 8
    backoff_seconds: float = 30.0
    max_backoff_seconds: float = 3600.0

    def __post_init__(self):
        unknown = [name for name in self.channels if name not in PERSON_CHANNELS]
        if unknown:
            raise InvalidInput(f"未知的通知渠道 {', '.join(unknown)} (unknown channel {', '.join(unknown)}; "
                               f"use {', '.join(PERSON_CHANNELS)})", field="channels")
        if SMS in self.channels and not self.sms_url:
            raise InvalidInput("短信渠道须配置网关地址 (the sms channel needs the gateway URL)", field="sms_url")
        if EMAIL in self.channels and not self.smtp_host:
            raise InvalidInput("邮件渠道须配置SMTP服务器 (the email channel needs the SMTP host)", field="smtp_host")
        names = [each.name for each in self.subscriptions]
        if len(set(names)) != len(names):
            raise InvalidInput("订阅系统名称重复 (a subscription name is given twice)", field="subscriptions")
        if self.max_attempts < 1 or self.backoff_seconds <= 0:
            raise InvalidInput("重试次数与间隔须为正数 (attempts and backoff must be positive)", field="max_attempts")

    def subscription(self, channel: str) -> Subscription | None:
        return next((each for each in self.subscriptions if each.channel == channel), None)

    def ordered(self, channel: str) -> bool:
        """Webhooks keep a case's events in order: the next waits until the previous was taken."""
        return channel.startswith(f"{WEBHOOK}:")


def unreachable(error: Exception) -> bool:
    """The counterpart did not answer at all (refused, timed out, hung up), as against answering no."""
    if isinstance(error, urllib.error.HTTPError):
        return False
    return isinstance(error, (ConnectionError, TimeoutError, urllib.error.URLError, smtplib.SMTPConnectError,
                              smtplib.SMTPServerDisconnected))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<raw body>`` (docs/events.md)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _post(url: str, body: bytes, headers: dict) -> None:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8", **headers})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (configured URL)
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


def send(policy: NotifyPolicy, channel: str, recipient: str, message: str, payload: dict, delivery_id: int,
         timestamp: str) -> None:
    """Hand one delivery to its counterpart; raises when it was not taken (HTTP errors raise too)."""
    if channel == LOG:
        log.info("notification to %s: %s", recipient, message)
    elif channel == SMS:
        _post(policy.sms_url, webhook_body({"to": recipient, "text": message, "id": delivery_id}), {})
    elif channel == EMAIL:
        mail = EmailMessage()
        mail["From"], mail["To"] = policy.sender, recipient
        mail["Subject"] = f"办件通知 {(payload.get('case') or {}).get('number') or ''}".strip()
        mail.set_content(message)
        with smtplib.SMTP(policy.smtp_host, policy.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.send_message(mail)
    else:
        subscription = policy.subscription(channel)
        if subscription is None:
            raise LookupError(f"no subscription {channel} in the settings")
        body = webhook_body(payload)
        _post(subscription.url, body, {TIMESTAMP_HEADER: timestamp, "X-OneWindow-Delivery": str(delivery_id),
                                       "X-OneWindow-Event": payload.get("type", ""),
                                       SIGNATURE_HEADER: signature(subscription.secret, timestamp, body)})
