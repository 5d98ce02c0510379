"""The shape of the code, checked: the layers, no import cycles, and one access layer.

The layers themselves are an import-linter contract in pyproject.toml (`make check`
runs `lint-imports`); this file checks what a contract cannot say, and runs with
the suite so a broken shape fails where everybody looks.
"""

from __future__ import annotations

import ast
import pathlib
import sys
from functools import cache

import grimp
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "vanguard"


@cache
def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("vanguard", exclude_type_checking_imports=True)


def _ours(module: str) -> bool:
    return ".tests" not in module and ".migrations" not in module


def _app(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else ""


def test_accounts_imports_no_other_app():
    """The vocabulary of access sits at the bottom: `vanguard.lib` is a library, not an app."""
    graph = _graph()
    upward = sorted(
        f"{module} -> {imported}"
        for module in graph.find_children("vanguard.accounts")
        | graph.find_descendants("vanguard.accounts")
        if _ours(module)
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("vanguard.") and _app(imported) not in ("accounts", "lib")
    )
    assert not upward, "accounts imports another app:\n" + "\n".join(upward)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), tests left out."""
    modules = {m for m in graph.modules if m.startswith("vanguard.") and _ours(m)}
    edges = {
        m: [i for i in graph.find_modules_directly_imported_by(m) if i in modules] for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in edges[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(modules)))
    try:
        for module in sorted(modules):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


# --- One access layer -------------------------------------------------------------
# Entry points (views, API functions, management commands, admin classes) fetch every
# object through their app's `access.py` (`get_*_for_user`, built on
# `accounts.access.get_for_user`), which decides 404 and 403. They never look an object
# up and judge access themselves. Services trust their caller on access and enforce
# only the rules of the domain (README, "Architecture").

HAND_ROLLED_CALLS = {
    "get_object_or_404",
    "get_list_or_404",
    "HttpResponseForbidden",
    "HttpResponseNotFound",
}
ACCESS_EXCEPTIONS = {"Http404", "PermissionDenied"}


def _is_entry_point(path: pathlib.Path) -> bool:
    """Where a person's request or command comes in. The demo app's commands (the demo
    build and the benchmarks) act for nobody: they fetch the rows they made themselves,
    by the keys they gave them, and are never an access decision."""
    name = path.stem
    demo_command = "commands" in path.parts and path.relative_to(PACKAGE).parts[0] == "demo"
    return not demo_command and (
        name.startswith(("views", "api", "admin"))
        or "commands" in path.parts
        or any(part.startswith(("views", "api")) for part in path.parent.relative_to(PACKAGE).parts)
    )


def _is_service(path: pathlib.Path) -> bool:
    return path.stem.startswith("services") or path.parent.name.startswith("services")


def _modules() -> list[pathlib.Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    )


def _raised_name(node: ast.Raise) -> str | None:
    exc = node.exc
    if isinstance(exc, ast.Call):
        exc = exc.func
    if isinstance(exc, ast.Attribute):
        return exc.attr
    if isinstance(exc, ast.Name):
        return exc.id
    return None


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _is_manager_get(node: ast.Call) -> bool:
    """`Model.objects.get(...)` (or `._default_manager.get`): a lookup by hand."""
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "get"
        and isinstance(func.value, ast.Attribute)
        and func.value.attr in ("objects", "_default_manager")
    )


def hand_rolled_access(path: pathlib.Path, source: str | None = None) -> list[str]:
    """Where a module decides access itself: what this test forbids, one line each."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    entry, service = _is_entry_point(path), _is_service(path)
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Raise) and (entry or service):
            if _raised_name(node) in ACCESS_EXCEPTIONS:
                found.append(f"{where} raises {_raised_name(node)}")
        elif isinstance(node, ast.Call) and entry:
            if _called_name(node) in HAND_ROLLED_CALLS:
                found.append(f"{where} calls {_called_name(node)}")
            elif _is_manager_get(node):
                found.append(f"{where} looks up an object with .objects.get")
    return found


def test_entry_points_and_services_leave_access_to_the_access_modules():
    found = [line for path in _modules() for line in hand_rolled_access(path)]
    assert not found, (
        "Access decided by hand (fetch through the app's access.py instead):\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def v(request, pk):\n    raise Http404\n", "raises Http404"),
        ("def v(request, pk):\n    raise PermissionDenied()\n", "raises PermissionDenied"),
        (
            "def v(request, pk):\n    return get_object_or_404(Unit, pk=pk)\n",
            "calls get_object_or_404",
        ),
        (
            "def v(request, pk):\n    return HttpResponseForbidden()\n",
            "calls HttpResponseForbidden",
        ),
        ("def v(request, pk):\n    return Unit.objects.get(pk=pk)\n", "looks up an object"),
    ],
)
def test_the_check_sees_each_hand_rolled_form(source, expected):
    """The check itself can fail: each forbidden form, in a view module, is reported."""
    module = PACKAGE / "organization" / "views_probe.py"
    assert any(expected in line for line in hand_rolled_access(module, source))


def test_no_two_api_schemas_share_a_name():
    """django-ninja names each schema in /api/v1/openapi.json by its class name: two
    classes of one name in different apps make the whole schema answer 500. Caught here
    by reading the source, before any request builds the schema."""
    seen: dict[str, list[str]] = {}
    for path in sorted((ROOT / "vanguard").rglob("api*.py")):
        if "tests" in path.parts:
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and any(
                (isinstance(base, ast.Name) and base.id.endswith("Schema"))
                or (isinstance(base, ast.Attribute) and base.attr.endswith("Schema"))
                for base in node.bases
            ):
                seen.setdefault(node.name, []).append(str(path.relative_to(ROOT)))
    shared = {name: paths for name, paths in seen.items() if len(paths) > 1}
    assert not shared, f"schemas sharing a name (rename one): {shared}"
