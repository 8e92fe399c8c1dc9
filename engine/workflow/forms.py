"""User-task forms: JSON Schema files that say which fields a task accepts.

Submitted data becomes task data, and task data keys become names in expressions, so a
field name may not start with ``_``, shadow a Python builtin or an expression function,
or overwrite data the engine put into the case. ``x-options-from`` on a string schema
names a data key whose list gives the allowed values (e.g. the item's material codes).
``x-choice-labels`` on an ``enum`` schema gives the words a page shows for its values
(``{"approve": "批准延期"}``); values without one are labelled by the web's common words.
"""

import builtins
import copy
import keyword

from jsonschema import Draft202012Validator

from engine.errors import InvalidInput, ProcessDefinitionError
from engine.validation import control_character_problem

OPTIONS_KEYWORD = "x-options-from"
CHOICE_LABELS_KEYWORD = "x-choice-labels"
_BUILTIN_NAMES = frozenset(dir(builtins))


def field_name_problem(name, forbidden: frozenset[str] | set[str]) -> str | None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        return "is not a valid field name"
    if name.startswith("_"):
        return "may not start with '_'"
    if name in _BUILTIN_NAMES:
        return "may not shadow a Python builtin"
    if name in forbidden:
        return "is reserved by the engine"
    return None


def check_form_schema(schema: dict, forbidden: frozenset[str]) -> None:
    Draft202012Validator.check_schema(schema)
    if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
        raise ProcessDefinitionError("表单须为 object 类型的 JSON Schema，且 additionalProperties 为 false "
                                     "(a form must be an object schema with additionalProperties false)")
    for name in schema.get("properties", {}):
        problem = field_name_problem(name, forbidden)
        if problem:
            raise ProcessDefinitionError(f"表单字段 '{name}' 不能用作字段名 (field '{name}' {problem})")
    _check_choice_labels(schema)


def _check_choice_labels(node) -> None:
    if isinstance(node, list):
        for value in node:
            _check_choice_labels(value)
        return
    if not isinstance(node, dict):
        return
    labels = node.get(CHOICE_LABELS_KEYWORD)
    if labels is not None:
        choices = node.get("enum")
        if not isinstance(choices, list) or not isinstance(labels, dict) \
                or not all(isinstance(label, str) and label.strip() for label in labels.values()):
            raise ProcessDefinitionError(f"{CHOICE_LABELS_KEYWORD} 须为选项值到名称的对照 "
                                         f"({CHOICE_LABELS_KEYWORD} must map enum values to labels)")
        unknown = sorted(set(labels) - {str(choice) for choice in choices})
        if unknown:
            values = ", ".join(unknown)
            raise ProcessDefinitionError(f"{CHOICE_LABELS_KEYWORD} 为不在 enum 中的值命名：{values} "
                                         f"({CHOICE_LABELS_KEYWORD} labels values not in the enum: {values})")
    for value in node.values():
        _check_choice_labels(value)


def resolve_options(schema: dict, data: dict) -> dict:
    """A copy of the schema with every ``x-options-from`` turned into an ``enum`` from data."""
    def walk(node):
        if isinstance(node, dict):
            source = node.get(OPTIONS_KEYWORD)
            if source is not None:
                values = data.get(source)
                node["enum"] = list(values) if isinstance(values, list) else []
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    resolved = copy.deepcopy(schema)
    walk(resolved)
    return resolved


def _error_field(error) -> str:
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        path += missing[:1]
    return ".".join(path) or "form"


def _control_characters(value, path: str = "") -> tuple[str, str] | None:
    """(field path, problem) of the first text in a submission holding a refused control character."""
    if isinstance(value, str):
        problem = control_character_problem(value)
        return None if problem is None else (path or "form", problem)
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if (found := _control_characters(item, f"{path}.{key}" if path else str(key))) is not None:
            return found
    return None


def validate_submission(schema: dict, data: dict, submitted, forbidden: frozenset[str]) -> dict:
    """Return a private deep copy of ``submitted`` if the form allows it, else raise InvalidInput."""
    if not isinstance(submitted, dict):
        raise InvalidInput("表单数据须为字段名到取值的对象 (the form data must be an object of field names to values)",
                           field="form")
    allowed = schema.get("properties", {})
    for name in submitted:
        problem = field_name_problem(name, forbidden)
        if problem:
            raise InvalidInput(f"field '{name}' {problem}", field=str(name), details={"rule": "unknown"})
        if name not in allowed:
            raise InvalidInput(f"field '{name}' is not part of this form ({', '.join(allowed)})", field=name,
                               details={"rule": "unknown"})
    if (refused := _control_characters(submitted)) is not None:
        field, problem = refused
        raise InvalidInput(f"{field} {problem}", field=field, details={"rule": "controlCharacters"})
    validator = Draft202012Validator(resolve_options(schema, data))
    errors = sorted(validator.iter_errors(submitted), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        error = errors[0]
        field = _error_field(error)
        raise InvalidInput(f"{field}: {error.message}", field=field, details=_error_details(error, schema, field))
    return copy.deepcopy(submitted)


# jsonschema keywords whose limit a person can read (a number, or the list of choices).
READABLE_LIMITS = {"minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                   "minItems", "maxItems", "enum", "format", "type"}


def _error_details(error, schema: dict, field: str) -> dict:
    """What the web needs to say the refusal in a person's language: the rule, its limit and
    the field's title from the form (the key itself is no label)."""
    node = _field_schema(schema, field.split("."))
    details = {"rule": error.validator, "label": node.get("title")}
    if error.validator in READABLE_LIMITS:
        labels = node.get(CHOICE_LABELS_KEYWORD, {})
        limit = error.validator_value
        details["limit"] = [labels.get(str(value), value) for value in limit] if error.validator == "enum" else limit
    return details


def _field_schema(schema: dict, path: list[str]) -> dict:
    node = schema
    for part in path:
        holder = node.get("items", {}) if "items" in node else node
        node = holder if part.isdigit() else holder.get("properties", {}).get(part, {})
    return node if node is not schema else {}
