"""The session cookie's hand-over route (dijkwacht/app/session_cookie.py), on a real Starlette
app over HTTP: one-time tickets, the cookie's attributes, and every refusal."""
from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dijkwacht import accounts, state
from dijkwacht.app import session_cookie

HOST = "dijkwacht.test"


@pytest.fixture
def live_session(tmp_path, monkeypatch):
    monkeypatch.setenv("DIJKWACHT_STATE", str(tmp_path / "state.sqlite"))
    with state.opened() as con:
        naam, _ = accounts.ensure_test_account(con, "bestuur", "burgemeester")
        yield con, accounts.start_session(con, naam, "bestuur")


@pytest.fixture
def client():
    app = Starlette(routes=session_cookie.routes())
    return TestClient(app, base_url=f"http://{HOST}")


def _post(client, ticket, **headers):
    return client.post(session_cookie.ROUTE, headers={session_cookie.HEADER: ticket,
                                                      "Origin": f"http://{HOST}", **headers})


def test_a_ticket_becomes_an_httponly_strict_cookie_once(client, live_session):
    _, session_id = live_session
    ticket = session_cookie.issue(session_id)
    answer = _post(client, ticket)
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{session_cookie.COOKIE}={session_id};")
    parts = {p.strip() for p in cookie.split(";")}
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= parts
    assert "Secure" not in parts and not any(p.startswith(("Max-Age", "Expires")) for p in parts)
    assert answer.headers["cache-control"] == "no-store"
    assert _post(client, ticket).status_code == 403           # used once
    assert "set-cookie" not in _post(client, ticket).headers


def test_behind_tls_the_cookie_is_secure(client, live_session):
    _, session_id = live_session
    answer = _post(client, session_cookie.issue(session_id), **{"X-Forwarded-Proto": "https"})
    assert answer.status_code == 204 and "Secure" in answer.headers["set-cookie"]


@pytest.mark.parametrize("case", ["onbekend", "verlopen", "andere site", "sessie beëindigd", "geen"])
def test_refusals(client, live_session, monkeypatch, case):
    con, session_id = live_session
    ticket = session_cookie.issue(session_id)
    headers = {}
    if case == "onbekend":
        ticket = ticket[:-2] + "xx"
    elif case == "verlopen":
        now = session_cookie.time.monotonic()
        monkeypatch.setattr(session_cookie.time, "monotonic",
                            lambda: now + session_cookie.TICKET_SECONDS + 1)
    elif case == "andere site":
        headers["Origin"] = "https://elders.example"
    elif case == "sessie beëindigd":
        accounts.end_session(con, session_id)
    elif case == "geen":
        ticket = ""
    answer = _post(client, ticket, **headers)
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_delete_clears_the_cookie(client):
    answer = client.delete(session_cookie.ROUTE, headers={session_cookie.HEADER: "-"})
    assert answer.status_code == 204
    assert answer.headers["set-cookie"].startswith(f"{session_cookie.COOKIE}=;")
    assert "Max-Age=0" in answer.headers["set-cookie"]
    assert client.get(session_cookie.ROUTE).status_code == 405   # nothing to read


def test_tickets_are_bounded(monkeypatch):
    monkeypatch.setattr(session_cookie, "MAX_TICKETS", 3)
    monkeypatch.setattr(session_cookie, "_tickets", {})
    tickets = [session_cookie.issue(f"sessie-{i}") for i in range(5)]
    assert len(session_cookie._tickets) == 3
    assert session_cookie.redeem(tickets[0]) is None              # the oldest went first
    assert session_cookie.redeem(tickets[4]) == "sessie-4"


def test_the_page_script_carries_only_the_ticket():
    ticket = session_cookie.issue("geheim-sessie-id")
    script = session_cookie.hand_over_script(ticket)
    assert ticket in script and "geheim-sessie-id" not in script
    assert set(ticket) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
