"""The browser harness shared by the browser tests and the screenshot command.

The browser tests import it as `browser_harness` (pytest puts this folder on the path for
its conftest.py); the commands run from the project root import it as
`tests.browser.browser_harness` (`python -m tests.browser.screenshots`, `python -m bench.national`).

Nothing here is pytest-specific: `Server` builds a fresh demo database and test accounts in
a scratch folder and runs `streamlit run server.py` (dashboard.py under Streamlit's server,
with the session-cookie route) on a free port on 127.0.0.1; the helpers drive Debian's
Chromium through Playwright's sync API and know how to wait for Streamlit to finish a run.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from dijkwacht import access

ROOT = Path(__file__).resolve().parents[2]

# What the layer did (for the summary at the end of a pytest run), and what it is doing
# (for the failure report): filled by the fixtures and tests.
STATS: Counter = Counter()
SESSION: dict = {"server": None, "page": None, "started": None}

SKIP_REASON = "browserlaag overgeslagen: chromium niet geïnstalleerd"
CHROMIUM = os.environ.get("DIJKWACHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 900}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
TIMEOUT_MS = 90_000          # one Streamlit run of a page; the CI box has 2 busy cores
SERVER_START_S = 60


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def chromium_path() -> str:
    return CHROMIUM if Path(CHROMIUM).exists() else (shutil.which("chromium") or CHROMIUM)


def failure_dir() -> Path:
    path = Path(tempfile.gettempdir()) / "dijkwacht-browser-failures"
    path.mkdir(exist_ok=True)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def existing_pages(role: str | None = None) -> list[access.Page]:
    """Declared pages whose script exists (the router shows only those)."""
    pages = access.PAGES if role is None else access.pages_for(role)
    return [p for p in pages if (ROOT / p.script).exists()]


# --- the server under test ------------------------------------------------------------

@dataclass
class Server:
    """A demo database, one test account per role and a Streamlit server, in `workdir`."""

    workdir: Path
    port: int = 0
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def db(self) -> Path:
        return self.workdir / "dijkwacht.duckdb"

    @property
    def state(self) -> Path:
        return self.workdir / "state.sqlite"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(DIJKWACHT_DB=str(self.db), DIJKWACHT_STATE=str(self.state),
                   DIJKWACHT_ARCHIEF=str(self.workdir / "archief"),   # never the repo's data/archief
                   DIJKWACHT_BASISKAART="geen", PYTHONUNBUFFERED="1")
        # Local accounts, whatever the developer's secrets.toml says.
        env["DIJKWACHT_AANMELDEN"] = "lokaal"
        return env

    def build(self) -> None:
        """Fresh demo database through the real ETL, then one account per role."""
        t0 = time.monotonic()
        run = subprocess.run([sys.executable, "-m", "etl", "--demo", "--db", str(self.db)],
                             cwd=ROOT, env=self.env(), capture_output=True, text=True,
                             timeout=300)
        if run.returncode != 0 or not self.db.exists():
            raise RuntimeError(f"demo database not built (exit {run.returncode}):\n"
                               f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
        self.timings["demo_db_s"] = time.monotonic() - t0
        self.accounts = create_accounts(self.env())

    def start(self) -> None:
        self.port = self.port or free_port()
        self.log_path = self.workdir / f"streamlit-{self.port}.log"
        log = open(self.log_path, "w", encoding="utf-8")
        cmd = [sys.executable, "-m", "streamlit", "run", "server.py",
               "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--server.headless", "true",
               # Colleagues edit files while the tests run: no reruns on file changes.
               "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
        t0 = time.monotonic()
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=self.env(), stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit stopped with exit {self.process.returncode}:\n"
                                   + self.output())
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200 and r.read().strip() == b"ok":
                        self.timings["server_start_s"] = time.monotonic() - t0
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit not healthy after {SERVER_START_S} s:\n" + self.output())

    def stop(self) -> None:
        stop_group(self.process)

    def diagnosis(self, page=None) -> str:
        """What is stuck when a wait runs out, for the failure message: whether the server
        answers its health check, what the page says of its connection and script run, and
        every server thread's stack (SIGUSR1: server.py has faulthandler print them)."""
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=5) as r:
                lines = [f"health: HTTP {r.status}"]
        except OSError as exc:
            lines = [f"health: no answer ({type(exc).__name__})"]
        if page is not None:
            try:
                lines.append("page: " + page.evaluate(
                    "() => { const a = document.querySelector(\"[data-testid='stApp']\");"
                    " return a ? `connection ${a.dataset.testConnectionState}, script "
                    "${a.dataset.testScriptState}` : 'no app'; }"))
            except Exception as exc:  # noqa: BLE001 — a page that does not answer is the finding
                lines.append(f"page: no answer ({type(exc).__name__})")
        if self.process is None or self.process.poll() is not None or self.log_path is None:
            return "\n".join(lines + ["server: not running"])
        before = self.log_path.stat().st_size
        self.process.send_signal(signal.SIGUSR1)
        time.sleep(2)
        with open(self.log_path, "rb") as log:
            log.seek(before)
            lines.append("server threads:\n" + log.read().decode("utf-8", "replace")[-8000:])
        return "\n".join(lines)

    def output(self, tail: int = 12_000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text[-tail:]


def stop_group(process: subprocess.Popen | None) -> None:
    """Stop a server started with start_new_session=True: its own process group only,
    SIGTERM first, SIGKILL when it does not go within 10 s."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


def create_accounts(env: dict[str, str]) -> dict[str, tuple[str, str]]:
    """role → (name, password), made through the accounts module in a child process so the
    paths come from the same environment the server gets."""
    code = ("import json; from dijkwacht import access, accounts, config, state\n"
            "con = state.connect(config.state_path())\n"
            "print(json.dumps({r: accounts.ensure_test_account(con, r) for r in access.ROLES}))\n"
            "con.close()\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        raise RuntimeError(f"test accounts not created:\n{run.stderr[-3000:]}")
    return {role: tuple(pair) for role, pair in json.loads(run.stdout.strip().splitlines()[-1]).items()}


@contextmanager
def running_server(workdir: Path | None = None) -> Iterator[Server]:
    own = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="dijkwacht-browser-")) if own else workdir
    server = Server(workdir)
    # A plain `kill` (e.g. a CI timeout) must still stop the server: turn SIGTERM into an
    # exit, so the finally below runs.
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        server.build()
        server.start()
        yield server
    finally:
        server.stop()
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


# --- the browser ----------------------------------------------------------------------

def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


class Blocker:
    """Aborts every request that leaves this machine and remembers it (offline test)."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.allowed = 0

    def __call__(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS:
            self.allowed += 1
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def mark(self) -> int:
        return len(self.blocked)

    def since(self, mark: int) -> list[str]:
        return self.blocked[mark:]


def new_context(browser, blocker: Blocker | None = None):
    """A context with the screenshot viewport, downloads on, and every request outside
    localhost aborted (and counted when a Blocker is given)."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="nl-NL",
                                  timezone_id="Europe/Amsterdam")
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", blocker or Blocker())
    context.add_init_script(COUNT_RUNS)
    return context


# --- downloads at a person's pace ------------------------------------------------------

# Chromium (156) drops an anchor download that follows the last one too closely: of fourteen
# template buttons clicked back to back on the Data page, ten downloads arrive and the
# eleventh (its anchor clicked 65 ms after the tenth) never starts; 0.2 s apart, 60 of 60
# arrive, and after a pause the tab downloads again. No person clicks that fast, so the
# walks that click every download leave this much room after the last one (measured with
# Streamlit 1.67's deferred downloads; the CI walk lost one in each of its last two runs).
DOWNLOAD_GAP_S = 0.3
_last_download = [0.0]


@contextmanager
def download_expected(page, timeout: int = TIMEOUT_MS):
    """page.expect_download, started no sooner than DOWNLOAD_GAP_S after the last one."""
    wait = DOWNLOAD_GAP_S - (time.monotonic() - _last_download[0])
    if wait > 0:
        time.sleep(wait)
    try:
        with page.expect_download(timeout=timeout) as info:
            yield info
    finally:
        _last_download[0] = time.monotonic()


# --- waiting for Streamlit ------------------------------------------------------------

APP = "[data-testid='stApp']"
MAIN = "[data-testid='stMain']"
EXCEPTION = "[data-testid='stException']"
SIDEBAR_NAV = "[data-testid='stSidebarNav']"
DIALOG = "[role='dialog']"


# Counts the script runs the page has seen: Streamlit sets data-test-script-state="running"
# on its root element for each run. Waiting for the count to grow after an action avoids
# reading the previous run's "notRunning". A slow browser can render a fast run's "running"
# and "notRunning" in one go, so the attribute never shows it (reproduced: 1 of 6 nav clicks
# after a logout in another tab, Chromium's CPU throttled 8x; the triangle test's 90 s wait).
# So the runs are also counted from the server's messages: every ForwardMsg is one websocket
# frame, and a run's end is one with field `script_finished` (not "early for a rerun").
# __dwFinished alone is what `new_run` waits for (a run that ended, not one that stopped for
# a rerun); __dwRuns, the sum of both counts, grows with every run either signal saw, which
# is all that open_app and the control walk ask ("more than before the action").
# Also keeps, on the browser's own clock, the last pointer press and the last change of the
# page's DOM: `browser_seconds` reads what the user waited from them, without Playwright's
# polling or wait_for_app's guard pause (bench/browser_round.py reports both).
COUNT_RUNS = """
window.__dwStarts = 0;
window.__dwFinished = 0;
Object.defineProperty(window, '__dwRuns', {
  get: function () { return window.__dwStarts + window.__dwFinished; }});
(function () {
  const FINISHED = %(finished)d, EARLY_FOR_RERUN = %(early)d;
  // The value of top-level field FINISHED of a serialized ForwardMsg, or null.
  function finishedStatus(buffer) {
    const b = new Uint8Array(buffer);
    let i = 0;
    function varint() {
      let v = 0, shift = 0, x;
      do { x = b[i++]; v += (x & 0x7f) * Math.pow(2, shift); shift += 7; } while (x & 0x80 && i < b.length);
      return v;
    }
    while (i < b.length) {
      const key = varint(), field = Math.floor(key / 8), wire = key & 7;
      if (wire === 0) { const v = varint(); if (field === FINISHED) return v; }
      else if (wire === 1) i += 8;
      else if (wire === 2) { const length = varint(); i += length; }   // not i += varint(): i is read first
      else if (wire === 5) i += 4;
      else return null;
    }
    return null;
  }
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', function (event) {
        if (!(event.data instanceof ArrayBuffer)) return;
        const status = finishedStatus(event.data);
        if (status !== null && status !== EARLY_FOR_RERUN) window.__dwFinished += 1;
      });
    }
  };
})();
window.__dwPressAt = null;
window.__dwChangedAt = null;
document.addEventListener('pointerdown', function () { window.__dwPressAt = performance.now(); }, true);
new MutationObserver(function (mutations) {
  const now = performance.now();
  for (const m of mutations) {
    // The last change one can see. Inside a <canvas> nothing is painted (fallback content,
    // HTML spec): the data grid rebuilds its screen-reader table there, debounced by 200 ms
    // after it has drawn its cells.
    const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
    if (!(el && el.closest && el.closest('canvas'))) window.__dwChangedAt = now;
    if (m.type === 'attributes' && m.target.getAttribute('data-test-script-state') === 'running') {
      window.__dwStarts += 1;
    } else if (m.type === 'childList') {
      for (const n of m.addedNodes) {
        if (n.querySelector && n.querySelector("[data-test-script-state='running']")) window.__dwStarts += 1;
      }
    }
  }
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true,
                      attributeFilter: ['data-test-script-state']});
