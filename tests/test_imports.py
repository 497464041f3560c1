"""The house rules of the imports (README, "Layout"), read from the source with ast:

1. Streamlit is imported only by the app package (dijkwacht/app/: the router's helpers,
   sign-in, the data gateway, the page kit), the pages, dashboard.py and server.py.
2. The core (every other module of dijkwacht/) imports neither the app package nor etl.
3. The ETL (etl/) imports no app code and no Streamlit.
4. No import circles among the project's modules, counting imports inside functions too.

Every import counts, at the top or inside a function: a lazy import is still a dependency.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dijkwacht import config

ROOT = config.ROOT
APP = "dijkwacht.app"
UI_FRAMEWORKS = ("streamlit", "streamlit_folium")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    files = [p for d in ("dijkwacht", "etl") for p in (ROOT / d).rglob("*.py")]
    files += list((ROOT / "pages").glob("*.py")) + [ROOT / "dashboard.py", ROOT / "server.py"]
    return {module_name(p): p for p in files if ".venv" not in p.parts}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every module `path` imports: project modules by their full name (a `from package
    import module` counts as the module), anything else by its top-level name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
    return {name if name in known else name.split(".")[0] for name in found}


def graph(modules: dict[str, Path] | None = None) -> dict[str, set[str]]:
    modules = modules or project_modules()
    known = set(modules)
    return {name: imports_of(path, known) - {name} for name, path in modules.items()}


def is_app(name: str) -> bool:
    return name == APP or name.startswith(APP + ".")


def is_core(name: str) -> bool:
    return name.startswith("dijkwacht") and not is_app(name)


def breaks(edges: dict[str, set[str]]) -> list[str]:
    """Each broken rule of 1–3, as 'module imports what (rule)'."""
    found = []
    for name, deps in sorted(edges.items()):
        for dep in sorted(deps):
            top = dep.split(".")[0]
            if top in UI_FRAMEWORKS and (is_core(name) or name.startswith("etl")):
                found.append(f"{name} imports {dep} (1: Streamlit only in the app)")
            if is_core(name) and (is_app(dep) or top == "etl"):
                found.append(f"{name} imports {dep} (2: the core imports no app and no etl)")
            if name.startswith("etl") and is_app(dep):
                found.append(f"{name} imports {dep} (3: the ETL imports no app code)")
    return found


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in edges:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_app_package_exists():
    modules = project_modules()
    assert {f"{APP}.auth", f"{APP}.data", f"{APP}.ui"} <= set(modules)
    assert any(is_core(m) for m in modules) and any(m.startswith("etl") for m in modules)


def test_streamlit_core_and_etl_keep_to_their_side():
    assert breaks(graph()) == []


def test_no_import_circles():
    assert circles(graph()) == []


# --- the test can fail: the three import breaks found before these rules held --------------
# (The fourth, the router guard's use of a private Streamlit attribute, is not an import:
# tests/test_streamlit_contract.py fails when Streamlit changes underneath it.)

BEFORE = {
    # the page kit inside the core, importing Streamlit and the data gateway
    "core ui": {"dijkwacht.ui": {"streamlit", "dijkwacht.app.data"}},
    # the steward's operations in the core, importing the ETL
    "core beheer": {"dijkwacht.beheer": {"etl.inbox", "etl.publish", "etl.load"}},
    # sign-in and the data gateway importing each other (the session audit writer)
    "auth ⇄ data": {"dijkwacht.app.auth": {"dijkwacht.app.data"},
                    "dijkwacht.app.data": {"dijkwacht.app.auth"}},
}


@pytest.mark.parametrize("case", BEFORE)
def test_each_old_break_is_caught(case):
    edges = BEFORE[case]
    everything = {**{m: set() for deps in edges.values() for m in deps}, **edges}
    assert breaks(everything) or circles(everything), case
