"""Task forms from their JSON Schema: the fields a page shows, and a posted form read back
into exactly the JSON the engine's ``validate_submission`` checks.

Field names in the page are the paths the engine names in its errors: ``opinion``,
``postal_address.recipient``, ``material_defects.0.problem``. A checkbox sends ``true``
and an unticked one counts as ``false``; a list of checkboxes is always sent, empty when
nothing is ticked; an empty text box is left out, so an optional field stays unset and a
required one is reported as missing by the engine.
"""

from dataclasses import dataclass, field

from flask_babel import gettext

from engine.workflow.forms import CHOICE_LABELS_KEYWORD, OPTIONS_KEYWORD

# Labels of enum values that are codes rather than words, unless the form's schema labels
# them (x-choice-labels). Translated when shown.
CHOICE_LABELS = {
    "approve": "准予许可", "reject": "不予许可",
    "submit": "申请人已补正，重新提交材料", "withdraw": "申请人撤回申请",
    "pickup": "窗口领取", "post": "邮寄送达",
    "same_city": "同城", "in_province": "省内", "out_of_province": "省外",
    "agree": "同意", "object": "有异议", "meeting": "提请联席会议",
    "supplied": "申请人已补交", "refer_to_chief": "逾期未补交，报首席代表",
    "release": "放行，发放结果", "withhold": "暂不放行",
}
# Where the names of ``x-options-from`` codes are found in task data: list key, code key, name key.
OPTION_NAMES = {"material_codes": ("materials", "code", "name")}
# Up to this many choices are radio buttons; more become a drop-down list.
MAX_RADIO_CHOICES = 6
# Text longer than this gets a text area.
TEXTAREA_FROM = 200
BLANK_ROWS = 2
# A string with this pattern is a day (YYYY-MM-DD): the browser's date picker sends exactly that.
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
COMMITTED_MATERIALS = "committed_materials"


class _Missing:
    """A field left empty: not sent to the engine."""


MISSING = _Missing()


@dataclass
class Field:
    key: str
    title: str
    widget: str  # radio, select, checkboxes, lines, checkbox, text, textarea, number, date, rows, group
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    max_items: int | None = None
    must_be_true: bool = False
    required_when: list[tuple[str, str]] = field(default_factory=list)
    # "field=value" choices under which the field applies (the schema's if/then); empty: always
    shown_when: list[str] = field(default_factory=list)
    children: list["Field"] = field(default_factory=list)


def choice_label(value, node: dict | None = None, data: dict | None = None) -> str:
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    source = OPTION_NAMES.get((node or {}).get(OPTIONS_KEYWORD))
    if source and data:
        list_key, code_key, name_key = source
        names = {entry.get(code_key): entry.get(name_key) for entry in data.get(list_key) or []
                 if isinstance(entry, dict)}
        if value in names:
            return f"{value} {names[value]}"
    labelled = (node or {}).get(CHOICE_LABELS_KEYWORD) or {}
    return gettext(labelled.get(value) or CHOICE_LABELS.get(value, str(value)))


def _title(key: str, node: dict) -> str:
    title = node.get("title")  # a variable, not node["title"]: message extraction would take "title" for a message
    return gettext(title) if title else key


def _conditions(schema: dict, part: str = "required") -> dict[str, list[tuple[str, object]]]:
    """``allOf`` if/then rules: field -> [(other field, value)] under which it is required (``part``
    "required"), or under which it applies at all (``part`` "properties": named in ``then.properties``)."""
    found: dict[str, list[tuple[str, object]]] = {}
    for rule in schema.get("allOf", []):
        condition = rule.get("if", {}).get("properties", {})
        for name in rule.get("then", {}).get(part, []):
            for other, test in condition.items():
                if "const" in test:
                    found.setdefault(name, []).append((other, test["const"]))
    return found


def fields_of(schema: dict, data: dict, *, nested: bool = False) -> list[Field]:
    """The fields of an object schema whose ``x-options-from`` are already resolved to enums."""
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    conditions = _conditions(schema)
    applies = {key: conditions.get(key, []) + found for key, found in _conditions(schema, "properties").items()}
    fields = []
    for key, node in properties.items():
        item = _field(key, node, data, nested)
        if key == COMMITTED_MATERIALS and not _only_commitment_materials(item, data):
            continue  # nothing of this item may be accepted on a commitment: no 容缺 section
        item.required = key in required
        item.required_when = [(_title(other, properties.get(other, {})), choice_label(value, properties.get(other),
                                                                                       data))
                              for other, value in conditions.get(key, [])]
        item.shown_when = [f"{other}={_token(value)}" for other, value in applies.get(key, conditions.get(key, []))]
        fields.append(item)
    return fields


