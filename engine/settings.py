"""The engine's settings, read from ``ONEWINDOW_*`` environment variables without Flask.

The command line, the scheduler and the web app all build their :class:`CaseEngine` from
these, so a setting has one home whichever process runs. The web's own settings (secret
key, cookies, rate limits) live in ``web/config.py``.
"""

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from engine.appointments.service import AppointmentPolicy
from engine.clock import Clock
from engine.deadlines.states import WarningPolicy
from engine.errors import InvalidInput, halves
from engine.ledger.scores import BASIC, COMPETENT, EXCELLENT, ScoringPolicy
from engine.outbox import service as outbox
from engine.outbox.channels import NotifyPolicy, Subscription
from engine.runtime import CaseEngine
from engine.staff.tokens import TokenPolicy
from engine.supervision.policy import SupervisionPolicy

MODES = ("development", "production", "testing")
DEFAULT_CENTER_NAME = "示范市政务服务中心"


class SettingsError(ValueError):
    """A setting in the environment is missing or malformed; the message names the variable."""


def default_instance_folder() -> Path:
    """Where the embedded database lives: ``instance/`` beside a source checkout, or
    ``<prefix>/var/onewindow-instance`` when installed (the rule Flask uses for an app's instance folder)."""
    source = Path(__file__).resolve().parents[1]
    prefix = Path(sys.prefix).resolve()
    if source.is_relative_to(prefix) or source.name == "site-packages":
        return prefix / "var" / "onewindow-instance"
    return source / "instance"


def flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes")


_KINDS = {int: "a whole number", float: "a number", Decimal: "a number"}


def read_variable(environ: Mapping[str, str], name: str, convert: Callable, default):
    """``ONEWINDOW_<name>`` converted, or ``default`` when unset or empty."""
    variable = f"ONEWINDOW_{name}"
    raw = environ.get(variable)
    if not raw:
        return default
    try:
        return convert(raw)
    except (ValueError, InvalidOperation):
        raise SettingsError(f"{variable}={raw!r} is not {_KINDS.get(convert, 'valid')}") from None


@dataclass(frozen=True)
class EngineSettings:
    database_url: str
    mode: str = "development"
    case_number_prefix: str = "ZW"
    # The center's name on its pages, notices and exports.
    center_name: str = DEFAULT_CENTER_NAME
    workflow_cache_size: int = 256
    warnings: WarningPolicy = field(default_factory=WarningPolicy)
    scoring: ScoringPolicy = field(default_factory=ScoringPolicy)
    # API tokens: idle and absolute lifetimes (a clerk's working day by default).
    tokens: TokenPolicy = field(default_factory=TokenPolicy)
    # Supervision's limits; the one read from the environment: ONEWINDOW_RATING_CLOSE_DAYS.
    supervision: SupervisionPolicy = field(default_factory=SupervisionPolicy)
    instance_folder: Path = field(default_factory=default_instance_folder)
    # Notifications and status events (engine/outbox/): channels, gateways, subscribed systems.
    notify: NotifyPolicy = field(default_factory=NotifyPolicy)
    # Appointments (预约): how many working days ahead one may book (ONEWINDOW_APPOINTMENT_DAYS_AHEAD).
    appointments: AppointmentPolicy = field(default_factory=AppointmentPolicy)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> "EngineSettings":
        environ = os.environ if environ is None else environ
        mode = read_variable(environ, "CONFIG", str, "development")
        if mode not in MODES:
            raise SettingsError(f"ONEWINDOW_CONFIG={mode!r} is not one of {', '.join(MODES)}")
        database_url = read_variable(environ, "DATABASE_URL", str, None)
        if database_url is None and mode == "production":
            raise SettingsError("production needs ONEWINDOW_DATABASE_URL in the environment")
        instance_folder = default_instance_folder()

        def read(name, convert, default):
            return read_variable(environ, name, convert, default)

        return cls(
            database_url=database_url or f"sqlite:///{instance_folder / 'onewindow.sqlite'}",
            mode=mode,
            case_number_prefix=read("CASE_NUMBER_PREFIX", str, "ZW"),
            center_name=read("CENTER_NAME", str, DEFAULT_CENTER_NAME),
            workflow_cache_size=read("WORKFLOW_CACHE_SIZE", int, 256),
            warnings=_policy("ONEWINDOW_WARNING_*", WarningPolicy, days_left=read("WARNING_DAYS_LEFT", int, 2),
                             used_share=read("WARNING_USED_SHARE", float, 0.8)),
            scoring=_policy(
                "ONEWINDOW_GRADE_*, ONEWINDOW_EXCELLENT_SHARE", ScoringPolicy,
                grades=((EXCELLENT, read("GRADE_EXCELLENT", Decimal, Decimal(90))),
                        (COMPETENT, read("GRADE_COMPETENT", Decimal, Decimal(80))),
                        (BASIC, read("GRADE_BASIC", Decimal, Decimal(60)))),
                excellent_share=read("EXCELLENT_SHARE", Decimal, Decimal("0.15")),
                allowance_per_month=read("ALLOWANCE_PER_MONTH", Decimal, Decimal(100)),
                allowance_per_point=read("ALLOWANCE_PER_POINT", Decimal, Decimal(5))),
            tokens=_policy("ONEWINDOW_TOKEN_*", TokenPolicy,
                           idle=timedelta(minutes=read("TOKEN_IDLE_MINUTES", int, 120)),
                           lifetime=timedelta(minutes=read("TOKEN_LIFETIME_MINUTES", int, 600))),
            supervision=SupervisionPolicy(rating_close_days=_positive("RATING_CLOSE_DAYS",
                                                                      read("RATING_CLOSE_DAYS", int, 15))),
            instance_folder=instance_folder,
            appointments=_policy("ONEWINDOW_APPOINTMENT_DAYS_AHEAD", AppointmentPolicy,
                                 days_ahead=read("APPOINTMENT_DAYS_AHEAD", int, 10)),
            notify=notify_policy(environ, read_variable(environ, "CENTER_NAME", str, DEFAULT_CENTER_NAME)),
        )

    def open_engine(self, *, clock: Clock | None = None) -> CaseEngine:
        """A CaseEngine on this database with these settings (the caller disposes ``engine.db``)."""
        return CaseEngine(self.database_url, clock=clock, case_number_prefix=self.case_number_prefix,
                          workflow_cache_size=self.workflow_cache_size, warnings=self.warnings,
                          scoring=self.scoring, notify=self.notify, supervision=self.supervision,
                          appointments=self.appointments)


