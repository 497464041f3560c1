"""The session cookie: a sign-in survives a reload, a bookmark and a second tab.

Streamlit scripts cannot set cookies, and a cookie written by page JavaScript cannot be
HttpOnly. So the cookie is set by an HTTP route of our own on Streamlit's server (st.App,
see server.py), in a hand-over:

1. A sign-in in a tab makes a server-side session (accounts.start_session: only the hash of
   its random id is stored) and here a one-time ticket for it, held in this process's memory
   for at most TICKET_SECONDS and never written anywhere.
2. The page posts the ticket to POST /api/sessie (a same-origin fetch with a custom header,
   which a page elsewhere cannot send without a CORS preflight we never answer).
3. The route redeems the ticket once and answers with the session id as a cookie:
   HttpOnly (no script reads it), SameSite=Strict (no other site's link or form carries it),
   Secure when the request came over TLS (directly or via the proxy's X-Forwarded-Proto),
   Path=/, no expiry: it ends with the browser, and the server's idle and absolute terms,
   logout and account removal end it sooner (the id is checked on every run).
4. A new Streamlit session (F5, a bookmark, a second tab) reads the cookie from the
   websocket's handshake (st.context.cookies) and continues that session.

DELETE /api/sessie clears the cookie (after logout, or when the id it holds has ended).
"""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from urllib.parse import urlsplit

COOKIE = "dijkwacht_sessie"
ROUTE = "/api/sessie"
HEADER = "X-Dijkwacht-Overdracht"   # the ticket; also makes the fetch a non-simple request
TICKET_SECONDS = 60
MAX_TICKETS = 1_000                 # bounded: the oldest go first

# Set by server.py, whose server has the route; under `streamlit run dashboard.py` or AppTest
# there is none, and a sign-in then lasts as long as the tab.
ACTIVE = False

_tickets: dict[str, tuple[str, float]] = {}   # sha256(ticket) → (session id, expires)
_lock = threading.Lock()


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode("utf-8")).hexdigest()


def issue(session_id: str) -> str:
    """A one-time ticket that the cookie route exchanges for this session id."""
    ticket = secrets.token_urlsafe(32)
    now = time.monotonic()
    with _lock:
        for key in [k for k, (_, until) in _tickets.items() if until < now]:
            del _tickets[key]
        while len(_tickets) >= MAX_TICKETS:
            del _tickets[next(iter(_tickets))]
        _tickets[_digest(ticket)] = (session_id, now + TICKET_SECONDS)
    return ticket


def redeem(ticket: str | None) -> str | None:
    """The session id for a ticket, once; None when unknown, used or expired."""
    if not ticket:
        return None
    with _lock:
        found = _tickets.pop(_digest(ticket), None)
    if found is None or found[1] < time.monotonic():
        return None
    return found[0]


def same_origin(origin: str | None, host: str | None) -> bool:
    """A browser's fetch names its page's origin; its host must be the one asked. Host names
    only: the proxy passes $host, which drops a port the browser did see."""
    if not origin:
        return True            # same-origin GET/HEAD may omit it; POST/DELETE from Chromium send it
    asked = urlsplit(f"//{host}").hostname if host else None
    return asked is not None and urlsplit(origin).hostname == asked


def cookie_header(value: str, *, secure: bool) -> str:
    """Set-Cookie for the session id ('' with Max-Age=0 clears it)."""
    parts = [f"{COOKIE}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if not value:
        parts.append("Max-Age=0")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


# --- the route (Starlette, run by Streamlit's own server) ----------------------------------

def _over_tls(request) -> bool:
    forwarded = (request.headers.get("x-forwarded-proto") or "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _session_live(session_id: str) -> bool:
    from dijkwacht import accounts, config, state
    con = state.connect(config.state_path())
    try:
        return accounts.check_session(con, session_id, touch=False) is not None
    finally:
        con.close()


def endpoint(request):
    """POST: ticket in the header → the cookie. DELETE: clear the cookie. Nothing else."""
    from starlette.responses import Response

    if not same_origin(request.headers.get("origin"), request.headers.get("host")):
        return Response(status_code=403)
    headers = {"Cache-Control": "no-store"}
    if request.method == "DELETE":
        headers["Set-Cookie"] = cookie_header("", secure=_over_tls(request))
        return Response(status_code=204, headers=headers)
    session_id = redeem(request.headers.get(HEADER))
    if session_id is None or not _session_live(session_id):
        return Response(status_code=403, headers=headers)
    headers["Set-Cookie"] = cookie_header(session_id, secure=_over_tls(request))
    return Response(status_code=204, headers=headers)


def routes() -> list:
    from starlette.routing import Route
    return [Route(ROUTE, endpoint, methods=["POST", "DELETE"])]


# --- the page's side -----------------------------------------------------------------------

def hand_over_script(ticket: str) -> str:
    """JavaScript that exchanges a ticket for the cookie. The ticket is URL-safe base64
    (secrets.token_urlsafe): nothing in it can end the string or the script."""
    return (f'\nfetch("{ROUTE}", {{method: "POST", credentials: "same-origin", '
            f'headers: {{"{HEADER}": "{ticket}"}}}});')


def clear_script() -> str:
    """JavaScript that has the route clear the cookie."""
    return (f'\nfetch("{ROUTE}", {{method: "DELETE", credentials: "same-origin", '
            f'headers: {{"{HEADER}": "-"}}}});')
