"""Evaluating BPMN/DMN expressions and scripts without full Python.

SpiffWorkflow's default environment runs ``eval``/``exec`` with every builtin, so whoever
writes a model could run ``__import__('os')``. Here every gateway condition, timer
expression, DMN cell, task property and script goes through simpleeval with a whitelist:
a small set of pure functions, read-only methods of plain data types, no names or
attributes starting with ``_``. Scripts may only assign: ``name = expression`` per line.

Every text is checked once, statically, when a model is deployed (so a hostile model is
refused before it runs) and again at evaluation (cached), and simpleeval enforces the
same limits while evaluating. Sizes, widths and time are bounded by ``bounds.BoundedEval``;
its constant parts are evaluated under those bounds at deploy.
"""

import ast
import functools
import threading

from simpleeval import DEFAULT_OPERATORS, InvalidExpression
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.workflow.bounds import BOUNDED_OPERATORS, BoundedEval, bounded_sum, costly_constant

BASE_FUNCTIONS = {
    "len": len, "min": min, "max": max, "sum": bounded_sum, "sorted": sorted, "any": any, "all": all,
    "abs": abs, "round": round, "str": str, "int": int, "float": float, "bool": bool,
    "list": list, "dict": dict, "set": set, "tuple": tuple,
}

_STR_METHODS = {
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha", "isdigit",
    "islower", "isnumeric", "isspace", "isupper", "join", "lower", "lstrip", "partition", "removeprefix",
    "removesuffix", "replace", "rfind", "rsplit", "rstrip", "split", "startswith", "strip", "title", "upper",
}
# Read-only methods only: scripts must not mutate data in place (SpiffWorkflow shares
# nested values between tasks, so an in-place change would rewrite finished tasks).
READ_ONLY_ATTRS = {
    str: _STR_METHODS,
    dict: {"get", "keys", "values", "items"},
    list: {"index", "count"},
    tuple: {"index", "count"},
    int: {"real", "imag", "bit_length"},
    float: {"real", "imag", "is_integer"},
    bool: set(),
}
_ALLOWED_METHOD_NAMES = set().union(*READ_ONLY_ATTRS.values())

_ALLOWED_NODES = (
    ast.Expression, ast.Expr, ast.Name, ast.Load, ast.Store, ast.Constant, ast.BinOp, ast.UnaryOp,
    ast.BoolOp, ast.Compare, ast.IfExp, ast.Call, ast.keyword, ast.Subscript, ast.Slice, ast.Attribute,
    ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.comprehension,
    ast.JoinedStr, ast.FormattedValue, ast.Starred,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.USub, ast.UAdd, ast.Not, ast.And,
    ast.Or, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
)
_OPERATORS = {op: fn for op, fn in DEFAULT_OPERATORS.items() if op in _ALLOWED_NODES} | BOUNDED_OPERATORS
MAX_EXPRESSION_LENGTH = 4000


class UnsafeExpression(ValueError):
    """An expression or script uses something the sandbox refuses."""


def _check_tree(tree: ast.AST, text: str, function_names: set[str]) -> None:
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise UnsafeExpression(f"'{type(node).__name__}' is not allowed in '{text}'")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise UnsafeExpression(f"name '{node.id}' is not allowed in '{text}'")
        if isinstance(node, ast.Attribute) and (node.attr.startswith("_") or node.attr not in _ALLOWED_METHOD_NAMES):
            raise UnsafeExpression(f"attribute '.{node.attr}' is not allowed in '{text}'")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in function_names:
            raise UnsafeExpression(f"function '{node.func.id}' is not allowed in '{text}'")
        if isinstance(node, ast.Call) and not isinstance(node.func, (ast.Name, ast.Attribute)):
            raise UnsafeExpression(f"only named functions may be called in '{text}'")
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            # A width like f"{x:>999999999}" would allocate without limit.
            raise UnsafeExpression(f"format specifications are not allowed in '{text}'")