def _positive(name: str, value: int) -> int:
    if value < 1:
        raise SettingsError(f"ONEWINDOW_{name}={value} must be at least 1")
    return value


def _policy(variables: str, policy, **values):
    try:
        return policy(**values)
    except InvalidInput as error:
        chinese, english = halves(error.message)
        raise SettingsError(f"{variables}：{chinese} ({variables}: {english})") from None


def _subscriptions(environ: Mapping[str, str]) -> tuple[Subscription, ...]:
    """ONEWINDOW_NOTIFY_WEBHOOKS="platform=https://…,rating=https://…", each with its secret in
    ONEWINDOW_NOTIFY_WEBHOOK_SECRET_<NAME> (upper case)."""
    found = []
    for entry in filter(None, (part.strip() for part in read_variable(environ, "NOTIFY_WEBHOOKS", str, "").split(","))):
        name, _, url = entry.partition("=")
        name, url = name.strip(), url.strip()
        if not name or not url.startswith(("http://", "https://")):
            raise SettingsError(f"ONEWINDOW_NOTIFY_WEBHOOKS entry {entry!r} is not name=http(s)://url")
        secret = read_variable(environ, f"NOTIFY_WEBHOOK_SECRET_{name.upper()}", str, None)
        if not secret:
            raise SettingsError(f"ONEWINDOW_NOTIFY_WEBHOOK_SECRET_{name.upper()} is missing: a webhook is always signed")
        found.append(Subscription(name, url, secret))
    return tuple(found)


def _templates(environ: Mapping[str, str]) -> dict:
    """ONEWINDOW_NOTIFY_TEMPLATE_<KIND>: the wording of one event's message (engine/outbox/service.py)."""
    templates = {}
    for kind in outbox.MESSAGES:
        template = read_variable(environ, f"NOTIFY_TEMPLATE_{kind.upper()}", str, None)
        if template:
            try:
                outbox.check_template(kind, template)
            except ValueError as error:
                raise SettingsError(f"ONEWINDOW_NOTIFY_TEMPLATE_{kind.upper()}: {error}") from None
            templates[kind] = template
    return templates


def notify_policy(environ: Mapping[str, str], center_name: str) -> NotifyPolicy:
    def read(name, convert, default):
        return read_variable(environ, name, convert, default)

    channels = tuple(filter(None, (name.strip() for name in read("NOTIFY_CHANNELS", str, "log").split(","))))
    return _policy("ONEWINDOW_NOTIFY_*", NotifyPolicy, channels=channels, center_name=center_name,
                   sms_url=read("NOTIFY_SMS_URL", str, None), smtp_host=read("NOTIFY_SMTP_HOST", str, None),
                   smtp_port=read("NOTIFY_SMTP_PORT", int, 25),
                   sender=read("NOTIFY_SENDER", str, "onewindow@localhost"), templates=_templates(environ),
                   subscriptions=_subscriptions(environ), max_attempts=read("NOTIFY_MAX_ATTEMPTS", int, 8),
                   backoff_seconds=read("NOTIFY_BACKOFF_SECONDS", float, 30.0),
                   max_backoff_seconds=read("NOTIFY_MAX_BACKOFF_SECONDS", float, 3600.0))
