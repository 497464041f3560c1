"""Issue 23, item 12: the deployment (deploy/). Files created world-readable, the pseudonym key
in the dashboard's environment, and units without the hardening `systemd-analyze security`
asks for. Each test reproduces the weakness first, then shows the unit closes it; where
systemd cannot run here, the unit's own settings are applied to a real process (umask, the
kernel's W^X rule) or parsed."""
from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dijkwacht import config

DEPLOY = config.ROOT / "deploy"
UNITS = ("dijkwacht-dashboard.service", "dijkwacht-inbox.service", "dijkwacht-auditanker.service",
         "dijkwacht-meldingen.service")
# What `systemd-analyze security` asks for, in every unit.
HARDENING = {
    "UMask": "0077", "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
    "PrivateTmp": "yes", "PrivateDevices": "yes", "PrivateUsers": "yes", "PrivateMounts": "yes",
    "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes", "ProtectClock": "yes", "ProtectHostname": "yes",
    "ProtectProc": "invisible", "CapabilityBoundingSet": "", "AmbientCapabilities": "",
    "RestrictSUIDSGID": "yes", "RestrictRealtime": "yes", "RestrictNamespaces": "yes",
    "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes", "SystemCallArchitectures": "native",
    "RemoveIPC": "yes", "IPAddressDeny": "any",
}
MAX_EXPOSURE = {"dijkwacht-dashboard.service": 1.5, "dijkwacht-inbox.service": 0.5,
                "dijkwacht-auditanker.service": 0.5,
                "dijkwacht-meldingen.service": 1.0}    # 0.9: it reaches the mail server (localhost relay)


def unit(name: str) -> dict[str, list[str]]:
    """[Service] settings of a unit file: name → every value given (systemd allows repeats)."""
    out: dict[str, list[str]] = {}
    section = None
    for raw in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section == "Service":
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def environment(name: str) -> dict[str, str]:
    return dict(v.split("=", 1) for v in unit(name).get("Environment", []))


@pytest.mark.parametrize("name", UNITS)
def test_units_carry_the_hardening(name):
    settings = unit(name)
    for key, value in HARDENING.items():
        assert settings.get(key, [None])[-1] == value, (name, key, settings.get(key))
    filters = settings["SystemCallFilter"]
    assert "@system-service" in filters and any(f.startswith("~") and "@privileged" in f for f in filters)
    assert settings["SystemCallErrorNumber"] == ["EPERM"]
    families = settings["RestrictAddressFamilies"][-1].split()
    assert set(families) <= {"AF_UNIX", "AF_INET", "AF_INET6"}
    writable = settings["ReadWritePaths"][-1].split()
    assert "/opt/dijkwacht/data" in writable and environment(name)["DIJKWACHT_AUDIT_ANKER"] in writable


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze ontbreekt")
@pytest.mark.parametrize("name", UNITS)
def test_systemd_analyze_security_score(name):
    """`systemd-analyze security --offline=yes`: 8.7 EXPOSED for the old units."""
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(DEPLOY / name)],
                            capture_output=True, text=True)
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+)", result.stdout + result.stderr)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= MAX_EXPOSURE[name], result.stdout


def _created_mode(umask: int | None, tmp_path: Path) -> int:
    """Mode of state.sqlite created by the app's own code under a umask."""
    code = textwrap.dedent(f"""
        import os, sys
        {'os.umask(' + oct(umask) + ')' if umask is not None else ''}
        from dijkwacht import state
        state.connect(sys.argv[1]).close()
    """)
    path = tmp_path / f"state-{umask}.sqlite"
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, cwd=config.ROOT,
                   env={**os.environ, "PYTHONPATH": str(config.ROOT)})
    return path.stat().st_mode & 0o777


def test_state_database_is_not_world_readable_under_the_units_umask(tmp_path):
    old = os.umask(0o022)
    try:
        assert _created_mode(None, tmp_path) & 0o044     # the repro: a default umask shares it
    finally:
        os.umask(old)
    for name in UNITS:
        mask = int(unit(name)["UMask"][-1], 8)
        assert _created_mode(mask, tmp_path) == 0o600


