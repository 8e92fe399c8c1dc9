"""Expressions that cannot exhaust the machine: bounded sizes, bounded widths, a CPU budget.

simpleeval's own limits (MAX_STRING_LENGTH, MAX_COMPREHENSION_LENGTH) count only the top
level: ``[[1]] * 99999`` passed them, and ``sum(that, [])`` then kept a request busy for 47 s
inside one C call, ``'%0999999999d' % 1`` built 1 GB and a ``.replace`` could reach 10 GB.
A value's size here counts through nesting (characters of text, elements of collections,
hex digits of integers); ``+``, ``*``, ``%``, ``.replace`` and ``.join`` check the size of
their result before building it, every literal, comprehension and call checks it after, and
each evaluation has a CPU-time budget checked as the evaluator visits nodes, for whatever
is slow without being big. A model's constant parts are
evaluated the same way when it is deployed, so such a model is refused before it runs.
"""

import ast
import gc
import re
import threading
import time

from simpleeval import EvalWithCompoundTypes, InvalidExpression

# Characters of text plus elements of collections (counted through nesting) of any value an
# expression builds; a case's whole task data is a few thousand.
MAX_SIZE = 100_000
# Everything one evaluation builds, garbage included: a comprehension of values each under
# MAX_SIZE could otherwise build gigabytes before its result is checked.
MAX_BUILT = 10 * MAX_SIZE
# Integers up to about 4,000 decimal digits (Python's own limit for printing one).
MAX_INT_BITS = 13_300
# Widths and precisions in '%' formatting: a notice line is never wider.
MAX_FORMAT_WIDTH = 100
# CPU seconds one evaluation (an expression, or a whole script) may use; ordinary ones take microseconds.
CPU_BUDGET_SECONDS = 0.25
_CHECK_EVERY = 16
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)", re.DOTALL)
# Nodes whose result is newly built, so its size is checked and counted.
_BUILDING_NODES = (ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.Call,
                   ast.BinOp, ast.JoinedStr)


class _CollectorTime(threading.local):
    """CPU seconds this thread has spent collecting garbage, and when its current collection began."""

    seconds = 0.0
    began: float | None = None


_collector = _CollectorTime()


def _count_collection(phase: str, _info: dict) -> None:
    if phase == "stop":
        if _collector.began is not None:
            _collector.seconds += time.thread_time() - _collector.began
            _collector.began = None
    else:
        _collector.began = time.thread_time()


# A full collection in a large process takes hundreds of milliseconds (measured: 0.4-0.7 s in
# a test worker) and may begin inside any expression; it is the interpreter's pause, not the
# expression's work, so the budget does not count it. (What an expression allocates is bounded by
# MAX_BUILT, so the collections it can bring on are bounded too.)
gc.callbacks.append(_count_collection)


def _expression_cpu_time() -> float:
    """This thread's CPU time without its garbage collections."""
    return time.thread_time() - _collector.seconds


class ExpressionTooCostly(InvalidExpression):
    """An expression would build too big a value or use too much time."""


def size_of(value, limit: int = MAX_SIZE) -> int:
    """The size of ``value`` through nesting, counted without recursion and only up to just past ``limit``."""
    total, pending = 0, [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, int):
            total += item.bit_length() // 4 + 1
        elif isinstance(item, dict):
            total += 1
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 1
            pending.extend(item)
        else:
            total += 1
    return total


def _refuse_size(size: int) -> None:
    if size > MAX_SIZE:
        raise ExpressionTooCostly(f"the expression would build a value larger than {MAX_SIZE} characters or elements")


def bounded_add(a, b):
    if not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        _refuse_size(size_of(a) + size_of(b))
    return a + b


def bounded_mult(a, b):
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > MAX_INT_BITS:
            raise ExpressionTooCostly(f"the expression would build an integer of more than {MAX_INT_BITS} bits")
    elif isinstance(b, int) and not isinstance(a, (int, float)):
        _refuse_size(size_of(a) * max(b, 0))
    elif isinstance(a, int) and not isinstance(b, (int, float)):
        _refuse_size(size_of(b) * max(a, 0))
    return a * b


