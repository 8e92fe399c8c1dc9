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
# Helpers that build a refusal around a reason they are given (their argument at this position): the reason
# reaches the person as details["reason"] (the catalogue loader's and the pickup check's refusals).
REASON_ARGUMENT = {"_refusal": 2, "_refuse": 2}


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


def _reason_problem(call: ast.Call, name: str | None, constants) -> str | None:
    """A reason given in ``details={"reason": "…"}`` or to a REASON_ARGUMENT helper: web.refusals shows it
    in the person's half, so it is bilingual (or a library's reason that it names by its rule)."""
    reasons = [value for keyword in call.keywords if keyword.arg == "details" and isinstance(keyword.value, ast.Dict)
               for key, value in zip(keyword.value.keys, keyword.value.values, strict=True)
               if isinstance(key, ast.Constant) and key.value == "reason"]
    if name in REASON_ARGUMENT and len(call.args) > REASON_ARGUMENT[name]:
        reasons.append(call.args[REASON_ARGUMENT[name]])
    return next(filter(None, (_schema_problem(reason, constants) for reason in reasons)), None)


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
            problem = problem or _reason_problem(node, name, constants)
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


def test_the_guard_sees_a_chinese_only_reason():
    tree = ast.parse('raise InvalidInput("x", field="x", details={"reason": "号码校验位不正确"})')
    assert _reason_problem(tree.body[0].exc, "InvalidInput", {}) == "not '中文 (English)': '号码校验位不正确'"
    tree = ast.parse('raise _refusal(subject, "code", "被两个事项使用")')
    assert _reason_problem(tree.body[0].exc, "_refusal", {}) == "not '中文 (English)': '被两个事项使用'"
    tree = ast.parse('raise _refusal(subject, "code", "被两个事项使用 (used by two items)")')
    assert _reason_problem(tree.body[0].exc, "_refusal", {}) is None


# Numbers with each fault a document's check finds: its explanations are kept in tables, not at a raise.
BAD_DOCUMENTS = {
    "居民身份证": ["123", "110105194913310021", "110105194912310021"],
    "统一社会信用代码": ["91330100MA2ABCDEI", "91330100MA2ABCDE10"],
    "港澳居民来往内地通行证": ["X1234567"], "台湾居民来往大陆通行证": ["1234"], "护照": ["ABCDEFG"],
    "外国人永久居留身份证": ["USA", "USA110299011234", "911111194913310021", "911111194912310021"],
    "驾驶证": ["1"],
}


def test_every_document_explanation_is_bilingual():
    from engine.cases.documents import document_problem

    explanations = {document_problem(kind, number) for kind, numbers in BAD_DOCUMENTS.items() for number in numbers}
    assert None not in explanations and len(explanations) == 12
    assert [text for text in explanations if not BILINGUAL.match(text)] == []
