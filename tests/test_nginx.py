"""The reverse proxy example (deploy/): in front of a real `streamlit run` on 127.0.0.1 the
security headers are there and the app server's banner (Tornado, or uvicorn in Streamlit
1.67) is not. Plain HTTP on free ports for the snippet; the whole site file (TLS) runs too,
with a throwaway certificate, to show its hardened settings on the wire.

Issue 23, item 8: `/_stcore/metrics` and `/media/` (downloads) are open at Streamlit itself;
each test shows that first (straight at the app), then that the proxy closes it."""
from __future__ import annotations

import asyncio
import re
import shutil
import socket
import ssl
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from apptest_support import free_port

from dijkwacht import config

ROOT = config.ROOT
NGINX = shutil.which("nginx") or (Path("/usr/sbin/nginx") if Path("/usr/sbin/nginx").exists() else None)

# A real nginx in front of a real Streamlit server: the full layer only (make test).
pytestmark = [pytest.mark.skipif(NGINX is None, reason="nginx is niet geïnstalleerd (make nginx)"),
              pytest.mark.nginx]

HEADERS = {
    "strict-transport-security": "max-age=31536000",
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "no-referrer",
    "content-security-policy": "frame-ancestors 'self'",
    "permissions-policy": "camera=()",
}


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:  # noqa: BLE001
            time.sleep(0.3)
    raise TimeoutError(url)


def get(url: str, headers: dict[str, str] | None = None, context=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10, context=context) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict]:
    """(status, body, headers) — errors included."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status, r.read(), {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}


def nginx_version() -> tuple[int, ...]:
    out = subprocess.run([str(NGINX), "-v"], capture_output=True, text=True).stderr
    return tuple(int(x) for x in re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out).groups())


def runnable_site(text: str) -> str:
    """deploy/nginx.conf as this machine's nginx can parse it: `http2 on;` needs nginx 1.25.1;
    an older one (Debian 12 has 1.22) gets the equivalent, deprecated `listen ... http2`."""
    if nginx_version() >= (1, 25, 1):
        return text
    text = re.sub(r"^\s*http2 on;\n", "", text, flags=re.M)
    return re.sub(r"(listen\s+\S*443 ssl);", r"\1 http2;", text)


def start_nginx(conf: Path, prefix: Path) -> subprocess.Popen:
    return subprocess.Popen([str(NGINX), "-c", str(conf), "-p", str(prefix)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def http_block(tmp: Path, app_port: int, body: str) -> str:
    return f"""
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    {body}
}}
"""


@contextmanager
def proxied(script: str, tmp: Path, env: dict[str, str]) -> Iterator[tuple[int, int]]:
    """`streamlit run script` on 127.0.0.1 behind deploy/dijkwacht-proxy.conf in a plain-HTTP
    nginx, each on a free port; yields (app_port, proxy_port) once both answer."""
    app_port, proxy_port = free_port(), free_port()
    app = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.address", "127.0.0.1",
         "--server.port", str(app_port), "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conf = tmp / "nginx.conf"
    conf.write_text(http_block(tmp, app_port, f"""
    map $http_upgrade $dijkwacht_connection {{ default upgrade; '' close; }}
    upstream dijkwacht_app {{ server 127.0.0.1:{app_port}; }}
    server {{
        listen 127.0.0.1:{proxy_port};
        include {ROOT / 'deploy' / 'dijkwacht-proxy.conf'};
    }}
