"""The engine's layers: no two engine packages import each other, directly or through others,
and the engine never imports the web application or the scheduler.

Nodes are engine's packages (engine/cases/, engine/tasks/ …) and its top-level modules
(engine/runtime.py, engine/casefile.py …); an edge is any import from one to another,
wherever it sits in the file (a function-level import counts too).
"""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
FORBIDDEN_ROOTS = {"flask", "flask_login", "flask_wtf", "flask_babel", "flask_smorest", "flask_limiter",
                   "flask_sqlalchemy", "web", "scheduler"}


def _node_of(module: str) -> str | None:
    """The graph node an ``engine.…`` module belongs to (None: not in engine)."""
    parts = module.split(".")
    if parts[0] != "engine" or len(parts) == 1:
        return None
    return parts[1]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from engine import casefile`` imports the module engine.casefile.
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names
                                      if node.module == "engine"]
    return names


def _source_files():
    return [path for path in ENGINE.rglob("*.py") if "migrations" not in path.relative_to(ENGINE).parts]


def package_graph() -> dict[str, dict[str, set[str]]]:
    """{node: {imported node: {"file -> module", …}}}."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in _source_files():
        relative = path.relative_to(ENGINE)
        source = relative.parts[0].removesuffix(".py")
        graph.setdefault(source, {})
        for name in _imports(path):
            target = _node_of(name)
            if target is not None and target != source:
                graph[source].setdefault(target, set()).add(f"{relative} -> {name}")
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_engine_packages_form_no_cycle():
    graph = package_graph()
    found = cycles(graph)
    evidence = [f"{source} -> {target}: {sorted(graph[source][target])[0]}"
                for component in found for source in component for target in graph.get(source, {})
                if target in component]
    assert not found, "engine packages importing each other:\n" + "\n".join(evidence)


def test_the_cycle_check_sees_a_cycle_through_a_third_package():
    graph = {"cases": {"tasks": {"x"}}, "tasks": {"audit": {"y"}}, "audit": {"cases": {"z"}}, "db": {}}
    assert cycles(graph) == [["audit", "cases", "tasks"]]
    assert cycles({"cases": {"db": {"x"}}, "db": {}}) == []


def test_the_graph_sees_function_level_imports(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from engine.cases import service\n    import engine.tasks.models\n")
    assert {_node_of(name) for name in _imports(module)} == {"cases", "tasks"}


def test_the_engine_imports_no_web_framework_web_app_or_scheduler():
    offending = [f"{path.relative_to(ENGINE)}: {name}" for path in _source_files() for name in _imports(path)
                 if name.split(".")[0] in FORBIDDEN_ROOTS]
    assert not offending, offending