def bounded_mod(a, b):
    """``%``: for text, every width and precision bounded and none taken from the arguments."""
    if isinstance(a, bytes):
        raise ExpressionTooCostly("'%' formatting of bytes is not allowed")
    if isinstance(a, str):
        for width, precision, _conversion in _PERCENT_SPEC.findall(a):
            if "*" in (width, precision) or max(int(width or 0), int(precision or 0)) > MAX_FORMAT_WIDTH:
                raise ExpressionTooCostly(f"'%' formatting widths and precisions are at most {MAX_FORMAT_WIDTH}")
        result = a % b
        _refuse_size(len(result))
        return result
    return a % b


def bounded_sum(iterable, start=0):
    """``sum`` of numbers only: summing lists or tuples copies the total once per element."""
    if not isinstance(start, (int, float)):
        raise ExpressionTooCostly("sum() adds numbers only; its start may not be a list, tuple or text")
    return sum(iterable, start)


def _bounded_replace(text: str):
    def replace(old, new, count=-1):
        found = len(text) + 1 if old == "" else text.count(old)
        found = found if count < 0 else min(found, count)
        _refuse_size(len(text) + found * max(len(new) - len(old), 0))
        return text.replace(old, new, count)
    return replace


def _bounded_join(separator: str):
    def join(items):
        items = list(items)
        _refuse_size(sum(size_of(item) for item in items) + len(separator) * max(len(items) - 1, 0))
        return separator.join(items)
    return join


_BOUNDED_METHODS = {"replace": _bounded_replace, "join": _bounded_join}
BOUNDED_OPERATORS = {ast.Add: bounded_add, ast.Mult: bounded_mult, ast.Mod: bounded_mod}


class BoundedEval(EvalWithCompoundTypes):
    """simpleeval with sizes counted through nesting and a CPU budget per evaluation."""

    _deadline = 0.0
    _steps = 0
    _built = 0

    def start_budget(self) -> None:
        """Give the next evaluations (an expression, or every line of one script) one budget."""
        self._deadline = _expression_cpu_time() + CPU_BUDGET_SECONDS
        self._steps = self._built = 0

    def _eval(self, node):
        self._steps += 1
        if self._steps % _CHECK_EVERY == 0 and _expression_cpu_time() > self._deadline:
            raise ExpressionTooCostly(f"the expression used more than {CPU_BUDGET_SECONDS} s")
        result = super()._eval(node)
        if isinstance(node, _BUILDING_NODES):
            size = size_of(result)
            _refuse_size(size)
            self._built += size
            if self._built > MAX_BUILT:
                raise ExpressionTooCostly(f"the expression would build more than {MAX_BUILT} characters or elements")
        return result

    def _eval_attribute(self, node):
        found = super()._eval_attribute(node)
        if isinstance(getattr(found, "__self__", None), str) and node.attr in _BOUNDED_METHODS:
            return _BOUNDED_METHODS[node.attr](found.__self__)
        return found


def _constant_parts(tree: ast.AST, function_names: set[str]):
    """The largest subtrees of ``tree`` that need no data: only literals, operators and pure builtins."""
    calls = {id(node.func) for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in function_names}

    def constant(node) -> bool:
        return all(id(name) in calls for name in ast.walk(node) if isinstance(name, ast.Name))

    pending = [tree]
    while pending:
        node = pending.pop()
        if constant(node):
            if not isinstance(node, ast.Constant):
                yield node
        else:
            pending.extend(ast.iter_child_nodes(node))


def costly_constant(tree: ast.AST, evaluator: BoundedEval, pure_functions: set[str]) -> str | None:
    """Why a constant part of ``tree`` is too costly to evaluate, or None (other errors are left to run time)."""
    for part in _constant_parts(tree, pure_functions):
        evaluator.names = {}
        evaluator.start_budget()
        try:
            evaluator.eval("", previously_parsed=part)
        except ExpressionTooCostly as error:
            return str(error)
        except (InvalidExpression, ArithmeticError, LookupError, TypeError, ValueError, RecursionError):
            continue
    return None