""" % {"finished": ForwardMsg.DESCRIPTOR.fields_by_name["script_finished"].number,
       "early": ForwardMsg.FINISHED_EARLY_FOR_RERUN}


# Seconds on the browser's clock from the last pointer press to the last visible change of
# the page (COUNT_RUNS), null without a press; one expression for the sync harness and the
# async bench.
BROWSER_SECONDS = ("window.__dwPressAt == null || window.__dwChangedAt == null ? null"
                   " : Math.max(window.__dwChangedAt - window.__dwPressAt, 0) / 1000")


def browser_seconds(page) -> float | None:
    """BROWSER_SECONDS: call after wait_for_app, which only returns once the page is settled
    (its guard pause and polling are not in it)."""
    return page.evaluate(BROWSER_SECONDS)


def runs(page) -> int:
    return page.evaluate("window.__dwRuns || 0")


def finished_runs(page) -> int:
    return page.evaluate("window.__dwFinished || 0")


@contextmanager
def new_run(page, timeout: int = TIMEOUT_MS):
    """Around an action that makes Streamlit run the script: afterwards, wait until a run
    the action started has finished, and the app has rendered it.

    Waits for a finish, not a start: an action whose run ends in st.rerun() (the Data page's
    accept) starts a second run, and between the two the app is briefly "notRunning"; a start
    would let wait_for_app return on that gap, before the second run drew its message (CI, once:
    "staat in de inbox" not yet visible). Runs that end early for a rerun are not counted."""
    before = finished_runs(page)
    yield
    page.wait_for_function("n => (window.__dwFinished || 0) > n", arg=before, timeout=timeout)
    wait_for_app(page, timeout)


def wait_for_app(page, timeout: int = TIMEOUT_MS) -> None:
    """Until Streamlit is connected, the script run has finished and everything rendered.

    The short first pause is the same guard Streamlit's own e2e suite uses: a rerun that
    was just requested may not have flipped the state to "running" yet.
    """
    from playwright.sync_api import expect

    page.wait_for_timeout(200)
    page.locator(f"{APP}[data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout)
    page.locator(f"{APP}[data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout)
    page.locator(MAIN).wait_for(state="visible", timeout=timeout)
    expect(page.locator("[data-testid='stSkeleton']")).to_have_count(0, timeout=timeout)
    # The "Running…" indicator in the status widget is gone.
    expect(page.locator("[data-testid='stStatusWidget'] [data-testid='stStatusWidgetRunningIcon']")
           ).to_have_count(0, timeout=timeout)


def _app_error_texts() -> list[str]:
    """The start of the app's own error messages: dashboard.py's error wrapper shows these
    instead of Streamlit's exception element. Read from dijkwacht/app/data.py's source, since
    importing it here would start Streamlit's caches without a runtime."""
    import ast

    wanted = {"INCIDENT_TEXT": "Er ging iets mis bij het tonen van deze pagina",
              "DENIED_TEXT": "U heeft geen toegang tot deze gegevens."}
    try:
        tree = ast.parse((ROOT / "dijkwacht" / "app" / "data.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and getattr(node.targets[0], "id", None) in wanted):
                wanted[node.targets[0].id] = ast.literal_eval(node.value)
    except (OSError, SyntaxError, ValueError):
        pass          # the known wording above
    return [t.split("{")[0].replace("*", "").strip() for t in wanted.values()]


APP_ERRORS = _app_error_texts()


def page_errors(page) -> list[str]:
    """Streamlit exception elements and the app's own error/denial messages on the page."""
    found = [t[:2000] for t in page.locator(EXCEPTION).all_inner_texts()]
    for text in page.locator(f"{MAIN} [data-testid='stAlert']").all_inner_texts():
        if any(marker and marker in text.replace("*", "") for marker in APP_ERRORS):
            found.append(text.strip())
    return found


def dismiss_dialog(page) -> str | None:
    """Close Streamlit's modal (e.g. "Page not found") and return its text."""
    dialog = page.locator(DIALOG)
    if dialog.count() and dialog.first.is_visible():
        text = dialog.first.inner_text()
        page.keyboard.press("Escape")
        dialog.first.wait_for(state="hidden", timeout=5_000)
        return text
    return None


def current_path(page) -> str:
    return urlsplit(page.url).path.strip("/")


# --- signing in and moving around -----------------------------------------------------

class SignInFailed(AssertionError):
    pass


def login_form_shown(page) -> bool:
    return page.get_by_label("Gebruikersnaam").count() > 0


def sign_in(page, server: Server, role: str) -> None:
    """Through the real form: name, password, the Inloggen button; then wait for the
    router to show the role's navigation."""
    name, password = server.accounts[role]
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(password)
    with new_run(page):
        page.get_by_role("button", name="Inloggen").click()
    try:
        page.get_by_text(f"rol {role}").wait_for(state="visible", timeout=TIMEOUT_MS)
    except Exception as exc:  # playwright's TimeoutError
        main = page.locator(MAIN).inner_text() if page.locator(MAIN).count() else ""
        raise SignInFailed(f"sign-in as {role} did not succeed; page says: {main[:500]}") from exc
    wait_for_app(page)


def open_app(page, server: Server, path: str = "") -> str | None:
    """Load a URL in a new Streamlit session; returns the text of a dialog it raised."""
    page.goto(f"{server.url}/{path}")
    # A new document: its first run, then whatever it shows first.
    page.wait_for_function("() => (window.__dwRuns || 0) > 0", timeout=TIMEOUT_MS)
    wait_for_app(page)
    page.get_by_label("Gebruikersnaam").or_(page.locator(SIDEBAR_NAV)).or_(
        page.locator(DIALOG)).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    wait_for_app(page)
    return dismiss_dialog(page)


def signed_in_page(context, server: Server, role: str):
    page = context.new_page()
    open_app(page, server)
    sign_in(page, server, role)
    return page


def default_key(role: str) -> str:
    """The page the router opens at "/" for this role: its first existing page."""
    return existing_pages(role)[0].key


def url_path(role: str, key: str) -> str:
    return "" if key == default_key(role) else key


def nav_link(page, path: str):
    """The sidebar link to a URL path ("" is the default page at "/")."""
    base = page.url.split("://", 1)[0] + "://" + urlsplit(page.url).netloc
    return page.locator(f"{SIDEBAR_NAV} a[href='{base}/{path}']")


def nav_paths(page) -> list[str]:
    hrefs = page.locator(f"{SIDEBAR_NAV} a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")
    return [urlsplit(href).path.strip("/") for href in hrefs]


def push_url(page, path: str) -> None:
    """Change the address within the running app, the way the back button does (history
    entry + popstate): the same session, so no new sign-in."""
    with new_run(page):
        page.evaluate("p => { history.pushState({}, '', '/' + p); "
                      "window.dispatchEvent(new PopStateEvent('popstate')); }", path)


def go_to(page, server: Server, role: str, key: str) -> None:
    """Show page `key` in this signed-in session by its navigation link.

    Within a session we follow the link (client side; the URL becomes /key): quicker than
    a typed URL, which starts a new Streamlit session (signed in by the session cookie).
    When the session is gone, we sign in again first.
    """
    path = url_path(role, key)
    if login_form_shown(page):
        sign_in(page, server, role)
    link = nav_link(page, path)
    if current_path(page) != path or not link.count():
        with new_run(page):
            link.first.click()
        page.wait_for_function("p => location.pathname.replace(/^\\/+|\\/+$/g, '') === p",
                               arg=path, timeout=TIMEOUT_MS)
    wait_for_app(page)