def test_only_the_inbox_watcher_gets_the_pseudonym_key():
    example = (DEPLOY / "omgeving.example").read_text(encoding="utf-8")
    assert not re.search(r"^\s*DIJKWACHT_PSEUDONIEM_SLEUTEL\s*=", example, re.M)   # was set here
    dashboard, inbox = unit("dijkwacht-dashboard.service"), unit("dijkwacht-inbox.service")
    assert "LoadCredential" not in dashboard
    assert "DIJKWACHT_PSEUDONIEM_SLEUTEL" in dashboard["UnsetEnvironment"][-1]
    assert inbox["LoadCredential"] == ["pseudoniem-sleutel:/etc/dijkwacht/pseudoniem-sleutel"]
    assert "DIJKWACHT_PSEUDONIEM_SLEUTEL" in inbox["UnsetEnvironment"][-1]


def test_upload_preview_needs_no_key(tmp_path, monkeypatch):
    """Why the dashboard can do without it: the preview keys with a throwaway key."""
    from etl import steward as beheer
    monkeypatch.delenv(config.KEY_ENV, raising=False)
    monkeypatch.setattr(config, "_secrets_value", lambda name: None)
    monkeypatch.setenv("DIJKWACHT_DB", str(tmp_path / "dijkwacht.duckdb"))
    monkeypatch.setenv("DIJKWACHT_STATE", str(tmp_path / "state.sqlite"))
    preview = beheer.preview_bytes("hennepkwekerijen_x.csv", b"registratienummer;datum_ontmanteling\n"
                                   b"H-1;03-02-2026\nH-2;31-02-2026\n")
    assert preview.refusal is None and (preview.loaded, preview.quarantined) == (1, 1)


MDWE_SCRIPT = textwrap.dedent("""
    import ctypes, mmap, os, sys
    from pathlib import Path
    PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0):
        print("GEEN-MDWE"); sys.exit(0)
    try:
        mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        print("W+X TOEGESTAAN"); sys.exit(3)
    except OSError:
        pass
    import argon2, duckdb, polars, pyarrow, streamlit, geopandas, pyproj, shapely, folium
    import matplotlib, typst, pypdfium2, openpyxl, xlsxwriter, fastexcel, networkx, esda
    from streamlit.testing.v1 import AppTest
    from dijkwacht import accounts, config, state
    from etl.load import run
    tmp = Path(sys.argv[1])
    csv = tmp / "hennepkwekerijen_w.csv"
    csv.write_text("registratienummer;datum_ontmanteling\\nH-1;03-02-2024\\nH-2;03-02-2025\\n"
                   "H-3;03-02-2026\\n", encoding="utf-8")
    import secrets
    reports = run([csv], tmp / "dijkwacht.duckdb", key=secrets.token_urlsafe(48).encode(), progress=lambda _: None)
    assert reports[0].status == "loaded", reports[0].message
    argon2.PasswordHasher().hash("een-lang-wachtwoord")
    at = AppTest.from_file(str(config.ROOT / "pages" / "data.py"), default_timeout=60)
    con = state.connect(config.state_path())
    naam, _ = accounts.ensure_test_account(con, "beheerder")
    at.session_state["dijkwacht_sessie"] = accounts.start_session(con, naam, "beheerder")
    at.session_state["dijkwacht_rol"] = "beheerder"
    con.close()
    at.run()
    assert not at.exception, at.exception
    print("OK", len(at.dataframe))
""")


def _under_mdwe(tmp_path: Path, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "DIJKWACHT_DB": str(tmp_path / "dijkwacht.duckdb"),
           "DIJKWACHT_STATE": str(tmp_path / "state.sqlite"), "PYTHONPATH": str(config.ROOT),
           **extra_env}
    env.pop("POLARS_SKIP_CPU_CHECK", None) if "POLARS_SKIP_CPU_CHECK" not in extra_env else None
    return subprocess.run([sys.executable, "-c", MDWE_SCRIPT, str(tmp_path)], capture_output=True,
                          text=True, cwd=config.ROOT, env=env, timeout=300)


@pytest.mark.slow    # a load and the Data page in a child process under PR_SET_MDWE
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="alleen Linux")
def test_python_and_its_libraries_run_under_memory_deny_write_execute(tmp_path):
    """MemoryDenyWriteExecute=yes, applied with the kernel's own switch (PR_SET_MDWE, which
    systemd uses too): a load and the Data page run with the units' environment."""
    env = {k: v for k, v in environment("dijkwacht-dashboard.service").items()
           if not k.startswith("DIJKWACHT_")}
    result = _under_mdwe(tmp_path, env)
    if "GEEN-MDWE" in result.stdout:
        pytest.skip("deze kernel kent PR_SET_MDWE niet (Linux < 6.3)")
    assert result.returncode == 0 and "OK" in result.stdout, result.stdout + result.stderr[-3000:]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="alleen Linux")
