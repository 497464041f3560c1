"""Benchmark at national scale (issues 12, 17): ETL, pages, first paint, users, memory, ×1 to ×1000.

    .venv/bin/python -m bench.national [--schalen 1,10,100] [--snel] [--uit docs/benchmarks.md]
                                       [--werkmap DIR] [--geen-browser] [--json FILE]
                                       [--ronde-schalen 1,100] [--met-1000]

For every scale N, in one run and on the same generated files (`python -m etl.demo
--schaal N`, i.e. Dordrecht's volumes N times over the same buurten):

- ETL throughput: `python -m etl --demo DIR --db NEW` in a child process against DuckDB's
  bare `read_csv` of the same demo files into tables of an in-memory database, also in a
  child process (`etl_throughput.time_duckdb`). Both are the child's wall-clock time from
  spawn to exit (interpreter start and imports included: that is what a load costs), rows
  are the data rows of the demo files, median of 3 runs (1 with --snel). Ratio =
  ETL rows/s ÷ DuckDB rows/s.
- Page render: every page in access.PAGES with AppTest, as a role that may see it
  (`pages_render.measure`, in a child process per scale): cold = first run with empty
  data caches, warm = median of 5 reruns (1 with --snel).
- First paint in headless Chromium: the dashboard and a hello-world Streamlit app (a temp
  file), each started with the same `streamlit run` flags as the browser tests. Painted =
  the login form's "Inloggen" button visible (dashboard), the text "Hallo wereld" visible
  (hello world), measured from `page.goto` in a new browser context. Cold = the first
  visit after the server is healthy (the server imports the app's modules then); warm =
  median of 3 further visits in new contexts (1 with --snel). Also: Briefing after login
  = from the click on "Inloggen" until the script run is finished with the Briefing's
  metrics visible.
- Peak memory: VmHWM (RSS high-water mark, /proc/PID/status) of the dashboard server after
  a beheerder visited every page in the browser; ru_maxrss of the ETL child (os.wait4).
- Pages in Chromium (bench/browser_round.py, issue 17): each page's first and second visit,
  click on the sidebar link to settled page, on a freshly started server.
- Ten users at once (bench/browser_round.py): ten contexts in one Chromium doing the morning
  round together; p50/p95/max per click and the server's VmHWM after the round. At every
  scale of --schalen unless --ronde-schalen says otherwise; --snel: one user per role.
- ×1000 (bench/x1000.py, opt-in with --met-1000): generation, ETL against DuckDB and the
  Briefing after login; a failure is reported with its measured reason.

Writes a Markdown report (default docs/benchmarks.md) with the machine and load average.
Timings are reported, never asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

GOAL_RATIO_ETL = 0.33
GOAL_PAGE_WARM_MS = 300
GOAL_PAINT_RATIO = 1.5
GOAL_PEAK_MB = 1024
GOAL_SIGN_IN_S = 2.0          # sign-in to a settled Briefing (issue 17)
GOAL_SECOND_VISIT_S = 0.5     # a page's second visit (issue 17)
HELLO_TEXT = "Hallo wereld"
BRIEFING_ROLE = "analist"
VISIT_ROLE = "beheerder"        # sees every page


# --- child processes ----------------------------------------------------------------------

@dataclass
class Child:
    wall_s: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_child(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 1800) -> Child:
    """Run `cmd`, timing it from spawn to exit; peak RSS from the kernel's rusage (wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=err)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise TimeoutError(f"{' '.join(cmd)} took longer than {timeout} s")
            time.sleep(0.01)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        return Child(wall, usage.ru_maxrss / 1024, proc.returncode, out.read(), err.read())


def must(child: Child, what: str) -> Child:
    if child.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {child.returncode}):\n{child.stdout[-2000:]}\n{child.stderr[-3000:]}")
    return child


def base_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DIJKWACHT_STATE", None)
    env.update(DIJKWACHT_BASISKAART="geen", PYTHONUNBUFFERED="1", DIJKWACHT_AANMELDEN="lokaal")
    env.update(extra)
    return env


# --- ETL against DuckDB -------------------------------------------------------------------

def generate(scale: int, out: Path) -> dict:
    child = must(run_child([PY, "-m", "etl.demo", "--out", str(out), "--schaal", str(scale)]),
                 f"demo ×{scale}")
    files = sorted(out.glob("*.csv"))
    return {"generate_s": child.wall_s, "files": [str(f) for f in files],
            "mb": sum(f.stat().st_size for f in files) / 1e6}


# Run with cwd = the project root (run_child), so `bench` is importable as in `python -m bench...`.
DUCKDB_CHILD = "import sys; from bench.etl_throughput import time_duckdb; print(time_duckdb(*sys.argv[1:]))"


def load_counts(etl_stdout: str) -> dict:
    """From the JSON report `python -m etl --json` prints last: the files it loaded, and
    their rows in and rows quarantined."""
    report = json.loads(etl_stdout.strip().splitlines()[-1])
    loaded = [f for f in report["files"] if f["status"] == "loaded"]
    return {"files_loaded": len(loaded), "rows": sum(f["rows_in"] for f in loaded),
            "quarantined": sum(f["quarantined"] for f in loaded)}


