"""Every Streamlit cache is bounded in time and in entries (issue 17): with ten users and a
national database, an unbounded cache is where the server's memory grows."""
from __future__ import annotations

import ast
from pathlib import Path

from dijkwacht import config

ROOT = config.ROOT
CACHES = {"cache_data", "cache_resource"}


def _cache_decorators(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:
                call = deco if isinstance(deco, ast.Call) else None
                target = call.func if call else deco
                if isinstance(target, ast.Attribute) and target.attr in CACHES:
                    yield node.name, {k.arg for k in call.keywords} if call else set()


def test_every_cache_has_a_ttl_and_a_maximum_number_of_entries():
    files = [*(ROOT / "dijkwacht").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "dashboard.py"]
    found = {(f.relative_to(ROOT).as_posix(), name): keywords
             for f in files for name, keywords in _cache_decorators(f)}
    assert len(found) > 10, "the gateway's caches were not found: did the decorators change?"
    unbounded = sorted(key for key, keywords in found.items() if not {"ttl", "max_entries"} <= keywords)
    assert unbounded == []


def test_the_check_finds_an_unbounded_cache(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import streamlit as st\n\n@st.cache_data(ttl=60)\ndef f():\n    return 1\n\n"
                      "@st.cache_resource\ndef g():\n    return 2\n", encoding="utf-8")
    assert dict(_cache_decorators(sample)) == {"f": {"ttl"}, "g": set()}
