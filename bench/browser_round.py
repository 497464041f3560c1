"""Pages in Chromium and ten users at once (issue 17), for bench/national.py.

Two measurements, each on a dashboard server freshly started on the scale's database (so
its caches are empty: what the first user sees after a load), driven through Debian's
Chromium with the browser tests' harness (tests/browser/browser_harness.py):

- `page_visits`: every page as a role that may see it (analist for the pages an analyst
  sees, beheerder for the rest), in router order; and the Briefing as bestuur, whose
  figures are protected (dijkwacht/lattice.py), as its own row. A click = from the click on the page's
  sidebar link until a new script run has started and the app is settled (the harness's
  `new_run` + `wait_for_app`: run finished, no skeleton, no running indicator). First
  visit = the first click on that page since the server started; second visit = click
  on the previous page, then back on the page. The Briefing is the page the router opens
  after sign-in, so its first visit is the click on Inloggen until the Briefing is
  settled, and its second visit the click on it from the last page of the round. Pages
  share the data layer's caches, so a page may find a query already cached by an earlier
  page: that is what a user's round sees.
- `ten_users`: ten browser contexts in one Chromium (Playwright's async API, one event
  loop), each signed in as its own account (3 bestuur, 5 analist, 2 beheerder by
  default). All ten load the login form, then start together: sign in (lands on the
  Briefing), Trends, Kaart, one source page (analysts and beheerders; bestuur has none),
  back to the Briefing, each click timed as above. Reports p50/p95/max over all clicks
  and the server's VmHWM (/proc/PID/status) after the round, and the CPU seconds the server
  used in it (the ten browser contexts share its cores).

Every click is reported twice: as Playwright sees it (`*_s`: from the click until its
waits confirm the page settled, so `wait_for_app`'s 200 ms guard pause, twice for a
navigation, and its polling are in it), and on the browser's own clock (`*_browser_s`: from
the pointer press to the page's last visible DOM change, tests/browser/browser_harness.py
`browser_seconds`; the data grid's screen-reader table inside its <canvas>, rebuilt 200 ms
after the cells are drawn, is not painted and does not count): what the user waited.
"""
from __future__ import annotations

import asyncio
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUARD_MS = 200                         # tests/browser/browser_harness.wait_for_app's pause
ROUND_TIMEOUT_MS = 240_000             # one click with ten users on two cores
SOURCE_PAGES = ("hennep", "geldstromen", "meldpunt", "handhaving", "koppelingen")
DEFAULT_MIX = (("bestuur", 3), ("analist", 5), ("beheerder", 2))
SMOKE_MIX = (("bestuur", 1), ("analist", 1), ("beheerder", 1))      # --snel
ROLE_PREFERENCE = ("analist", "beheerder", "bestuur")


def role_for(page) -> str:
    """A role that may see `page`: analist where allowed, else beheerder (Data)."""
    return next(r for r in ROLE_PREFERENCE if r in page.roles)