"""))
    proxy = start_nginx(conf, tmp)
    try:
        wait_for(f"http://127.0.0.1:{app_port}/_stcore/health")
        wait_for(f"http://127.0.0.1:{proxy_port}/_stcore/health", 20)
        yield app_port, proxy_port
    finally:
        proxy.terminate()
        app.terminate()
        proxy.wait(10)
        app.wait(20)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx")
    env = {"DIJKWACHT_DB": str(tmp / "dijkwacht.duckdb"), "DIJKWACHT_STATE": str(tmp / "state.sqlite"),
           "PATH": "/usr/bin:/bin", "HOME": str(tmp)}
    with proxied("server.py", tmp, env) as ports:
        yield ports


def test_example_config_is_valid_nginx(tmp_path):
    """deploy/nginx.conf parses (certificate paths replaced by a throwaway self-signed pair)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl ontbreekt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(tmp_path / "k.pem"),
                    "-out", str(tmp_path / "c.pem")], check=True, capture_output=True)
    site = runnable_site((ROOT / "deploy" / "nginx.conf").read_text())
    site = (site.replace("/etc/ssl/dijkwacht/fullchain.pem", str(tmp_path / "c.pem"))
                .replace("/etc/ssl/dijkwacht/privkey.pem", str(tmp_path / "k.pem"))
                .replace("/etc/nginx/snippets/dijkwacht-proxy.conf", str(ROOT / "deploy" / "dijkwacht-proxy.conf")))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}} "
        f"http {{ include {tmp_path}/site.conf; }}")
    result = subprocess.run([str(NGINX), "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


BANNERS = ("tornado", "uvicorn")   # Streamlit 1.67 serves with uvicorn; older ones with Tornado


def test_without_the_proxy_the_app_server_shows_its_banner(stack):
    app_port, _ = stack
    _, headers = get(f"http://127.0.0.1:{app_port}/")
    assert any(b in headers.get("server", "").lower() for b in BANNERS)   # what the proxy must hide


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/app/static/vendor/leaflet/leaflet.css"])
def test_proxy_adds_security_headers_and_hides_the_banner(stack, path):
    _, proxy_port = stack
    try:
        status, headers = get(f"http://127.0.0.1:{proxy_port}{path}")
    except urllib.error.HTTPError as exc:       # e.g. static assets not installed: headers still count
        status, headers = exc.code, {k.lower(): v for k, v in exc.headers.items()}
    assert status in (200, 404)
    for name, part in HEADERS.items():
        assert part in headers.get(name, ""), (name, headers)
    assert not any(b in headers.get("server", "").lower() for b in BANNERS)
    assert headers.get("server", "") == "nginx"                 # no version either


# --- Issue 23, item 12: TLS as the NCSC rates "good", `http2 on;` ----------------------------

NCSC_GOOD_TLS12 = {"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
                   "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
                   "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"}


def test_site_config_text_is_hardened():
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.search(r"^\s*http2 on;", site, re.M)
    assert not re.search(r"listen[^;]*\bhttp2\b", site)          # the deprecated form is gone
    assert re.search(r"ssl_protocols TLSv1\.2 TLSv1\.3;", site)
    ciphers = set(re.search(r"ssl_ciphers ([^;]+);", site).group(1).split(":"))
    assert ciphers <= NCSC_GOOD_TLS12                               # AEAD with ECDHE only


@pytest.fixture(scope="module")
def tls_stack(stack, tmp_path_factory):
    """deploy/nginx.conf itself (TLS, http2) on free ports, in front of the running app."""
    if not shutil.which("openssl"):
        pytest.skip("openssl ontbreekt")
    app_port, _ = stack
    tmp = tmp_path_factory.mktemp("nginx-tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(tmp / "k.pem"), "-out", str(tmp / "c.pem")],
                   check=True, capture_output=True)
    https_port, http_port = free_port(), free_port()
    site = runnable_site((ROOT / "deploy" / "nginx.conf").read_text())
    site = (site.replace("/etc/ssl/dijkwacht/fullchain.pem", str(tmp / "c.pem"))
                .replace("/etc/ssl/dijkwacht/privkey.pem", str(tmp / "k.pem"))
                .replace("/etc/nginx/snippets/dijkwacht-proxy.conf", str(ROOT / "deploy" / "dijkwacht-proxy.conf"))
                .replace("server 127.0.0.1:8501;", f"server 127.0.0.1:{app_port};")
                .replace("listen [::]:443", "# listen [::]:443").replace("listen [::]:80", "# listen [::]:80")
                .replace("listen 443 ", f"listen 127.0.0.1:{https_port} ")
                .replace("listen 80;", f"listen 127.0.0.1:{http_port};"))
    (tmp / "site.conf").write_text(site)
    conf = tmp / "nginx.conf"
    conf.write_text(http_block(tmp, app_port, f"include {tmp / 'site.conf'};"))
    dump = subprocess.run([str(NGINX), "-T", "-c", str(conf), "-p", str(tmp)], capture_output=True, text=True)
    assert dump.returncode == 0, dump.stderr
    proxy = start_nginx(conf, tmp)
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield https_port, dump.stdout
    finally:
        proxy.terminate()
        proxy.wait(10)


def handshake(port: int, *, version=None, ciphers=None, alpn=None) -> ssl.SSLSocket | None:
    """A TLS handshake as a client offering only what is given; None when refused."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    if version:
        ctx.minimum_version = ctx.maximum_version = version
    if ciphers:
        ctx.set_ciphers(ciphers + ":@SECLEVEL=0")
    if alpn:
        ctx.set_alpn_protocols(alpn)
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        tls = ctx.wrap_socket(raw)
    except (ssl.SSLError, ConnectionError):
        raw.close()
        return None
    return tls


def test_running_config_shows_the_hardened_settings(tls_stack):
    _, dump = tls_stack                                             # `nginx -T`
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in dump
    running = set(re.search(r"ssl_ciphers ([^;]+);", dump).group(1).split(":"))
    assert running <= NCSC_GOOD_TLS12
    assert "ssl_session_tickets off;" in dump
    assert "location ^~ /_stcore/metrics" in dump and "location ^~ /media/" in dump


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_refuses_cbc_and_old_versions_and_speaks_http2(tls_stack):
    port, _ = tls_stack
    tls13 = handshake(port, version=ssl.TLSVersion.TLSv1_3, alpn=["h2", "http/1.1"])
    assert tls13 is not None and tls13.version() == "TLSv1.3"
    assert tls13.selected_alpn_protocol() == "h2"
    tls13.close()
    gcm = handshake(port, version=ssl.TLSVersion.TLSv1_2, ciphers="ECDHE-RSA-AES128-GCM-SHA256")
    assert gcm is not None and gcm.cipher()[0] in NCSC_GOOD_TLS12
    gcm.close()
    for cbc in ("ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES128-SHA",
                "AES128-SHA", "AES256-GCM-SHA384", "DHE-RSA-AES128-SHA"):
        assert handshake(port, version=ssl.TLSVersion.TLSv1_2, ciphers=cbc) is None, cbc
    assert handshake(port, version=ssl.TLSVersion.TLSv1_1, ciphers="ALL") is None


def test_tls_front_proxies_with_the_security_headers(tls_stack):
    port, _ = tls_stack
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    status, headers = get(f"https://127.0.0.1:{port}/_stcore/health", context=ctx)
    assert status == 200 and "max-age=31536000" in headers["strict-transport-security"]
    assert headers["server"] == "nginx"


def test_behind_tls_the_session_cookie_route_sets_secure_cookies(tls_stack):
    """The cookie route (dijkwacht/app/session_cookie.py) through the real TLS front: nginx passes
    X-Forwarded-Proto, so the cookie the app sets is Secure; a made-up ticket gets none."""
    port, _ = tls_stack
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    url = f"https://127.0.0.1:{port}/api/sessie"

    def call(method: str, ticket: str):
        request = urllib.request.Request(url, method=method, headers={
            "X-Dijkwacht-Overdracht": ticket, "Origin": f"https://127.0.0.1:{port}"})
        try:
            with urllib.request.urlopen(request, timeout=10, context=ctx) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}
        except urllib.error.HTTPError as exc:
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}

    status, headers = call("DELETE", "-")
    assert status == 204
    assert {"HttpOnly", "SameSite=Strict", "Secure", "Max-Age=0"} <= {
        p.strip() for p in headers["set-cookie"].split(";")}
    status, headers = call("POST", "verzonnen-kaartje")
    assert status == 403 and "set-cookie" not in headers


# --- Issue 23, item 8: metrics and downloads ------------------------------------------------

@pytest.mark.parametrize("path", ["/_stcore/metrics", "/_stcore/metrics?families=cache_memory_bytes",
                                  "/_stcore//metrics", "/_stcore/%6detrics", "/x/../_stcore/metrics",
                                  "/_stcore/metrics/"])
def test_metrics_are_closed_at_the_proxy(stack, path):
    app_port, proxy_port = stack
    status, body, _ = fetch(f"http://127.0.0.1:{app_port}/_stcore/metrics")
    assert status == 200 and b"# TYPE" in body                     # the repro: open at the app
    status, body, headers = fetch(f"http://127.0.0.1:{proxy_port}{path}")
    assert status == 404 and b"# TYPE" not in body
    assert headers.get("x-content-type-options") == "nosniff"      # headers on refusals too


MEDIA_APP = textwrap.dedent("""
    import streamlit as st
    st.download_button("vast", b"sleutel;aantal\\nAB12;3\\n", file_name="export.csv", mime="text/csv")
    st.download_button("op klik", lambda: b"sleutel;aantal\\nCD34;4\\n", file_name="klik.csv",
                       mime="text/csv")
""")


@pytest.fixture(scope="module")
def media_stack(tmp_path_factory):
    """A one-page Streamlit app with two download buttons (the mechanism every export uses:
    data given at once, and data made on click), behind the same proxy snippet."""
    tmp = tmp_path_factory.mktemp("nginx-media")
    (tmp / "app.py").write_text(MEDIA_APP)
    with proxied(str(tmp / "app.py"), tmp, {"PATH": "/usr/bin:/bin", "HOME": str(tmp)}) as ports:
        yield ports


class Browser:
    """Just enough of Streamlit's frontend: a websocket session through the proxy that runs
    the script and asks for a made-on-click download, as the page does."""

    def __init__(self, port: int):
        self.port, self.session = port, None

    async def __aenter__(self):
        import websockets
        self.ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/_stcore/stream",
                                           subprotocols=["streamlit"])
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def _next(self):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        msg = ForwardMsg()
        msg.ParseFromString(await asyncio.wait_for(self.ws.recv(), 30))
        return msg

    async def run(self) -> dict[str, tuple[str, str]]:
        """One script run: {label: (url, deferred id)} of the download buttons."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        back = BackMsg()
        back.rerun_script.query_string = ""
        await self.ws.send(back.SerializeToString())
        buttons = {}
        while True:
            msg = await self._next()
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.session = msg.new_session.initialize.session_id
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                if element.WhichOneof("type") == "download_button":
                    b = element.download_button
                    buttons[b.label] = (b.url, b.deferred_file_id)
            elif kind == "script_finished":
                return buttons

    async def click(self, deferred_id: str) -> str:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        back = BackMsg()
        back.backend_operation_request.request_id = "klik"
        back.backend_operation_request.session_id = self.session
        back.backend_operation_request.deferred_file.file_id = deferred_id
        await self.ws.send(back.SerializeToString())
        while True:
            msg = await self._next()
            if msg.WhichOneof("type") == "backend_operation_response":
                return msg.backend_operation_response.deferred_file.url


def run_async(coroutine):
    """asyncio.run in a thread of its own: in the full suite the browser layer's Playwright
    keeps an event loop running in the main thread, where asyncio.run refuses to start."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate",
               "Cookie": "_streamlit_xsrf=2|aa|bb|1"}     # what the app's own page sends


def test_an_export_url_is_served_without_cookies_by_streamlit_itself(media_stack):
    """The repro: the URL of a download, fetched with no cookies, from anywhere, also after
    the session that made it has gone."""
    app_port, proxy_port = media_stack

    async def scenario():
        async with Browser(proxy_port) as page:
            return (await page.run())["vast"][0]
    url = run_async(scenario())
    assert url.startswith("/media/")
    status, body, _ = fetch(f"http://127.0.0.1:{app_port}{url}")
    assert status == 200 and b"AB12" in body                    # open at the app


@pytest.mark.parametrize("headers", [
    {},                                                          # curl, a script
    {"Cookie": "_streamlit_xsrf=2|aa|bb|1"},                     # a cookie but no browser word
    {"Sec-Fetch-Site": "none", "Cookie": "_streamlit_xsrf=x"},   # pasted in the address bar
    {"Sec-Fetch-Site": "cross-site", "Cookie": "_streamlit_xsrf=x"},   # a link elsewhere
    {"Sec-Fetch-Site": "same-site", "Cookie": "_streamlit_xsrf=x"},    # a sibling host
    {"Sec-Fetch-Site": "same-origin"},                           # no app cookie
])
def test_the_proxy_refuses_downloads_not_asked_for_by_the_app_page(media_stack, headers):
    app_port, proxy_port = media_stack

    async def scenario():
        async with Browser(proxy_port) as page:
            return (await page.run())["vast"][0]
    url = run_async(scenario())
    status, body, response = fetch(f"http://127.0.0.1:{proxy_port}{url}", headers)
    assert status == 403 and b"AB12" not in body
    assert response.get("x-content-type-options") == "nosniff"


def test_the_app_page_still_downloads_through_the_proxy_never_cached(media_stack):
    _, proxy_port = media_stack

    async def scenario():
        async with Browser(proxy_port) as page:
            return (await page.run())["vast"][0]
    url = run_async(scenario())
    status, body, headers = fetch(f"http://127.0.0.1:{proxy_port}{url}", SAME_ORIGIN)
    assert status == 200 and b"AB12" in body
    assert headers["cache-control"] == "no-store" and headers["content-security-policy"]


def test_a_download_made_on_click_is_gone_within_two_runs(media_stack):
    """What holds at the app for data=callable: no file until the click, then a file that
    Streamlit drops after the next two script runs (a static one lives with the session)."""
    app_port, proxy_port = media_stack

    async def scenario():
        async with Browser(proxy_port) as page:
            buttons = await page.run()
            url, deferred = buttons["op klik"]
            assert url == "" and deferred                         # nothing under /media yet
            made = await page.click(deferred)
            first = fetch(f"http://127.0.0.1:{proxy_port}{made}", SAME_ORIGIN)
            await page.run()
            await page.run()
            later = fetch(f"http://127.0.0.1:{app_port}{made}")   # even straight at the app
            static_later = fetch(f"http://127.0.0.1:{app_port}{buttons['vast'][0]}")
            return first, later, static_later
    first, later, static_later = run_async(scenario())
    assert first[0] == 200 and b"CD34" in first[1]
    assert later[0] == 404
    assert static_later[0] == 200                                  # the static kind stays
