"""The shape of the package: no import cycles, and functions and files small enough to read
in one sitting. The layers themselves are import-linter's contracts (`make lint`).
"""

import ast
from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parents[2] / "backend" / "homeward"
MAX_FUNCTION_LINES = 60
MAX_FILE_LINES = 400

# What is over the limits, at the length it has, when a limit is tightened: each may only
# shrink, and one brought within the limit leaves this list (the test says so). Empty now.
KNOWN_LONG_FUNCTIONS: dict[str, int] = {}
KNOWN_LONG_FILES: dict[str, int] = {}


def _sources() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(PACKAGE)), path.read_text()) for path in sorted(PACKAGE.rglob("*.py"))
    ]


def _over_limits() -> tuple[dict[str, int], dict[str, int]]:
    functions: dict[str, int] = {}
    files: dict[str, int] = {}
    for name, text in _sources():
        if text.count("\n") > MAX_FILE_LINES:
            files[name] = text.count("\n")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    functions[f"{name}:{node.name}"] = length
    return functions, files


def _judged(found: dict[str, int], known: dict[str, int], limit: int) -> list[str]:
    problems = [
        f"{name} has {length} lines, over {limit}"
        for name, length in found.items()
        if name not in known
    ]
    problems += [
        f"{name} grew to {length} lines (it was {known[name]}); shorten it"
        for name, length in found.items()
        if name in known and length > known[name]
    ]
    problems += [
        f"{name} is within {limit} lines now: take it off the known list"
        for name in known
        if name not in found
    ]
    return problems


def test_functions_and_files_stay_small() -> None:
    functions, files = _over_limits()
    problems = _judged(functions, KNOWN_LONG_FUNCTIONS, MAX_FUNCTION_LINES)
    problems += _judged(files, KNOWN_LONG_FILES, MAX_FILE_LINES)
    assert not problems, "\n".join(problems)


def test_the_judge_refuses_a_new_long_function_and_a_grown_one() -> None:
    found = {"a.py:new": MAX_FUNCTION_LINES + 1, "b.py:old": 70}
    assert _judged(found, {"b.py:old": 65, "c.py:gone": 80}, MAX_FUNCTION_LINES) == [
        f"a.py:new has {MAX_FUNCTION_LINES + 1} lines, over {MAX_FUNCTION_LINES}",
        "b.py:old grew to 70 lines (it was 65); shorten it",
        f"c.py:gone is within {MAX_FUNCTION_LINES} lines now: take it off the known list",
    ]


def _import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Each set of modules that import one another, round in a cycle (Tarjan's SCCs)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            component = []
            while (member := stack.pop()) != module:
                component.append(member)
            if component:
                cycles.append(sorted([module, *component]))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return cycles


def test_no_module_imports_itself_round_a_cycle() -> None:
    # An import inside a function counts: one placed there to dodge a cycle is a cycle.
    graph = grimp.build_graph("homeward", exclude_type_checking_imports=True)
    assert _import_cycles(graph) == []


def test_a_cycle_is_found() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)
    assert _import_cycles(graph) == [["p.a", "p.b", "p.c"]]