def etl_vs_duckdb(demo_dir: Path, files: list[str], workdir: Path, runs: int) -> dict:
    """Median wall time of `runs` ETL children (each into a new database) and as many
    DuckDB children, interleaved so both see the same machine load."""
    etl, duck = [], []
    rows = None
    db = None
    for i in range(runs):
        d = must(run_child([PY, "-c", DUCKDB_CHILD, *files]), "DuckDB read_csv")
        duck.append(d)
        target = workdir / f"etl-{i}" / "dijkwacht.duckdb"
        e = must(run_child([PY, "-m", "etl", "--demo", str(demo_dir), "--db", str(target), "--json"],
                           env=base_env()), "ETL")
        counts = load_counts(e.stdout)
        if counts["files_loaded"] != len(files):
            raise RuntimeError(f"ETL loaded {counts['files_loaded']} of {len(files)} files: {e.stdout[-2000:]}")
        rows, quarantined = counts["rows"], counts["quarantined"]
        etl.append(e)
        if db is None:
            db = target           # the database the pages and the browser use
        else:
            shutil.rmtree(target.parent, ignore_errors=True)
    etl_s = statistics.median(c.wall_s for c in etl)
    duck_s = statistics.median(c.wall_s for c in duck)
    return {
        "rows": rows, "quarantined": quarantined, "db": str(db),
        "etl_s": etl_s, "etl_runs": [c.wall_s for c in etl], "etl_peak_mb": max(c.peak_mb for c in etl),
        "duck_s": duck_s, "duck_runs": [c.wall_s for c in duck], "duck_peak_mb": max(c.peak_mb for c in duck),
        "duck_inner_s": statistics.median(float(c.stdout.strip().splitlines()[-1]) for c in duck),
        "ratio": (rows / etl_s) / (rows / duck_s),
    }


# --- pages (AppTest) ----------------------------------------------------------------------

def pages(db: Path, workdir: Path, warm: int) -> dict:
    env = base_env(DIJKWACHT_DB=str(db), DIJKWACHT_STATE=str(workdir / "apptest-state.sqlite"))
    child = must(run_child([PY, "-m", "bench.pages_render", "--json", "--warm", str(warm)], env=env),
                 "pages_render")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result["process_s"] = child.wall_s
    return result


# --- browser ------------------------------------------------------------------------------

