"""The reverse proxy example (deploy/): in front of a real `streamlit run` on 127.0.0.1 the
security headers are there and the app server's banner (Tornado, or uvicorn in Streamlit
1.67) is not. Plain HTTP on free ports:
the TLS part of deploy/nginx.conf is standard and needs certificates; the headers and the
proxy come from the same snippet the example includes."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dijkwacht import config

ROOT = config.ROOT
NGINX = shutil.which("nginx") or (Path("/usr/sbin/nginx") if Path("/usr/sbin/nginx").exists() else None)

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is niet geïnstalleerd (make nginx)")

HEADERS = {
    "strict-transport-security": "max-age=31536000",
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "no-referrer",
    "content-security-policy": "frame-ancestors 'self'",
    "permissions-policy": "camera=()",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:  # noqa: BLE001
            time.sleep(0.3)
    raise TimeoutError(url)


def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx")
    app_port, proxy_port = free_port(), free_port()
    env = {"DIJKWACHT_DB": str(tmp / "dijkwacht.duckdb"), "DIJKWACHT_STATE": str(tmp / "state.sqlite"),
           "PATH": "/usr/bin:/bin", "HOME": str(tmp)}
    app = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.address", "127.0.0.1",
         "--server.port", str(app_port), "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    map $http_upgrade $dijkwacht_connection {{ default upgrade; '' close; }}
    upstream dijkwacht_app {{ server 127.0.0.1:{app_port}; }}
    server {{
        listen 127.0.0.1:{proxy_port};
        include {ROOT / 'deploy' / 'dijkwacht-proxy.conf'};
    }}
}}
""")
    proxy = subprocess.Popen([str(NGINX), "-c", str(conf), "-p", str(tmp)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(f"http://127.0.0.1:{app_port}/_stcore/health")
        wait_for(f"http://127.0.0.1:{proxy_port}/_stcore/health", 20)
        yield app_port, proxy_port
    finally:
        proxy.terminate()
        app.terminate()
        proxy.wait(10)
        app.wait(20)


def test_example_config_is_valid_nginx(tmp_path):
    """deploy/nginx.conf parses (certificate paths replaced by a throwaway self-signed pair)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl ontbreekt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(tmp_path / "k.pem"),
                    "-out", str(tmp_path / "c.pem")], check=True, capture_output=True)
    site = (ROOT / "deploy" / "nginx.conf").read_text()
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
