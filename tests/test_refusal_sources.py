"""Every refusal the engine, the CLI and the web areas raise carries a Chinese sentence.

The pages and the API show the half of a bilingual "中文 (English)" message in the request's
language (``web.refusals.one_language``); a refusal that names a rule in ``details`` is said by
``web.refusals`` with the field's label. This walks the source (ast) and fails on any
``OneWindowError`` subclass built with an English-only message and no rule (or library reason)
in ``details``, and on a bilingual message whose English half ``one_language`` could not find;
the same for the marshmallow reasons the engine and the web schemas word themselves.
"""

import ast
import re
from pathlib import Path

from engine.errors import BILINGUAL
from web.refusals import LIBRARY_REASONS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("engine", "cli", "web", "scheduler")
HAN = re.compile(r"[\u4e00-\u9fff]")
# A value put into a message; it never holds parentheses or Chinese in the checked shape.
PLACEHOLDER = "x"
# A message already in the request's language (the web areas' own refusals).
GETTEXT = {"_", "gettext", "lazy_gettext"}
# Functions whose details always name the rule: a form's JSON-schema validator (engine/workflow/forms.py).
RULE_DETAILS = {"_error_details"}


def _files():
    for source in SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _refusal_classes(trees) -> set[str]:
    """OneWindowError and every class deriving from it, however far down."""
    names, grown = {"OneWindowError"}, True
    while grown:
        grown = False
        for _, tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        (base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)) in names
                        for base in node.bases):
                    names.add(node.name)
                    grown = True
    return names


def _constants(tree) -> dict[str, ast.expr]:
    """Module-level ``NAME = "…"`` assignments (a message kept in a constant)."""
    return {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}


def _text(node, constants) -> str | None:
    """The message's literal text, each interpolated value as PLACEHOLDER; None when not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else PLACEHOLDER for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left, constants), _text(node.right, constants)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Name) and node.id in constants:
        return _text(constants[node.id], constants)
    return None


def _names_rule(details) -> bool:
    if isinstance(details, ast.Call):
        return getattr(details.func, "id", None) in RULE_DETAILS
    return isinstance(details, ast.Dict) and any(
        isinstance(key, ast.Constant) and key.value in ("rule", "reason") for key in details.keys)


def _has_rule(call: ast.Call) -> bool:
    """``details`` names a rule or a library's reason: web.refusals says it with the field's label."""
    return any(keyword.arg == "details" and _names_rule(keyword.value) for keyword in call.keywords)


def _message(call: ast.Call):
    if call.args:
        return call.args[0]
    return next((keyword.value for keyword in call.keywords if keyword.arg == "message"), None)


def _problem(call: ast.Call, constants) -> str | None:
    """Why this refusal would reach a person in the wrong language, or None."""
    if _has_rule(call):
        return None
    message = _message(call)
    if isinstance(message, ast.Call) and getattr(message.func, "id", None) in GETTEXT:
        return None
    text = _text(message, constants) if message is not None else None
    if text is None:
        return f"message is not a literal: {ast.unparse(message) if message is not None else None}"
    if not HAN.search(text):
        return f"no Chinese: {text!r}"
    if not BILINGUAL.match(text):
        return f"not '中文 (English)': {text!r}"
    return None


def _schema_problem(node, constants) -> str | None:
    """A marshmallow reason the engine or a web schema words itself (``ValidationError("…")``,
    ``validate.Regexp(…, error="…")``): web.refusals names the rule of the library's and of a few
    engine reasons (LIBRARY_REASONS); any other is shown as it is, so it is bilingual. A reason
    passed on in a variable was worded where it was made (engine.cases.documents)."""
    text = _text(node, constants)
    if text is None or any(pattern.search(text) for pattern, _ in LIBRARY_REASONS):
        return None
    if not HAN.search(text):
        return f"no Chinese: {text!r}"
    if not BILINGUAL.match(text):
        return f"not '中文 (English)': {text!r}"
    return None


def refusals_in_wrong_language() -> list[str]:
    trees = list(_files())
    classes = _refusal_classes(trees)
    found = []
    for path, tree in trees:
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            problem = _problem(node, constants) if name in classes else None
            if name == "ValidationError" and node.args:
                problem = _schema_problem(node.args[0], constants)
            for keyword in node.keywords:
                if keyword.arg == "error" and problem is None:
                    problem = _schema_problem(keyword.value, constants)
            if problem:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {problem}")
    return found


def test_every_refusal_has_a_chinese_sentence_or_a_rule():
    assert refusals_in_wrong_language() == []


def test_the_guard_sees_an_english_refusal(tmp_path):
    tree = ast.parse('raise InvalidInput(f"case {number} is not suspended", field="case")')
    call = tree.body[0].exc
    assert _problem(call, {}) == "no Chinese: 'case x is not suspended'"
    tree = ast.parse('raise Conflict(f"办件 {number} 未在暂停计时 (case {number} (the clock) runs)")')
    assert _problem(tree.body[0].exc, {}).startswith("not '中文 (English)'")
    tree = ast.parse('raise InvalidInput("x is required", field="x", details={"rule": "required"})')
    assert _problem(tree.body[0].exc, {}) is None