def test_without_the_polars_switch_memory_deny_write_execute_breaks_polars(tmp_path):
    """Why the units set POLARS_SKIP_CPU_CHECK: polars' CPU check executes code it wrote."""
    result = _under_mdwe(tmp_path, {})
    if "GEEN-MDWE" in result.stdout:
        pytest.skip("deze kernel kent PR_SET_MDWE niet (Linux < 6.3)")
    assert result.returncode != 0 and "mprotect" in result.stderr
    for name in ("dijkwacht-dashboard.service", "dijkwacht-inbox.service"):
        assert environment(name).get("POLARS_SKIP_CPU_CHECK") == "1"


def test_timer_anchors_the_audit_log_daily():
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read(DEPLOY / "dijkwacht-auditanker.timer")
    assert timer["Timer"]["OnCalendar"] == "daily" and timer["Timer"]["Persistent"] == "true"
    assert unit("dijkwacht-auditanker.service")["ExecStart"][-1].endswith("-m dijkwacht.audit anker")


def test_the_key_comes_from_the_systemd_credential_first(tmp_path, monkeypatch):
    """LoadCredential= puts the key in $CREDENTIALS_DIRECTORY for the inbox watcher only."""
    from dijkwacht import config

    (tmp_path / "pseudoniem-sleutel").write_text("  uit-de-credential-map  \n", encoding="utf-8")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    monkeypatch.setenv(config.KEY_ENV, "uit-de-omgeving")
    assert config.pseudonym_key() == b"uit-de-credential-map"
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    assert config.pseudonym_key() == b"uit-de-omgeving"


CHART_UNDER_MDWE = textwrap.dedent("""
    import ctypes, sys
    if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0):
        print("GEEN-MDWE"); sys.exit(0)
    import polars as pl
    from dijkwacht import chart_export, charts
    chart_export.RENDER_TIMEOUT_S = 3
    fig = charts.bars(pl.DataFrame({"wijk": ["a"], "aantal": [1]}), "wijk", "aantal")
    try:
        chart_export.image(fig, "svg", "samenvatting", "Bron: test")
        print("GERENDERD")
    except TimeoutError:
        print("OPGEGEVEN", chart_export.available(), chart_export.unavailable_reason())
    sys.stdout.flush()
    import os; os._exit(0)
""")


@pytest.mark.slow    # waits for Chromium to give up under PR_SET_MDWE
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="alleen Linux")
def test_chart_downloads_are_off_where_chromium_cannot_run(tmp_path):
    """Why the dashboard unit sets DIJKWACHT_GRAFIEKEXPORT=uit: under MemoryDenyWriteExecute
    Chromium hangs at start. A render then gives up once, and the pages stop offering chart
    downloads with a Dutch reason instead of hanging a thread per click."""
    import uuid

    from dijkwacht import chart_export
    if not chart_export.browser():
        pytest.skip("geen Chromium op deze machine")
    assert environment("dijkwacht-dashboard.service").get(chart_export.SWITCH) == "uit"
    marker = uuid.uuid4().hex
    env = {**os.environ, "POLARS_SKIP_CPU_CHECK": "1", "DIJKWACHT_TESTMERK": marker,
           "PYTHONPATH": str(config.ROOT)}
    env.pop(chart_export.SWITCH, None)
    try:
        result = subprocess.run([sys.executable, "-c", CHART_UNDER_MDWE], capture_output=True, text=True,
                                cwd=config.ROOT, env=env, timeout=120)
    finally:      # the hung Chromium lives on in its own session: end it by its environment
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and f"DIJKWACHT_TESTMERK={marker}".encode() in (proc / "environ").read_bytes():
                    os.kill(int(proc.name), 9)
            except OSError:
                pass
    if "GEEN-MDWE" in result.stdout:
        pytest.skip("deze kernel kent PR_SET_MDWE niet (Linux < 6.3)")
    assert "OPGEGEVEN False Grafiek downloaden kan niet: Chromium reageert niet" in result.stdout, \
        result.stdout + result.stderr[-2000:]


def test_the_switch_turns_chart_downloads_off(monkeypatch):
    from dijkwacht import chart_export
    monkeypatch.setenv(chart_export.SWITCH, "uit")
    assert not chart_export.available()
    assert "staat uit" in chart_export.unavailable_reason() or "geen Chromium" in chart_export.unavailable_reason()