def _parse(text: str, mode: str) -> ast.AST:
    if not isinstance(text, str) or not text.strip():
        raise UnsafeExpression("an expression is empty")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise UnsafeExpression(f"an expression is longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        return ast.parse(text.strip(), mode=mode)
    except SyntaxError as error:
        raise UnsafeExpression(f"'{text}' is not a valid expression: {error.msg}") from None


@functools.lru_cache(maxsize=4096)
def parse_expression(text: str, function_names: frozenset[str]) -> ast.expr:
    tree = _parse(text, "eval")
    _check_tree(tree, text, set(function_names))
    return tree.body


@functools.lru_cache(maxsize=1024)
def parse_script(text: str, function_names: frozenset[str]) -> tuple[tuple[str, ast.expr], ...]:
    """A script is a sequence of ``name = expression`` lines; returns (name, expression) pairs."""
    tree = _parse(text, "exec")
    steps = []
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)):
            line = ast.get_source_segment(text.strip(), statement) or type(statement).__name__
            raise UnsafeExpression(f"scripts may only assign 'name = expression'; refused: '{line}'")
        name = statement.targets[0].id
        if name.startswith("_") or name in function_names:
            raise UnsafeExpression(f"a script may not assign '{name}'")
        _check_tree(statement.value, text, set(function_names))
        steps.append((name, statement.value))
    if not steps:
        raise UnsafeExpression("a script assigns nothing")
    return tuple(steps)


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment on simpleeval with a function whitelist."""

    def __init__(self, functions: dict | None = None):
        super().__init__()
        self.functions = {**BASE_FUNCTIONS, **(functions or {})}
        self.function_names = frozenset(self.functions)
        self._local = threading.local()

    def _evaluator(self, names: dict) -> BoundedEval:
        # One evaluator per thread (building one costs ~0.1 ms): simpleeval swaps its own
        # handlers while it evaluates a comprehension, so threads must not share one.
        evaluator = getattr(self._local, "evaluator", None)
        if evaluator is None:
            evaluator = BoundedEval(operators=_OPERATORS, functions=self.functions, names={},
                                              allowed_attrs=READ_ONLY_ATTRS)
            self._local.evaluator = evaluator
        evaluator.names = names
        return evaluator

    def _check_cost(self, text: str, trees) -> None:
        """Refuse a text whose constant parts alone exceed the bounds (only pure builtins are run)."""
        for tree in trees:
            reason = costly_constant(tree, self._evaluator({}), set(BASE_FUNCTIONS))
            if reason is not None:
                raise UnsafeExpression(f"'{text}' is refused: {reason}")

    def check_expression(self, text: str) -> None:
        self._check_cost(text, [parse_expression(text, self.function_names)])

    def check_script(self, text: str) -> None:
        self._check_cost(text, [tree for _name, tree in parse_script(text, self.function_names)])

    def evaluate(self, expression, context, external_context=None):
        tree = parse_expression(expression, self.function_names)
        evaluator = self._evaluator({**(external_context or {}), **context})
        evaluator.start_budget()
        try:
            return evaluator.eval(expression, previously_parsed=tree)
        except InvalidExpression as error:
            raise UnsafeExpression(str(error)) from None

    def execute(self, script, context, external_context=None):
        # One budget for the whole script: a long script is no way around it.
        self._evaluator({}).start_budget()
        for name, tree in parse_script(script, self.function_names):
            evaluator = self._evaluator({**(external_context or {}), **context})
            try:
                context[name] = evaluator.eval(script, previously_parsed=tree)
            except InvalidExpression as error:
                raise UnsafeExpression(str(error)) from None
        return True

    def call_service(self, context, **kwargs):
        raise UnsafeExpression("service tasks are not supported by this engine")


class SafeScriptEngine(PythonScriptEngine):
    def __init__(self, functions: dict | None = None):
        super().__init__(environment=SafeEnvironment(functions))
