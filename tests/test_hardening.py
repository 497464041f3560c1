"""Hardening (DESIGN §6): the app's database connection cannot reach outside the served file,
and no SQL in the code has values formatted into it."""
from __future__ import annotations

import ast
from pathlib import Path

import duckdb
import pytest

from dijkwacht import config, queries

ROOT = config.ROOT


@pytest.fixture(scope="module")
def served_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hard") / "dijkwacht.duckdb"
    con = duckdb.connect(str(path))
    con.execute(config.SCHEMA_SQL.read_text(encoding="utf-8"))
    con.close()
    return path


OUTSIDE = Path("/tmp/dijkwacht-hardening-out")

ATTACKS = {
    "read_csv": "SELECT * FROM read_csv('/etc/passwd')",
    "read_text": "SELECT * FROM read_text('/etc/passwd')",
    "read_csv_auto": "SELECT * FROM '/etc/passwd'",
    "glob": "SELECT * FROM glob('/etc/*')",
    "copy_to": f"COPY (SELECT 1 AS x) TO '{OUTSIDE}.csv'",
    "attach": f"ATTACH '{OUTSIDE}.duckdb' AS buiten",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "set_external_access": "SET enable_external_access = true",
    "unlock_configuration": "SET lock_configuration = false",
    "create_table": "CREATE TABLE t (x INTEGER)",
    "export_database": f"EXPORT DATABASE '{OUTSIDE}-dir'",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_served_connection_refuses(served_file, name):
    """Through the connection the app uses for every query (queries.served → open_hardened)."""
    cur = queries.served(served_file)._cursor()
    try:
        with pytest.raises(duckdb.Error) as refused:
            cur.execute(ATTACKS[name]).fetchall()
        assert not isinstance(refused.value, duckdb.ParserException), refused.value
    finally:
        cur.close()
    assert not Path(f"{OUTSIDE}.csv").exists() and not Path(f"{OUTSIDE}.duckdb").exists()


def test_the_hardened_settings_hold(served_file):
    con = queries.open_hardened(served_file)
    try:
        settings = dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('enable_external_access', 'lock_configuration', 'access_mode')").fetchall())
    finally:
        con.close()
    assert settings["enable_external_access"] == "false"
    assert settings["lock_configuration"] == "true"
    assert settings["access_mode"] == "read_only"


def test_no_write_into_the_spill_folder(served_file):
    """Issue 23 item 11. The attack: once DuckDB had created its spill folder <db>.tmp/ (it
    is always allowed, even with external access off), `COPY … TO '<db>.tmp/x.csv'` wrote a
    file through the hardened read-only connection. The folder is created here first, as
    DuckDB would; spilling is now off, so nothing in it (or anywhere) is reachable."""
    spill = Path(f"{served_file}.tmp")
    spill.mkdir(exist_ok=True)
    target = spill / "x.csv"
    attacks = [f"COPY (SELECT 1 AS x) TO '{target}'",
               f"COPY (SELECT 1 AS x) TO '{spill}/y.parquet' (FORMAT parquet)",
               f"SELECT * FROM read_csv('{target}')",
               f"SELECT * FROM glob('{spill}/*')",
               "SET temp_directory = '/tmp'",
               "SET max_temp_directory_size = '1GB'",
               "SET allowed_directories = ['/tmp']"]
    cur = queries.served(served_file)._cursor()
    try:
        for attack in attacks:
            with pytest.raises(duckdb.Error) as refused:
                cur.execute(attack).fetchall()
            assert not isinstance(refused.value, duckdb.ParserException), (attack, refused.value)
        settings = dict(cur.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('temp_directory', 'max_temp_directory_size', 'allowed_directories')").fetchall())
        # a query still works without spilling
        assert cur.execute("SELECT count(*) FROM range(100000)").fetchall() == [(100000,)]
    finally:
        cur.close()
    assert list(spill.iterdir()) == []
    assert settings == {"temp_directory": "", "max_temp_directory_size": "0 bytes", "allowed_directories": "[]"}


def test_named_queries_still_work(served_file):
    assert queries.served(served_file).query("meta").height == 0


# --- no formatted SQL ---------------------------------------------------------------------

SINKS = {"execute", "executemany", "executescript", "sql", "query", "read_sql", "from_query"}

# Functions that build SQL text from fixed identifiers (never from values). Each entry:
# (file, function) → why it is safe. Values in these statements are bound as parameters.
ALLOWED = {
    ("etl/load.py", "upsert"):
        "table and key column names come from the fixed source definitions in dijkwacht/sources "
        "(SOURCES[...].name / .key), not from files or users; the rows are a registered frame",
    ("etl/load.py", "_refresh_meta"):
        "source.name and source.date_column come from the fixed source definitions",
    ("etl/reference.py", "write_reference"):
        "table names are the fixed reference tables (wijken, buurten, gebieden)",
    ("etl/retention.py", "purge_detail"):
        "table and date column names come from the fixed RETAINED table; the cut-off date is bound",
    ("etl/retention.py", "keep_aggregates"):
        "table and date column names come from the fixed RETAINED table; values are bound",
    ("etl/retention.py", "_has_detail_before"):
        "table and date column names come from the fixed RETAINED table; the cut-off date is bound",
}


def _formatted(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return not (isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant))
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format")


def formatted_sql(source: str) -> list[tuple[str, int, str]]:
    """(function, line, code) for every SQL sink whose statement is formatted, directly or
    through a local variable assigned a formatted string."""
    found = []
    tree = ast.parse(source)
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        tainted = {t.id for node in ast.walk(fn) if isinstance(node, ast.Assign) and _formatted(node.value)
                   for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(fn):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SINKS and node.args):
                arg = node.args[0]
                if _formatted(arg) or (isinstance(arg, ast.Name) and arg.id in tainted):
                    found.append((fn.name, node.lineno, ast.unparse(arg)[:100]))
    return found


def test_the_scanner_finds_formatted_sql():
    planted = (
        "def bad(con, naam):\n"
        "    con.execute(f\"SELECT * FROM t WHERE naam = '{naam}'\")\n"
        "    con.sql(\"SELECT * FROM t WHERE n = %s\" % naam)\n"
        "    q = \"SELECT {}\".format(naam)\n"
        "    con.execute(q)\n"
        "def good(con, naam):\n"
        "    con.execute(\"SELECT * FROM t WHERE naam = ?\", [naam])\n")
    assert [f[0] for f in formatted_sql(planted)] == ["bad", "bad", "bad"]


def test_no_formatted_sql_outside_the_allow_list():
    findings = []
    for folder in ("dijkwacht", "etl", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for fn, line, code in formatted_sql(path.read_text(encoding="utf-8")):
                if (rel, fn) not in ALLOWED:
                    findings.append(f"{rel}:{line} {fn}: {code}")
    assert not findings, "SQL met ingevoegde waarden (gebruik parameters):\n" + "\n".join(findings)


# --- Streamlit configuration and the error wrapper ------------------------------------------

def test_streamlit_config_is_hardened():
    import tomllib
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["client"]["showErrorDetails"] == "none"
    assert cfg["client"]["toolbarMode"] == "minimal"
    assert cfg["client"]["disableDataExport"] is True
    assert 1 <= cfg["server"]["maxUploadSize"] <= 100
    # static serving only for the map assets: nothing but Leaflet/jQuery files under static/
    if cfg["server"].get("enableStaticServing"):
        served = [p for p in (ROOT / "static").rglob("*") if p.is_file() and p.name != ".gitkeep"]
        assert all(p.relative_to(ROOT / "static").parts[0] == "vendor" for p in served), served
        assert all(p.suffix in {".js", ".css", ".png", ".svg", ".map"} for p in served), served


def test_errors_show_an_incident_id_not_a_traceback(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DIJKWACHT_STATE", str(tmp_path / "state.sqlite"))
    script = (
        "from dijkwacht import access\nfrom dijkwacht.app import data\n"
        "class Boom:\n"
        "    def run(self): raise ValueError('geheim /pad/naar/bestand')\n"
        "class Nee:\n"
        "    def run(self): raise access.AccessDenied('data_management')\n"
        "data.run_guarded(Boom(), 'analist')\n"
        "data.run_guarded(Nee(), 'bestuur')\n")
    at = AppTest.from_string(script, default_timeout=30).run()
    assert not at.exception
    texts = [e.value for e in at.error]
    assert "incident" in texts[0] and "geheim" not in texts[0] and "ValueError" not in texts[0]
    assert texts[1] == "U heeft geen toegang tot deze gegevens."
    from dijkwacht import audit, state
    con = state.connect(tmp_path / "state.sqlite")
    rows = audit.query(con)
    con.close()
    assert [(r["actie"], r["resultaat"], r["object"]) for r in rows] == [
        ("weigering", "geweigerd", "data_management")]
