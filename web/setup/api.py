"""Center setup API: the catalogue, calendar, process versions and scoring rules, for the administrator;
the same engine calls as the pages and the CLI. Refusals are 4xx JSON naming the field by its label."""

from flask import request

from engine.errors import OneWindowError
from engine.roles import ADMINISTERING
from web import errors
from web.access import current_actor, require
from web.api import api_blueprint
from web.setup import schemas, service

blp = api_blueprint("setup_api", __name__, "/admin", "Center setup (中心设置): catalogue with item versions, "
                    "working-day calendar, process versions, scoring rules — administrator only")


@blp.errorhandler(OneWindowError)
def refused(error: OneWindowError):
    return errors.handle_refusal(service.labelled(error))


@blp.route("/catalogue/departments")
@require(*ADMINISTERING)
@blp.response(200, schemas.SetupDepartment(many=True))
def departments():
    return service.catalogue_admin().departments()


@blp.route("/catalogue/departments", methods=["POST"])
@require(*ADMINISTERING)
@blp.arguments(schemas.AsSent)
@blp.response(200, schemas.SetupDepartment)
def save_department(raw):
    """Create or rename a department (code, name, short_name)."""
    return service.catalogue_admin().save_department(current_actor(), raw)


@blp.route("/catalogue/items")
@require(*ADMINISTERING)
@blp.response(200, schemas.SetupItem(many=True))
def items():
    return service.catalogue_admin().items()


@blp.route("/catalogue/items/<code>")
@require(*ADMINISTERING)
@blp.response(200, schemas.SetupItemPage)
def item(code):
    """An item with its versions (newest first) and its sample and blank forms."""
    return service.catalogue_admin().item(code)


@blp.route("/catalogue/items", methods=["POST"])
@require(*ADMINISTERING)
@blp.arguments(schemas.AsSent)
@blp.response(200, schemas.SetupItem)
def save_item(raw):
    """Create or change an item (the fields of a catalogue TOML [[items]] entry); a change adds a version."""
    return service.catalogue_admin().save_item(current_actor(), raw)


@blp.route("/catalogue/items/<code>/attachments", methods=["POST"])
@require(*ADMINISTERING)
@blp.response(201, schemas.SetupAttachment)
def add_attachment(code):
    """Upload a sample or blank form: multipart ``kind`` (sample|blank) and ``file`` (PDF, Word, Excel,
    PNG, JPG; at most 5 MiB; its content must match its type)."""
    upload = request.files.get("file")
    return service.catalogue_admin().add_attachment(current_actor(), code, request.form.get("kind", ""),
                                                    upload.filename if upload else "",
                                                    upload.read() if upload else b"")


@blp.route("/calendar/outlook")
@require(*ADMINISTERING)
@blp.response(200, schemas.SetupOutlook)
def outlook():
    """From November: whether next year is unknown, and the open cases whose due dates are provisional."""
    return service.center_admin().outlook()


@blp.route("/calendar/<int:year>")
@require(*ADMINISTERING)
@blp.response(200, schemas.SetupCalendarYear)
def calendar_year(year):
    return service.center_admin().calendar_year(year)


@blp.route("/calendar/preview", methods=["POST"])
@require(*ADMINISTERING)
@blp.arguments(schemas.SetupSchedule)
@blp.response(200, schemas.SetupPreview)
def preview_calendar(body):
    """What importing the schedule would change, day by day; nothing is written."""
    year, changes = service.center_admin().preview_calendar(body["schedule"])
    return {"year": year, "changes": changes}


@blp.route("/calendar/import", methods=["POST"])
@require(*ADMINISTERING)
@blp.arguments(schemas.SetupSchedule)
@blp.response(200, schemas.SetupImported)
def import_calendar(body):
    """Replace the year's schedule and firm up the provisional due dates falling in it."""
    year, days, firmed = service.center_admin().import_calendar(current_actor(), body["schedule"], body["source"])
    return {"year": year, "days": days, "firmed_up": firmed}


@blp.route("/calendar/days", methods=["POST"])
@require(*ADMINISTERING)
@blp.arguments(schemas.SetupDayCorrection)
@blp.response(200, schemas.SetupDayChange)
def correct_day(body):
    """Correct one day of a known year."""
    return service.center_admin().correct_day(current_actor(), body["day"], body["kind"], body["name"])


@blp.route("/processes")
@require(*ADMINISTERING)
@blp.response(200, schemas.SetupProcessVersion(many=True))
def processes():
    """Every deployed version, newest first per process, with its open cases."""
    return service.center_admin().process_versions()


@blp.route("/processes/<int:version_id>/diagram")
@require(*ADMINISTERING)
@blp.response(200, schemas.SetupDiagram)
def process_diagram(version_id):
    version = service.center_admin().process_version(version_id)
    bpmn = next(text for name, text in sorted(version.files.items()) if name.endswith(".bpmn"))
    return {"bpmn": bpmn, "completed": [], "current": []}


@blp.route("/processes", methods=["POST"])
@require(*ADMINISTERING)
@blp.response(201, schemas.SetupDeployed(many=True))
def deploy():
    """Deploy an uploaded bundle: multipart ``files`` (.bpmn, .dmn, form .json), the checks of
    `onewindow process deploy`; an unchanged model adds no version (empty list)."""
    files = {upload.filename: upload.read() for upload in request.files.getlist("files") if upload.filename}
    return service.center_admin().deploy_upload(current_actor(), files)


@blp.route("/scoring/rules")
@require(*ADMINISTERING)
@blp.response(200, schemas.SetupRules)
def rules():
    rules, sets = service.center_admin().scoring_rules()
    return {"rules": rules, "versions": sets}


@blp.route("/scoring/rules", methods=["POST"])
@require(*ADMINISTERING)
@blp.arguments(schemas.SetupRulesFile)
@blp.response(200, schemas.SetupRules)
def load_rules(body):
    """Load a rule catalogue (validated as `onewindow ledger rules`); different rules add a version."""
    service.center_admin().load_rules(current_actor(), service.rules_from_text(body["toml"]))
    rules, sets = service.center_admin().scoring_rules()
    return {"rules": rules, "versions": sets}