def access_page(key: str):
    from dijkwacht import access

    return next(p for p in access.PAGES if p.key == key)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def create_users(env: dict[str, str], mix=DEFAULT_MIX) -> list[tuple[str, str, str]]:
    """[(role, name, password)], one account per user, through the accounts module in a
    child process (the same environment as the server, like the harness's create_accounts)."""
    wanted = [(role, f"bench-{role}-{i + 1}") for role, n in mix for i in range(n)]
    code = ("import json, sys; from dijkwacht import accounts, config, state\n"
            "con = state.connect(config.state_path())\n"
            "wanted = json.loads(sys.argv[1])\n"
            "print(json.dumps([[r, *accounts.ensure_test_account(con, r, n)] for r, n in wanted]))\n"
            "con.close()\n")
    run = subprocess.run([sys.executable, "-c", code, json.dumps(wanted)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        raise RuntimeError(f"bench accounts not created:\n{run.stderr[-3000:]}")
    return [tuple(u) for u in json.loads(run.stdout.strip().splitlines()[-1])]


def _server(db: Path, workdir: Path, name: str):
    """A dashboard server on `db` with one test account per role, started and healthy."""
    from bench.national import ROOT as NROOT
    from bench.national import Streamlit, base_env
    from tests.browser import browser_harness as h

    workdir.mkdir(parents=True, exist_ok=True)
    env = base_env(DIJKWACHT_DB=str(db), DIJKWACHT_STATE=str(workdir / f"{name}-state.sqlite"),
                   DIJKWACHT_ARCHIEF=str(workdir / "archief"))
    accounts = h.create_accounts(env)
    return Streamlit(NROOT / "server.py", env, workdir / f"{name}.log", accounts=accounts)


# --- every page, first and second visit (sync API, the harness's helpers) ------------------

def _click(page, role: str, key: str, timeout: int) -> tuple[float, float | None]:
    """Seconds from the click on `key`'s sidebar link until the new run is settled: as
    Playwright sees it (guard pauses included) and on the browser's clock."""
    from tests.browser import browser_harness as h

    path = h.url_path(role, key)
    link = h.nav_link(page, path).first
    t0 = time.perf_counter()
    with h.new_run(page, timeout):
        link.click()
    page.wait_for_function("p => location.pathname.replace(/^\\/+|\\/+$/g, '') === p",
                           arg=path, timeout=timeout)
    h.wait_for_app(page, timeout)     # returns at once when settled; the run may show more
    return time.perf_counter() - t0, h.browser_seconds(page)


def _sign_in_timed(page, server, role: str, timeout: int) -> tuple[float, float | None]:
    """Seconds from the click on Inloggen until the role's first page is settled (as _click)."""
    from tests.browser import browser_harness as h

    name, password = server.accounts[role]
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(password)
    t0 = time.perf_counter()
    with h.new_run(page, timeout):
        page.get_by_role("button", name="Inloggen").click()
    page.get_by_text(f"rol {role}").wait_for(state="visible", timeout=timeout)
    h.wait_for_app(page, timeout)
    return time.perf_counter() - t0, h.browser_seconds(page)


def page_visits(db: Path, workdir: Path, timeout: int | None = None) -> dict:
    """{"visits": [{page, role, first_s, second_s, errors}], "peak_mb", "start_s"}."""
    from playwright.sync_api import sync_playwright

    from tests.browser import browser_harness as h

    timeout = timeout or h.TIMEOUT_MS
    srv = _server(db, workdir, "visits").start()
    out: dict = {"start_s": srv.start_s, "visits": []}
    try:
        with sync_playwright() as playwright:
            browser = h.launch(playwright)
            try:
                by_role: dict[str, list] = {}
                for p in h.existing_pages():
                    by_role.setdefault(role_for(p), []).append(p)
                # The bestuur sees the same Briefing protected (dijkwacht/lattice.py): its own row.
                by_role["bestuur"] = [p for p in h.existing_pages("bestuur") if p.key == h.default_key("bestuur")]
                for role in ROLE_PREFERENCE:
                    if role not in by_role:
                        continue
                    context = h.new_context(browser)
                    page = context.new_page()
                    h.open_app(page, srv)
                    landing = h.default_key(role)
                    t0 = time.perf_counter()
                    try:
                        landed = _sign_in_timed(page, srv, role, timeout)
                    except Exception as exc:  # noqa: BLE001 — e.g. a Briefing slower than the timeout
                        out["visits"].append({
                            "page": landing, "role": role, "first_s": None, "second_s": None,
                            "label": landing if role == role_for(access_page(landing)) else f"{landing} ({role})",
                            "errors": [f"sign-in not settled: {type(exc).__name__} after "
                                       f"{time.perf_counter() - t0:.0f} s{_waiting_for(exc)}"]})
                        context.close()
                        continue
                    previous = landing
                    landing_row = None
                    for p in by_role[role]:
                        row = {"page": p.key, "role": role, "first_s": None, "second_s": None,
                               "label": p.key if role == role_for(p) else f"{p.key} ({role})"}
                        try:
                            if p.key == landing:
                                # Its second visit comes last (away = the last page), so that
                                # no other page is visited before its own first visit.
                                row["first_s"], row["first_browser_s"] = landed
                                row["errors"] = h.page_errors(page)
                                landing_row = row
                            else:
                                row["first_s"], row["first_browser_s"] = _click(page, role, p.key, timeout)
                                row["errors"] = h.page_errors(page)
                                _click(page, role, previous, timeout)
                                row["second_s"], row["second_browser_s"] = _click(page, role, p.key, timeout)
                                previous = p.key
                        except Exception as exc:  # noqa: BLE001 — report, go on with the next page
                            row["errors"] = [f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                                             f"{_waiting_for(exc)}"]
                            h.dismiss_dialog(page)
                        out["visits"].append(row)
                    if landing_row is not None:
                        try:
                            if previous == landing:      # only the landing page: away and back
                                _click(page, role, h.existing_pages(role)[1].key, timeout)
                            landing_row["second_s"], landing_row["second_browser_s"] = _click(
                                page, role, landing, timeout)
                        except Exception as exc:  # noqa: BLE001
                            landing_row["errors"].append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
                    context.close()
            finally:
                browser.close()
        out["peak_mb"] = srv.peak_mb()
    finally:
        srv.stop()
    return out


# --- ten users at once (async API: one Chromium, one event loop) ----------------------------

SKELETON = "[data-testid='stSkeleton']"
RUNNING_ICON = "[data-testid='stStatusWidget'] [data-testid='stStatusWidgetRunningIcon']"


async def _settle(page, timeout: int) -> None:
    """tests/browser/browser_harness.wait_for_app for the async API (same checks)."""
    from playwright.async_api import expect

    from tests.browser import browser_harness as h

    await page.wait_for_timeout(GUARD_MS)
    await page.locator(f"{h.APP}[data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout)
    await page.locator(f"{h.APP}[data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout)
    await page.locator(h.MAIN).wait_for(state="visible", timeout=timeout)
    await expect(page.locator(SKELETON)).to_have_count(0, timeout=timeout)
    await expect(page.locator(RUNNING_ICON)).to_have_count(0, timeout=timeout)


async def _after_run(page, action, timeout: int) -> None:
    """tests/browser/browser_harness.new_run for the async API."""
    before = await page.evaluate("window.__dwRuns || 0")
    await action()
    await page.wait_for_function("n => (window.__dwRuns || 0) > n", arg=before, timeout=timeout)
    await _settle(page, timeout)


async def _local_only(route) -> None:
    """Every request outside this machine aborted, as the harness's Blocker does."""
    from urllib.parse import urlsplit

    from tests.browser import browser_harness as h

    parts = urlsplit(route.request.url)
    if parts.scheme in ("data", "blob", "about") or parts.hostname in h.LOCAL_HOSTS:
        await route.continue_()
    else:
        await route.abort()


async def _diagnose(page, server, into: dict) -> None:
    """What is stuck when a click does not settle (once per round, into `into`): whether the
    server still answers its health check, whether the page's JavaScript answers and what it
    says of the app's connection and script run, and every server thread's stack (SIGUSR1:
    server.py has faulthandler print them to its log)."""
    import signal
    import urllib.request

    if into:
        return
    into["at_s"] = time.perf_counter()

    def health() -> str:
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=5) as r:
                return f"HTTP {r.status}"
        except OSError as exc:
            return f"no answer ({type(exc).__name__})"

    into["server_health"] = await asyncio.to_thread(health)
    try:
        into["page"] = await asyncio.wait_for(page.evaluate(
            "() => { const a = document.querySelector(\"[data-testid='stApp']\");"
            " return a ? `connection ${a.dataset.testConnectionState}, script ${a.dataset.testScriptState}`"
            " : 'no app'; }"), 10)
    except Exception as exc:  # noqa: BLE001 — a browser that does not answer is the finding
        into["page"] = f"no answer ({type(exc).__name__})"
    before = server.log.stat().st_size
    server.process.send_signal(signal.SIGUSR1)
    await asyncio.sleep(2)
    with open(server.log, "rb") as log:
        log.seek(before)
        into["server_stacks"] = log.read().decode("utf-8", "replace")[-20000:]


async def _user(browser, url: str, user: tuple[str, str, str], index: int, start: asyncio.Event,
                ready: list, timeout: int, stuck) -> dict:
    from tests.browser import browser_harness as h

    role, name, password = user
    context = await browser.new_context(viewport=h.VIEWPORT, locale="nl-NL",
                                        timezone_id="Europe/Amsterdam")
    context.set_default_timeout(timeout)
    await context.route("**/*", _local_only)
    await context.add_init_script(h.COUNT_RUNS)
    page = await context.new_page()
    clicks: list[dict] = []
    try:
        await page.goto(url)
        await page.wait_for_function("() => (window.__dwRuns || 0) > 0", timeout=timeout)
        await _settle(page, timeout)
        await page.get_by_label("Gebruikersnaam").wait_for(state="visible", timeout=timeout)
        await page.get_by_label("Gebruikersnaam").fill(name)
        await page.get_by_label("Wachtwoord").fill(password)
        ready.append(index)
        await start.wait()

        async def timed(label: str, action, path: str | None = None) -> None:
            t0 = time.perf_counter()
            try:
                await _after_run(page, action, timeout)
                if path is not None:
                    await page.wait_for_function(
                        "p => location.pathname.replace(/^\\/+|\\/+$/g, '') === p", arg=path,
                        timeout=timeout)
                    await _settle(page, timeout)
                s = time.perf_counter() - t0
                clicks.append({"user": index, "role": role, "page": label, "s": s,
                               "browser_s": await page.evaluate(h.BROWSER_SECONDS)})
            except Exception as exc:  # a click that did not settle is reported, then raised
                clicks.append({"user": index, "role": role, "page": label, "s": None,
                               "error": f"{type(exc).__name__} after {time.perf_counter() - t0:.0f} s"
                                        f"{_waiting_for(exc)}"})
                await stuck(page)
                raise

        await timed("briefing (inloggen)",
                    lambda: page.get_by_role("button", name="Inloggen").click())
        await page.get_by_text(f"rol {role}").wait_for(state="visible", timeout=timeout)
        keys = {p.key for p in h.existing_pages(role)}
        sources = [k for k in SOURCE_PAGES if k in keys]
        round_ = ["trends", "kaart"] + ([sources[index % len(sources)]] if sources else []) + ["briefing"]
        for key in round_:
            if key not in keys:
                continue
            path = h.url_path(role, key)
            link = h.nav_link(page, path).first
            await timed(key, link.click, path)
    except Exception:  # noqa: BLE001 — the failed click is in `clicks`; the others go on
        if not ready or index not in ready:
            ready.append(index)
            clicks.append({"user": index, "role": role, "page": "login form", "s": None,
                           "error": "login form not shown"})
    finally:
        await context.close()
    return {"user": index, "role": role, "clicks": clicks}


def _waiting_for(exc: Exception) -> str:
    """What Playwright was waiting for when it timed out (its call log), or ""."""
    lines = [line.strip() for line in str(exc).splitlines() if "waiting for" in line]
    return f", {lines[-1][:160]}" if lines else ""


def click_stats(clicks: list[dict], timeout_s: float) -> dict:
    """p50/p95/max over all clicks; a click that did not settle counts as longer than the
    timeout, so a percentile that lands on one is reported as "at least the timeout"
    (`*_at_least_s`) instead of leaving it out and reporting a smaller number."""
    settled = sorted(c["s"] for c in clicks if c["s"] is not None)
    every = settled + [math.inf] * (len(clicks) - len(settled))
    on_browser_clock = sorted(c["browser_s"] for c in clicks if c.get("browser_s") is not None)
    out: dict = {"clicks": len(clicks), "failed": [c for c in clicks if c["s"] is None],
                 "timeout_s": timeout_s, "p95_settled_s": percentile(settled, 95),
                 "p95_settled_browser_s": percentile(on_browser_clock, 95)}
    for name, value in (("p50_s", percentile(every, 50)), ("p95_s", percentile(every, 95)),
                        ("max_s", every[-1] if every else None)):
        censored = value is not None and math.isinf(value)
        out[name] = None if censored else value
        if censored:
            out[name.replace("_s", "_at_least_s")] = timeout_s
    by_page: dict[str, list[float]] = {}
    for c in clicks:
        if c["s"] is not None:
            by_page.setdefault(c["page"], []).append(c["s"])
    out["by_page"] = {k: {"n": len(v), "median_s": statistics.median(v), "max_s": max(v)}
                      for k, v in by_page.items()}
    return out


async def _round(server, users: list, timeout: int) -> dict:
    from playwright.async_api import async_playwright

    from tests.browser import browser_harness as h

    start = asyncio.Event()
    ready: list[int] = []
    diagnosis: dict = {}

    async def stuck(page) -> None:
        await _diagnose(page, server, diagnosis)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=h.chromium_path(),
                                                   args=h.CHROMIUM_ARGS)
        try:
            tasks = [asyncio.create_task(_user(browser, server.url, u, i, start, ready, timeout, stuck))
                     for i, u in enumerate(users)]
            t_wait = time.perf_counter()
            while len(ready) < len(users) and time.perf_counter() - t_wait < timeout / 1000:
                await asyncio.sleep(0.05)
            t0 = time.perf_counter()
            start.set()
            done = await asyncio.gather(*tasks)
            wall = time.perf_counter() - t0
        finally:
            await browser.close()
    return {"wall_s": wall, "users": done, "diagnosis": diagnosis}


def ten_users(db: Path, workdir: Path, mix=DEFAULT_MIX, timeout: int = ROUND_TIMEOUT_MS) -> dict:
    """The morning round of len(mix) users at once; click timings and the server's peak."""
    srv = _server(db, workdir, "round")
    users = create_users(srv.env, mix)
    srv.start()
    try:
        idle_mb, cpu_before = srv.peak_mb(), srv.cpu_s()
        result = asyncio.run(_round(srv, users, timeout))
        peak_mb, server_cpu = srv.peak_mb(), srv.cpu_s() - cpu_before
    finally:
        srv.stop()
    clicks = [c for u in result["users"] for c in u["clicks"]]
    return {
        "users": len(users), "mix": {role: n for role, n in mix},
        **click_stats(clicks, timeout / 1000),
        "round_wall_s": result["wall_s"], "server_idle_mb": idle_mb, "peak_mb": peak_mb,
        # The round's clients run on the same cores: how much of them the server had.
        "server_cpu_s": server_cpu, "raw": clicks, "diagnosis": result["diagnosis"],
    }