def _token(value) -> str:
    """A choice as the page's inputs send it (booleans as true/false)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _only_commitment_materials(item: Field, data: dict) -> bool:
    """容缺 rows offer only the materials the service guide allows on commitment (the engine refuses
    others); False when there is none."""
    allowed = {m.get("code") for m in data.get("materials") or [] if isinstance(m, dict) and m.get("commitment_allowed")}
    offered = False
    for child in item.children:
        if child.key == "code":
            child.options = [(value, label) for value, label in child.options if value in allowed]
            offered = bool(child.options)
    return offered


def _field(key: str, node: dict, data: dict, nested: bool) -> Field:
    title, kind = _title(key, node), node.get("type")
    if kind == "boolean":
        return Field(key, title, "checkbox", must_be_true=node.get("const") is True)
    if kind in ("integer", "number"):
        return Field(key, title, "number")
    if kind == "object":
        return Field(key, title, "group", children=fields_of(node, data, nested=True))
    if kind == "array":
        items = node.get("items", {})
        if items.get("type") == "object":
            return Field(key, title, "rows", max_items=node.get("maxItems"),
                         children=fields_of(items, data, nested=True))
        if "enum" in items:
            return Field(key, title, "checkboxes", max_items=node.get("maxItems"),
                         options=[(value, choice_label(value, items, data)) for value in items["enum"]])
        return Field(key, title, "lines", max_items=node.get("maxItems"))
    if "enum" in node:
        options = [(value, choice_label(value, node, data)) for value in node["enum"]]
        widget = "radio" if not nested and len(options) <= MAX_RADIO_CHOICES else "select"
        return Field(key, title, widget, options=options)
    if node.get("pattern") == DATE_PATTERN:
        return Field(key, title, "date", pattern=DATE_PATTERN)
    widget = "textarea" if (node.get("maxLength") or 0) > TEXTAREA_FROM else "text"
    return Field(key, title, widget, max_length=node.get("maxLength"), min_length=node.get("minLength"),
                 pattern=node.get("pattern"))


def submission(fields: list[Field], form, prefix: str = "") -> dict:
    """The JSON the engine is given for a posted form (a werkzeug MultiDict)."""
    values = {}
    for item in fields:
        value = _read(item, form, prefix + item.key)
        if value is not MISSING:
            values[item.key] = value
    return values


def _read(item: Field, form, name: str):
    if item.widget == "checkbox":
        return form.get(name) == "true"
    if item.widget == "checkboxes":
        return [value for value in form.getlist(name) if value]
    if item.widget == "lines":
        return [line.strip() for line in form.get(name, "").splitlines() if line.strip()]
    if item.widget == "rows":
        rows = []
        for index in _row_indexes(form, name):
            row = submission(item.children, form, f"{name}.{index}.")
            if any(value not in (MISSING, False, []) for value in row.values()):
                rows.append(row)
        return rows
    if item.widget == "group":
        group = submission(item.children, form, name + ".")
        return group if any(value not in (False, []) for value in group.values()) else MISSING
    text = form.get(name, "").strip()
    if not text:
        return MISSING
    if item.widget == "number":
        # Not a number: sent as typed, so the engine names the field in its answer.
        for convert in (int, float):
            try:
                return convert(text)
            except ValueError:
                continue
    return text


def field_title(fields: list[Field], path: str) -> str:
    """People's words for an engine field path: ``material_defects.0.problem`` -> 材料问题 › 第1行 › 问题."""
    titles, current = [], fields
    for part in path.split("."):
        if part.isdigit():
            titles.append(gettext("第%(number)s行", number=int(part) + 1))
            continue
        found = next((item for item in current if item.key == part), None)
        if found is None:
            break
        titles.append(found.title)
        current = found.children
    return " › ".join(titles)


def initial_values(fields: list[Field], data: dict) -> dict:
    """A new form starts with the ticks the case already has (materials the window holds)."""
    return {item.key: list(data[item.key]) for item in fields
            if item.widget == "checkboxes" and isinstance(data.get(item.key), list)}


def _row_indexes(form, name: str) -> list[int]:
    start = name + "."
    indexes = {key[len(start):].split(".", 1)[0] for key in form.keys() if key.startswith(start)}
    return sorted(int(index) for index in indexes if index.isdigit())


def row_count(item: Field, value) -> int:
    """Rows to show: those filled in, plus blank ones to add more (within maxItems)."""
    filled = len(value) if isinstance(value, list) else 0
    wanted = filled + BLANK_ROWS
    return min(wanted, item.max_items) if item.max_items else wanted


def display(schema: dict | None, values: dict, data: dict) -> list[tuple[str, str]]:
    """(label, text) pairs of a submitted form, in the form's order, for people to read."""
    properties = (schema or {}).get("properties", {})
    pairs = []
    for key in list(properties) + [key for key in values if key not in properties]:
        if key in values:
            pairs.append((_title(key, properties.get(key, {})), _text(values[key], properties.get(key, {}), data)))
    return pairs


def _text(value, node: dict, data: dict) -> str:
    if isinstance(value, list):
        items = node.get("items", {})
        if not value:
            return gettext("无")
        return "；".join(_text(entry, items, data) for entry in value)
    if isinstance(value, dict):
        return "，".join(f"{label}：{text}" for label, text in display(node, value, data))
    if isinstance(value, bool) or "enum" in node or OPTIONS_KEYWORD in node:
        return choice_label(value, node, data)
    return str(value)