def browser_unavailable() -> str | None:
    """Why the browser part cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed"
    try:
        from tests.browser import browser_harness as h
    except ImportError as exc:
        return f"tests/browser/browser_harness.py not importable ({exc})"
    if not h.chromium_available():
        return "Chromium not installed"
    return None


@dataclass
class Streamlit:
    """`streamlit run SCRIPT` with the browser tests' flags, on a free port."""
    script: Path
    env: dict[str, str]
    log: Path
    port: int = 0
    process: subprocess.Popen | None = None
    start_s: float = 0.0
    accounts: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Streamlit":
        from tests.browser import browser_harness as h

        self.port = h.free_port()
        cmd = [PY, "-m", "streamlit", "run", str(self.script), "--server.port", str(self.port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
        t0 = time.perf_counter()
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=open(self.log, "w"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        while time.perf_counter() - t0 < h.SERVER_START_S:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit stopped:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        self.start_s = time.perf_counter() - t0
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"streamlit not healthy:\n{self.log.read_text()[-3000:]}")

    def peak_mb(self) -> float:
        """VmHWM of the server process (the python running streamlit)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_s(self) -> float:
        """CPU seconds the server process has used (user + system, /proc/PID/stat)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        from tests.browser import browser_harness as h
        h.stop_group(self.process)   # our own process group only (start_new_session above)


def _paint(browser, url: str, marker) -> tuple[float, object]:
    """Seconds from navigation to `marker(page)` visible, in a new context (a new session)."""
    from tests.browser import browser_harness as h

    context = h.new_context(browser)
    page = context.new_page()
    t0 = time.perf_counter()
    page.goto(url)
    marker(page).first.wait_for(state="visible", timeout=h.TIMEOUT_MS)
    return time.perf_counter() - t0, page


def _paint_series(browser, url: str, marker, warm: int) -> tuple[float, float]:
    cold, page = _paint(browser, url, marker)
    page.context.close()
    warms = []
    for _ in range(warm):
        t, page = _paint(browser, url, marker)
        warms.append(t)
        page.context.close()
    return cold, statistics.median(warms)


def _login_to_briefing(page, server: Streamlit, role: str) -> tuple[float, float | None]:
    """Seconds from the click on Inloggen until the Briefing's run is done and painted, as
    Playwright sees it (less the guard pause) and on the browser's clock."""
    from tests.browser import browser_harness as h

    name, password = server.accounts[role]
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(password)
    t0 = time.perf_counter()
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_text(f"rol {role}").wait_for(state="visible", timeout=h.TIMEOUT_MS)
    page.locator("[data-testid='stMetric']").first.wait_for(state="visible", timeout=h.TIMEOUT_MS)
    h.wait_for_app(page)
    return time.perf_counter() - t0 - 0.2, h.browser_seconds(page)     # less wait_for_app's guard pause


def browser_part(db: Path, workdir: Path, warm: int, logins: int = 2) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.browser import browser_harness as h

    hello = workdir / "hello.py"
    hello.write_text(f'import streamlit as st\n\nst.write("{HELLO_TEXT}")\n', encoding="utf-8")
    env = base_env(DIJKWACHT_DB=str(db), DIJKWACHT_STATE=str(workdir / "state.sqlite"))
    accounts = h.create_accounts(env)
    login_button = lambda page: page.get_by_role("button", name="Inloggen")  # noqa: E731
    hello_text = lambda page: page.get_by_text(HELLO_TEXT)  # noqa: E731
    out: dict = {}
    with sync_playwright() as playwright:
        browser = h.launch(playwright)
        try:
            srv = Streamlit(hello, env, workdir / "hello.log").start()
            try:
                out["hello_start_s"] = srv.start_s
                out["hello_cold_s"], out["hello_warm_s"] = _paint_series(browser, srv.url, hello_text, warm)
                out["hello_peak_mb"] = srv.peak_mb()
            finally:
                srv.stop()

            srv = Streamlit(ROOT / "server.py", env, workdir / "dashboard.log", accounts=accounts).start()
            try:
                out["dash_start_s"] = srv.start_s
                out["dash_cold_s"], out["dash_warm_s"] = _paint_series(browser, srv.url, login_button, warm)
                times = []
                for _ in range(logins):     # the first login runs the Briefing's queries cold
                    _, page = _paint(browser, srv.url, login_button)
                    times.append(_login_to_briefing(page, srv, BRIEFING_ROLE))
                    page.context.close()
                out["briefing_cold_s"], out["briefing_cold_browser_s"] = times[0]
                out["briefing_warm_s"], out["briefing_warm_browser_s"] = times[1] if len(times) > 1 else (None, None)
                # Every page as beheerder, then the server's high-water mark.
                _, page = _paint(browser, srv.url, login_button)
                _login_to_briefing(page, srv, VISIT_ROLE)
                visits = {}
                for p in h.existing_pages(VISIT_ROLE):
                    t0 = time.perf_counter()
                    try:
                        h.go_to(page, srv, VISIT_ROLE, p.key)
                        visits[p.key] = time.perf_counter() - t0
                    except Exception as exc:  # noqa: BLE001 — a page slower than the harness's timeout
                        visits[p.key] = None
                        waited = time.perf_counter() - t0
                        out.setdefault("visit_errors", {})[p.key] = f"{type(exc).__name__} after {waited:.0f} s"
                out["visit_s"] = visits
                page.context.close()
                out["dash_peak_mb"] = srv.peak_mb()
            finally:
                srv.stop()
        finally:
            browser.close()
    out["paint_ratio_cold"] = out["dash_cold_s"] / out["hello_cold_s"]
    out["paint_ratio_warm"] = out["dash_warm_s"] / out["hello_warm_s"]
    return out


def browser_rounds(r: dict, db: Path, work: Path, with_round: bool, say, small: bool = False) -> None:
    """Every page's first and second visit, then the ten-user round (bench/browser_round.py),
    each on a freshly started server; a failure is reported in `r`, not raised."""
    from bench import browser_round

    say("pages in Chromium, first and second visit")
    try:
        r["page_visits"] = browser_round.page_visits(db, work / "visits")
        slow = max((v for v in r["page_visits"]["visits"] if v["first_s"] is not None),
                   key=lambda v: v["first_s"], default=None)
        if slow:
            say(f"  slowest first visit {slow['page']} {slow['first_s']:.2f} s")
    except Exception as exc:  # noqa: BLE001 — report what was measured, say what failed
        r["page_visits_failed"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        say(f"  failed: {r['page_visits_failed']}")
    if not with_round:
        return
    say("ten users at once" + (" (--snel: one per role)" if small else ""))
    try:
        mix = browser_round.SMOKE_MIX if small else browser_round.DEFAULT_MIX
        t = r["ten_users"] = browser_round.ten_users(db, work / "round", mix)
        say(f"  p50 {_f(t['p50_s'])} s, p95 {_f(t['p95_s'])} s, max {_f(t['max_s'])} s over "
            f"{t['clicks']} clicks ({len(t['failed'])} failed); server peak {t['peak_mb']:.0f} MB")
    except Exception as exc:  # noqa: BLE001
        r["ten_users_failed"] = f"{type(exc).__name__}: {str(exc)[:300]}"
        say(f"  failed: {r['ten_users_failed']}")


# --- the report ---------------------------------------------------------------------------

def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    try:
        import duckdb
        import polars
        import streamlit
        versions = f"streamlit {streamlit.__version__}, duckdb {duckdb.__version__}, polars {polars.__version__}"
    except ImportError:
        versions = ""
    return {"cpu": cpu, "cores": os.cpu_count(), "ram": ram, "python": platform.python_version(),
            "os": platform.platform(), "commit": commit + (" with uncommitted changes" if dirty else ""),
            "versions": versions}


def _f(value, fmt: str = "{:.2f}") -> str:
    return "–" if value is None else fmt.format(value)


def _server_share(ten: dict) -> str:
    """The ten-user round's server CPU seconds and their share of all cores over the round."""
    if ten.get("server_cpu_s") is None:
        return "–"
    share = ten["server_cpu_s"] / (ten["round_wall_s"] * (os.cpu_count() or 1))
    return f"{ten['server_cpu_s']:.1f}; {100 * share:.0f} %"


def _mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✓" if ok else " ✗")


def render(results: dict[int, dict], meta: dict, huge: dict | None = None) -> str:
    scales = sorted(results)
    head = "| | " + " | ".join(f"×{s}" for s in scales) + " | goal |"
    sep = "|---|" + "---:|" * len(scales) + "---|"

    def row(label: str, cell, goal: str = "") -> str:
        return f"| {label} | " + " | ".join(cell(results[s]) for s in scales) + f" | {goal} |"

    def get(r, *path):
        for p in path:
            if r is None:
                return None
            r = r.get(p) if isinstance(r, dict) else None
        return r

    def slowest(r):
        rows = [x for x in get(r, "pages", "pages") or [] if x["warm_ms"] is not None]
        return max(rows, key=lambda x: x["warm_ms"]) if rows else None

    b = lambda r: r.get("browser") or {}  # noqa: E731
    lines = [
        "# Benchmarks at national scale",
        "",
        f"Measured by `{meta['command']}` on {meta['date']} (UTC), all scales side by side in one run.",
        "Generated by `bench/national.py` (issues 12 and 17); the definitions are in its docstring and below.",
        "Timings on a shared 2-core machine move by ±30 % between runs: read the ratios, not the last digit.",
        "",
        "## Machine",
        "",
        f"- CPU: {meta['machine']['cpu']}, {meta['machine']['cores']} cores; RAM {meta['machine']['ram']}",
        f"- Python {meta['machine']['python']}; {meta['machine']['os']}",
        f"- {meta['machine']['versions']}",
        f"- Commit {meta['machine']['commit']}",
        f"- Load average (1/5/15 min) before: {meta['load_before']}; after: {meta['load_after']}",
        f"- Total run time: {meta['total_s'] / 60:.1f} min",
        "",
        "## Summary",
        "",
        head, sep,
        row("rows in the demo files", lambda r: f"{r['etl']['rows']:,}"),
        row("rows the ETL quarantined (the demo has no bad rows: must be 0)",
            lambda r: _quarantined(r["etl"].get("quarantined"))),
        row("size of the files (MB)", lambda r: f"{r['demo']['mb']:.1f}"),
        row("ETL `python -m etl --demo` (s)", lambda r: _f(r["etl"]["etl_s"])),
        row("ETL rows/s", lambda r: f"{r['etl']['rows'] / r['etl']['etl_s']:,.0f}"),
        row("DuckDB `read_csv` → tables, child process (s)", lambda r: _f(r["etl"]["duck_s"])),
        row("DuckDB rows/s", lambda r: f"{r['etl']['rows'] / r['etl']['duck_s']:,.0f}"),
        row("**ETL ÷ DuckDB throughput**",
            lambda r: f"**{r['etl']['ratio']:.2f}**{_mark(r['etl']['ratio'] >= GOAL_RATIO_ETL)}",
            f"≥ {GOAL_RATIO_ETL}"),
        row("slowest page warm, AppTest (ms)",
            lambda r: (f"{slowest(r)['warm_ms']:.0f} ({slowest(r)['page']})"
                       f"{_mark(slowest(r)['warm_ms'] <= GOAL_PAGE_WARM_MS)}") if slowest(r) else "–",
            f"≤ {GOAL_PAGE_WARM_MS} at ×100"),
        row("first paint, hello world, cold / warm (s)",
            lambda r: f"{_f(b(r).get('hello_cold_s'))} / {_f(b(r).get('hello_warm_s'))}" if b(r) else "–"),
        row("first paint, dashboard login, cold / warm (s)",
            lambda r: f"{_f(b(r).get('dash_cold_s'))} / {_f(b(r).get('dash_warm_s'))}" if b(r) else "–"),
        row("**first paint ratio dashboard ÷ hello, cold**",
            lambda r: (f"**{b(r)['paint_ratio_cold']:.2f}**{_mark(b(r)['paint_ratio_cold'] <= GOAL_PAINT_RATIO)}"
                       if b(r) else "–"), f"≤ {GOAL_PAINT_RATIO}"),
        row("**first paint ratio dashboard ÷ hello, warm**",
            lambda r: (f"**{b(r)['paint_ratio_warm']:.2f}**{_mark(b(r)['paint_ratio_warm'] <= GOAL_PAINT_RATIO)}"
                       if b(r) else "–"), f"≤ {GOAL_PAINT_RATIO}"),
        row(f"Briefing after login ({BRIEFING_ROLE}), first / second (s)",
            lambda r: f"{_f(b(r).get('briefing_cold_s'))} / {_f(b(r).get('briefing_warm_s'))}" if b(r) else "–",
            f"≤ {GOAL_SIGN_IN_S}"),
        row("the same on the browser's clock (s)",
            lambda r: (f"{_f(b(r).get('briefing_cold_browser_s'))} / {_f(b(r).get('briefing_warm_browser_s'))}"
                       if b(r) else "–"), f"≤ {GOAL_SIGN_IN_S}"),
        row("server start to healthy, hello / dashboard (s)",
            lambda r: f"{_f(b(r).get('hello_start_s'))} / {_f(b(r).get('dash_start_s'))}" if b(r) else "–"),
        row("peak RSS dashboard server after every page (MB)",
            lambda r: (f"{b(r)['dash_peak_mb']:.0f}{_mark(b(r)['dash_peak_mb'] <= GOAL_PEAK_MB)}"
                       if b(r) else "–"), f"≤ {GOAL_PEAK_MB} at ×100"),
        row("peak RSS hello-world server (MB)",
            lambda r: f"{b(r)['hello_peak_mb']:.0f}" if b(r) else "–"),
        row("peak RSS ETL (MB)",
            lambda r: f"{r['etl']['etl_peak_mb']:.0f}{_mark(r['etl']['etl_peak_mb'] <= GOAL_PEAK_MB)}",
            f"≤ {GOAL_PEAK_MB} at ×100"),
        row("peak RSS AppTest process, all pages (MB)", lambda r: _f(get(r, "pages", "peak_rss_mb"), "{:.0f}")),
        row("peak RSS DuckDB `read_csv` (MB)", lambda r: f"{r['etl']['duck_peak_mb']:.0f}"),
        row("demo generation `python -m etl.demo` (s)", lambda r: _f(r["demo"]["generate_s"], "{:.1f}")),
        row("slowest first visit of a page in Chromium (s)", lambda r: _slowest_visit(r, "first_s")),
        row("slowest second visit of a page in Chromium (s)", lambda r: _slowest_visit(r, "second_s"),
            f"≤ {GOAL_SECOND_VISIT_S}"),
        row("the same on the browser's clock (s)", lambda r: _slowest_visit(r, "second_browser_s"),
            f"≤ {GOAL_SECOND_VISIT_S}"),
        row("**ten users: p95 click to settled page (s)**",
            lambda r: f"**{_pct(r['ten_users'], 'p95')}**" if r.get("ten_users") else "–"),
        row("ten users: peak RSS server (MB)",
            lambda r: (f"{r['ten_users']['peak_mb']:.0f}{_mark(r['ten_users']['peak_mb'] <= GOAL_PEAK_MB)}"
                       if r.get("ten_users") else "–"), f"≤ {GOAL_PEAK_MB} at ×100"),
    ]
    errors = {s: b(r).get("visit_errors") for s, r in results.items() if b(r).get("visit_errors")}
    if errors:
        lines += ["", "Browser visits that did not finish: " + "; ".join(
            f"×{s}: " + ", ".join(f"{k} ({v})" for k, v in e.items()) for s, e in errors.items())]
    skipped = {s: r["browser_skipped"] for s, r in results.items() if r.get("browser_skipped")}
    if skipped:
        lines += ["", "Browser part skipped: " + "; ".join(f"×{s}: {why}" for s, why in skipped.items())]

    lines += ["", "## Pages, server side (AppTest, ms)", "",
              "| page | role | " + " | ".join(f"×{s} cold | ×{s} warm" for s in scales)
              + " | browser visit ×" + str(scales[-1]) + " (s) |",
              "|---|---|" + "---:|---:|" * len(scales) + "---:|"]
    first = results[scales[0]]
    for i, p in enumerate(get(first, "pages", "pages") or []):
        cells = []
        for s in scales:
            rows = get(results[s], "pages", "pages") or []
            pr = rows[i] if i < len(rows) else None
            if pr is not None and pr["cold_ms"] is None:
                cells += ["error", "error"]
                continue
            cells.append("–" if pr is None else f"{pr['cold_ms']:.0f}")
            cells.append("–" if pr is None else
                         f"{pr['warm_ms']:.0f}{_mark(pr['warm_ms'] <= GOAL_PAGE_WARM_MS) if s == 100 else ''}")
        visit = (b(results[scales[-1]]).get("visit_s") or {}).get(p["page"])
        lines.append(f"| {p['page']} | {p['role']} | " + " | ".join(cells) + f" | {_f(visit)} |")

    broken = [f"×{s} {p['page']}: {p['error']}" for s in scales
              for p in get(results[s], "pages", "pages") or [] if p.get("error")]
    if broken:
        lines += ["", "Pages that raised in AppTest: " + " · ".join(broken)]
    lines += render_browser_rounds(results, scales)
    lines += render_x1000(huge, results)
    lines += ["", "## Runs", ""]
    for s in scales:
        e = results[s]["etl"]
        lines.append(f"- ×{s}: ETL runs {', '.join(f'{t:.2f}' for t in e['etl_runs'])} s; "
                     f"DuckDB runs {', '.join(f'{t:.2f}' for t in e['duck_runs'])} s "
                     f"(inside the child, without interpreter start: {e['duck_inner_s']:.2f} s)")
    lines += [
        "",
        "## Definitions",
        "",
        "- **ETL ÷ DuckDB**: rows/s of `python -m etl --demo DIR --db NEW` (read, validate, quarantine, "
        "keys, buurt from coordinates, upsert, checkpoint, fsync, publish, load log) over rows/s of a "
        "child `python` that imports DuckDB and runs `CREATE TABLE … AS SELECT * FROM read_csv(file)` for "
        "the same demo files into an in-memory database. Both are wall-clock from spawn to exit, "
        "median of the runs, interleaved.",
        "- **Page render**: `bench/pages_render.py` — AppTest run of the page script with the role "
        "signed in; cold = first run after `st.cache_data.clear()` (imports done), warm = median of "
        "reruns of the same session.",
        "- **First paint**: from `page.goto(url)` in a new browser context until the marker is visible: "
        f"the login form's **Inloggen** button (dashboard) or the text “{HELLO_TEXT}” (hello world, "
        "`st.write` only, from a temp file). Both servers: `python -m streamlit run SCRIPT` with the "
        "browser tests' flags, cwd = the project. Cold = first visit after the server reports healthy; "
        "warm = median of later visits in new contexts.",
        f"- **Briefing after login**: from the click on Inloggen until `rol {BRIEFING_ROLE}` and the first "
        "metric are visible and the script run has finished (`wait_for_app`), less its 200 ms guard pause.",
        "- **The browser's clock**: the same click from the pointer press to the page's last DOM change, "
        "read from `performance.now()` in the page once Playwright has seen it settle "
        "(tests/browser/browser_harness.py `browser_seconds`): what the user waited, without "
        "Playwright's polling or the guard pauses (a navigation has two).",
        "- **Peak RSS**: VmHWM of the dashboard's server process after a beheerder opened every page "
        "in the browser; ru_maxrss (wait4) of the ETL, AppTest and DuckDB child processes.",
        "- **Pages in Chromium** (`bench/browser_round.py`): a freshly started server per scale; "
        "signed in as analist (every page an analyst sees) or beheerder (Data), from the click on "
        "the page's sidebar link until a new run has started and finished and the page is settled "
        "(the browser harness's `new_run` + `wait_for_app`, whose 200 ms guard pause is included). "
        "First = the first click on the page since the server started (the Briefing: the click on "
        "Inloggen, since the router opens it); second = away to the previous page and back (the "
        "Briefing: from the last page, at the end). Pages "
        "share the data caches, in router order. “briefing (bestuur)”: the Briefing signed in as "
        "bestuur (protected figures), in its own browser context after the others.",
        "- **Ten users**: ten browser contexts in one Chromium, ten accounts (3 bestuur, 5 analist, "
        "2 beheerder) on a freshly started server, starting together: sign in (Briefing), Trends, "
        "Kaart, one source page (not for bestuur), Briefing; each click timed as above. p50/p95 are "
        "nearest-rank over all clicks, a click that did not settle within the timeout counting as "
        "longer (then shown as “> timeout”); peak RSS = the server's VmHWM after the round.",
        "- **×1000** (`bench/x1000.py`, `--met-1000`): one generation, one DuckDB and one ETL "
        "child (no median), then login → settled Briefing on a freshly started server, twice.",
        "",
    ]
    return "\n".join(lines)


def _quarantined(n: int | None) -> str:
    """The demo is generated valid, so a quarantined row is a generator bug that changes
    what the ETL measures (×1000 once loaded 1.1 of its 6.1 M vestigingen)."""
    return "–" if n is None else f"{n:,}" + _mark(n == 0)


def _pct(t: dict, name: str) -> str:
    """A ten-user percentile; "> timeout" when it lands on a click that did not settle."""
    if t.get(f"{name}_s") is not None:
        return f"{t[f'{name}_s']:.2f}"
    if t.get(f"{name}_at_least_s") is not None:
        return f"> {t[f'{name}_at_least_s']:.0f}"
    return "–"


def _both(visit: dict, which: str) -> str:
    """A visit's seconds as Playwright saw them, the browser's clock in brackets."""
    clock = visit.get(f"{which}_browser_s")
    return _f(visit.get(f"{which}_s")) + (f" ({_f(clock)})" if clock is not None else "")


def _slowest_visit(r: dict, key: str) -> str:
    visits = [v for v in (r.get("page_visits") or {}).get("visits", []) if v.get(key) is not None]
    if not visits:
        return "–"
    v = max(visits, key=lambda v: v[key])
    return f"{v[key]:.2f} ({v['page']})"


def render_browser_rounds(results: dict[int, dict], scales: list[int]) -> list[str]:
    lines = ["", "## Pages in Chromium (s)", "",
             "First visit after the server started on a freshly loaded database, second visit after "
             "navigating away and back; in brackets the same click on the browser's clock.", "",
             "| page | role | " + " | ".join(f"×{s} first | ×{s} second" for s in scales) + " |",
             "|---|---|" + "---:|---:|" * len(scales)]
    rows: dict[str, dict] = {}
    for s in scales:
        for v in (results[s].get("page_visits") or {}).get("visits", []):
            rows.setdefault(v.get("label", v["page"]), {"role": v["role"]})[s] = v
    for key, per in rows.items():
        cells = []
        for s in scales:
            v = per.get(s) or {}
            cells += [_both(v, "first"), _both(v, "second")]
        lines.append(f"| {key} | {per['role']} | " + " | ".join(cells) + " |")
    problems = []
    for s in scales:
        r = results[s]
        if r.get("page_visits_failed"):
            problems.append(f"×{s}: {r['page_visits_failed']}")
        for v in (r.get("page_visits") or {}).get("visits", []):
            if v.get("errors"):
                label = v.get("label", v["page"])
                problems.append(f"×{s} {label}{'' if v['role'] in label else ' (' + v['role'] + ')'}: "
                                f"{'; '.join(e[:200] for e in v['errors'])}")
    if not rows:
        problems.append("not measured (no browser)")
    if problems:
        lines += ["", "Not measured or with errors: " + " · ".join(problems)]

    measured = [s for s in scales if results[s].get("ten_users")]
    lines += ["", "## Ten users at once", ""]
    if measured:
        t0 = results[measured[0]]["ten_users"]
        mix = ", ".join(f"{n} {role}" for role, n in t0["mix"].items())
        lines += [f"{t0['users']} users ({mix}) in one Chromium, all starting together: sign in "
                  "(Briefing), Trends, Kaart, one source page (not bestuur), Briefing. The browser "
                  "and the server share the machine's cores.", "",
                  "| | " + " | ".join(f"×{s}" for s in measured) + " |",
                  "|---|" + "---:|" * len(measured)]

        def trow(label, cell):
            return f"| {label} | " + " | ".join(cell(results[s]["ten_users"]) for s in measured) + " |"
        lines += [
            trow("clicks (failed)", lambda t: f"{t['clicks']} ({len(t['failed'])})"),
            trow("p50 click to settled page (s)", lambda t: _pct(t, "p50")),
            trow("**p95 click to settled page (s)**", lambda t: f"**{_pct(t, 'p95')}**"),
            trow("p95 of the settled clicks only (s)", lambda t: _f(t.get("p95_settled_s"))),
            trow("the same on the browser's clock (s)", lambda t: _f(t.get("p95_settled_browser_s"))),
            trow("max (s)", lambda t: _pct(t, "max")),
            trow("whole round, wall clock (s)", lambda t: _f(t["round_wall_s"], "{:.1f}")),
            trow("server CPU in the round (s; share of the machine's core-seconds)", _server_share),
            trow("server peak RSS before the first visit (MB)", lambda t: _f(t["server_idle_mb"], "{:.0f}")),
            trow("**peak RSS server after the round (MB)**",
                 lambda t: f"**{t['peak_mb']:.0f}**{_mark(t['peak_mb'] <= GOAL_PEAK_MB)}"),
        ]
        pages = []
        for s in measured:
            for k in results[s]["ten_users"]["by_page"]:
                if k not in pages:
                    pages.append(k)
        for k in pages:
            lines.append(trow(f"{k}: median / max (s)", lambda t, k=k: (
                f"{t['by_page'][k]['median_s']:.2f} / {t['by_page'][k]['max_s']:.2f}"
                if k in t["by_page"] else "–")))
        failed = [f"×{s}: " + ", ".join(f"{c['role']} {c['page']} ({c.get('error')})"
                                          for c in results[s]["ten_users"]["failed"])
                  for s in measured if results[s]["ten_users"]["failed"]]
        if failed:
            lines += ["", "Clicks that did not settle: " + " · ".join(failed)]
            for scale in measured:
                if d := results[scale]["ten_users"].get("diagnosis"):
                    lines += ["", f"At ×{scale}'s first stuck click: server health check {d['server_health']}; "
                              f"the page {d['page']}; the server's thread stacks are in the JSON "
                              f"(`ten_users.diagnosis.server_stacks`)."]
    not_run = [f"×{s}: {results[s]['ten_users_failed']}" for s in scales if results[s].get("ten_users_failed")]
    if not measured or not_run:
        lines += ["", "Ten-user round not measured: " + (" · ".join(not_run) or "no browser")]
    return lines


def render_x1000(huge: dict | None, results: dict[int, dict]) -> list[str]:
    lines = ["", "## ×1000", ""]
    if huge is None:
        return lines + ["Not run (opt-in: `python -m bench.national --met-1000`, ~20 min of generation "
                        "at 12 GB peak, 1.7 GB of files)."]
    demo, etl, duck, brief = (huge.get(k) or {} for k in ("demo", "etl", "duck", "briefing"))
    lines += ["| | ×1000 |", "|---|---:|",
              f"| rows in the demo files | {_f(etl.get('rows'), '{:,}')} |",
              f"| rows the ETL quarantined (must be 0) | {_quarantined(etl.get('quarantined'))} |",
              f"| size of the files (MB) | {_f(demo.get('mb'), '{:.0f}')} |",
              f"| demo generation (s) | {_f(demo.get('generate_s'), '{:.0f}')} |",
              f"| ETL (s) | {_f(etl.get('etl_s'))} |",
              f"| ETL rows/s | {_f(etl.get('rows_per_s'), '{:,.0f}')} |",
              f"| DuckDB `read_csv`, child process (s) | {_f(duck.get('duck_s'))} |",
              f"| **ETL ÷ DuckDB throughput** | **{_f(huge.get('ratio'))}** |",
              f"| peak RSS ETL (MB) | {_f(etl.get('etl_peak_mb'), '{:.0f}')} |",
              f"| database size (MB) | {_f(etl.get('db_mb'), '{:.0f}')} |",
              f"| Briefing after login (analist), first / second (s) | "
              f"{_f(brief.get('first_s'))} / {_f(brief.get('second_s'))} |",
              f"| peak RSS dashboard server after the Briefing (MB) | {_f(brief.get('peak_mb'), '{:.0f}')} |",
              f"| ×1000 part, wall clock (min) | {huge['total_s'] / 60:.1f} |"]
    if huge.get("failed"):
        lines += ["", f"**Did not finish**: {huge['failed']}"]
        scales = sorted(results)
        trend = ", ".join(f"×{s} {r['etl']['rows'] / r['etl']['etl_s']:,.0f} rows/s, "
                          f"{r['etl']['etl_peak_mb']:.0f} MB" for s, r in ((s, results[s]) for s in scales))
        if trend:
            lines.append(f"ETL at the measured scales: {trend}.")
    if brief.get("errors"):
        lines += ["", "Briefing errors: " + "; ".join(e[:200] for e in brief["errors"])]
    return lines


def loadavg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schalen", default="1,10,100", help="comma-separated scales (default 1,10,100)")
    parser.add_argument("--snel", action="store_true", help="fewer repeats (smoke test)")
    parser.add_argument("--uit", type=Path, default=ROOT / "docs" / "benchmarks.md", help="report path")
    parser.add_argument("--werkmap", type=Path, help="keep the generated files and databases here")
    parser.add_argument("--geen-browser", action="store_true", help="skip the Chromium part")
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON")
    parser.add_argument("--ronde-schalen", default=None,
                        help="scales for the ten-user round (default: every scale of --schalen)")
    parser.add_argument("--met-1000", action="store_true",
                        help="also ×1000: generate (~20 min, 1.7 GB), ETL and the Briefing")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.schalen.split(",") if s.strip()]
    round_scales = set(scales if args.ronde_schalen is None
                       else [int(s) for s in args.ronde_schalen.split(",") if s.strip()])
    runs, warm_pages, warm_paint = (1, 1, 1) if args.snel else (3, 5, 3)

    started = time.perf_counter()
    meta = {"command": "python -m bench.national " + " ".join(argv if argv is not None else sys.argv[1:]),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
            "machine": machine(), "load_before": loadavg()}
    why_no_browser = "--geen-browser" if args.geen_browser else browser_unavailable()
    own = args.werkmap is None
    root = Path(tempfile.mkdtemp(prefix="dijkwacht-bench-")) if own else args.werkmap
    root.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict] = {}
    try:
        for scale in scales:
            work = root / f"x{scale}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            def say(msg: str, scale: int = scale) -> None:
                print(f"[×{scale} {time.perf_counter() - started:6.0f} s] {msg}", flush=True)
            r: dict = {}
            say("demo files")
            r["demo"] = generate(scale, work / "demo")
            say(f"ETL vs DuckDB ({len(r['demo']['files'])} files, {r['demo']['mb']:.0f} MB)")
            r["etl"] = etl_vs_duckdb(work / "demo", r["demo"]["files"], work, runs)
            say(f"  ratio {r['etl']['ratio']:.2f} (ETL {r['etl']['etl_s']:.2f} s, DuckDB {r['etl']['duck_s']:.2f} s)")
            db = Path(r["etl"]["db"])
            say("pages (AppTest)")
            r["pages"] = pages(db, work, warm_pages)
            if why_no_browser:
                r["browser_skipped"] = why_no_browser
                say(f"browser skipped: {why_no_browser}")
            else:
                say("browser (first paint, every page, memory)")
                try:
                    r["browser"] = browser_part(db, work, warm_paint, logins=1 if args.snel else 2)
                except Exception as exc:  # noqa: BLE001 — report what was measured, say what failed
                    r["browser_skipped"] = f"failed: {type(exc).__name__}: {str(exc)[:300]}"
                    say(r["browser_skipped"])
                else:
                    say(f"  paint ratio cold {r['browser']['paint_ratio_cold']:.2f}, warm "
                        f"{r['browser']['paint_ratio_warm']:.2f}; server peak {r['browser']['dash_peak_mb']:.0f} MB")
                browser_rounds(r, db, work, scale in round_scales, say, small=args.snel)
            results[scale] = r
            if own:        # the next scale's files need the disk more than these
                shutil.rmtree(work / "demo", ignore_errors=True)
    finally:
        if own:
            shutil.rmtree(root, ignore_errors=True)
    huge = None
    if args.met_1000:
        from bench import x1000

        print(f"[×1000 {time.perf_counter() - started:6.0f} s] generate, ETL, Briefing (opt-in)", flush=True)
        big = (args.werkmap or Path(tempfile.mkdtemp(prefix="dijkwacht-bench-1000-"))) / "x1000"
        shutil.rmtree(big, ignore_errors=True)
        try:
            huge = x1000.run(big, browser=why_no_browser is None)
        finally:
            if args.werkmap is None:
                shutil.rmtree(big.parent, ignore_errors=True)
        print(f"[×1000 {time.perf_counter() - started:6.0f} s] "
              + (f"failed: {huge['failed']}" if huge.get("failed") else "done"), flush=True)
    meta["load_after"] = loadavg()
    meta["total_s"] = time.perf_counter() - started
    if args.json:           # first: the raw numbers survive a failure in the rendering
        args.json.write_text(json.dumps({"meta": meta, "results": results, "x1000": huge},
                                        indent=2, default=str))
    text = render(results, meta, huge)
    args.uit.parent.mkdir(parents=True, exist_ok=True)
    args.uit.write_text(text, encoding="utf-8")
    print(text)
    print(f"written: {args.uit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
