"""JSON shapes of the setup API (marshmallow). Class names are unique across the API.

Departments, items and rule files are passed on as sent: the engine validates them with the
loader's own schemas (engine/catalogue/loader.py, engine/ledger/rules.py), one rule for files and the API."""

from marshmallow import INCLUDE, Schema, fields


class AsSent(Schema):
    """Any JSON object, checked by the engine's catalogue schema (the fields of a TOML [[items]] entry)."""

    class Meta:
        unknown = INCLUDE


class SetupDepartment(Schema):
    code = fields.Str()
    name = fields.Str()
    short_name = fields.Str()


class SetupMaterial(Schema):
    code = fields.Str()
    name = fields.Str()
    mandatory = fields.Bool()
    form = fields.Str()
    count = fields.Int()
    commitment_allowed = fields.Bool()
    note = fields.Str()


class SetupItemVersion(Schema):
    version = fields.Int()
    saved_at = fields.DateTime()
    saved_by = fields.Str()


class SetupAttachment(Schema):
    id = fields.Int()
    kind = fields.Str()
    filename = fields.Str()
    content_type = fields.Str()
    size = fields.Int()


class SetupItem(Schema):
    code = fields.Str()
    name = fields.Str()
    version = fields.Int(metadata={"description": "the current version; each changing save adds one"})
    active = fields.Bool()
    department = fields.Str(attribute="department_code")
    co_departments = fields.List(fields.Str(), attribute="co_department_codes")
    category = fields.Str()
    case_type = fields.Str()
    legal_limit_days = fields.Int()
    promised_limit_days = fields.Int()
    correction_window_days = fields.Int()
    extension_days = fields.Int()
    co_review_days = fields.Int()
    higher_authority = fields.Str()
    report_clock = fields.Str()
    fee = fields.Str()
    fee_basis = fields.Str()
    conditions = fields.Str()
    contacts = fields.Str()
    procedure = fields.Str()
    place = fields.Str()
    hours = fields.Str()
    delivery_options = fields.List(fields.Str())
    process = fields.Str(attribute="process_id")
    legal_basis = fields.Str()
    result_name = fields.Str()
    materials = fields.List(fields.Nested(SetupMaterial))


class SetupItemPage(Schema):
    item = fields.Nested(SetupItem)
    versions = fields.List(fields.Nested(SetupItemVersion))
    attachments = fields.List(fields.Nested(SetupAttachment))


class SetupCalendarDay(Schema):
    day = fields.Date()
    is_workday = fields.Bool()
    name = fields.Str()


class SetupCalendarYear(Schema):
    year = fields.Int()
    known = fields.Bool()
    source = fields.Str(allow_none=True)
    imported_at = fields.DateTime(allow_none=True)
    days = fields.List(fields.Nested(SetupCalendarDay))


class SetupProvisionalCase(Schema):
    number = fields.Str()
    due_date = fields.Date()


class SetupOutlook(Schema):
    next_year = fields.Int()
    next_year_known = fields.Bool()
    warn = fields.Bool(metadata={"description": "from November while next year's schedule is not imported"})
    provisional_cases = fields.List(fields.Nested(SetupProvisionalCase))


class SetupSchedule(Schema):
    schedule = fields.Str(required=True, metadata={"description": "CSV: date,kind,name (kind holiday|workday)"})
    source = fields.Str(load_default="", metadata={"description": "the official notice (required to import)"})


class SetupDayChange(Schema):
    day = fields.Date()
    before = fields.Str(metadata={"description": "holiday, workday or ordinary"})
    before_name = fields.Str()
    after = fields.Str()
    after_name = fields.Str()


class SetupPreview(Schema):
    year = fields.Int()
    changes = fields.List(fields.Nested(SetupDayChange))


class SetupImported(Schema):
    year = fields.Int()
    days = fields.Int()
    firmed_up = fields.Int(metadata={"description": "open cases whose provisional due date was recomputed"})


class SetupDayCorrection(Schema):
    day = fields.Date(required=True)
    kind = fields.Str(required=True, metadata={"description": "holiday, workday or ordinary"})
    name = fields.Str(load_default="")


class SetupProcessVersion(Schema):
    id = fields.Int(attribute="version.id")
    process_id = fields.Str(attribute="version.process_id")
    version = fields.Int(attribute="version.version")
    name = fields.Str(attribute="version.name")
    deployed_at = fields.DateTime(attribute="version.deployed_at")
    files = fields.Method("file_names")
    open_cases = fields.Int()
    latest = fields.Bool()

    def file_names(self, line):
        return sorted(line.version.files)


class SetupDeployed(Schema):
    process_id = fields.Str()
    version = fields.Int()


class SetupDiagram(Schema):
    bpmn = fields.Str()
    completed = fields.List(fields.Str())
    current = fields.List(fields.Str())


class SetupRulesFile(Schema):
    toml = fields.Str(required=True, metadata={"description": "the rule catalogue as TOML ([[rules]])"})


class SetupRule(Schema):
    code = fields.Str()
    name = fields.Str()
    category = fields.Str()
    points = fields.Decimal(places=1, as_string=True, metadata={
        "type": "string", "format": "decimal", "description": "sent as text (\"-4.0\"): exact, unlike a JSON number"})
    unit = fields.Str()
    veto = fields.Bool()
    trigger = fields.Str(allow_none=True)
    source = fields.Str()
    active = fields.Bool()


class SetupRuleSet(Schema):
    version = fields.Int()
    loaded_at = fields.DateTime()
    loaded_by = fields.Str()
    rule_count = fields.Method("count")

    def count(self, rule_set):
        return len(rule_set.rules)


class SetupRules(Schema):
    rules = fields.List(fields.Nested(SetupRule))
    versions = fields.List(fields.Nested(SetupRuleSet))
