"""The server's warm-up (issue 17): the first sign-in should wait for neither imports nor
cold caches.

1. Once Streamlit's runtime exists (before it, the caches would be made without it) and
   the router has served a first page (or START_DELAY_S passed), the data layer is
   imported: polars, DuckDB, plotly and the pages' modules (about 1 s on the CI box).
2. Then, and again whenever a new database is published (the watcher's loads), what every
   role's first run after signing in asks for is computed into the shared caches: the
   router's Week badge (the open work items, for the roles that see details) and the
   default Briefing (the whole city, the default period; for the roles that see details
   also the Koppelingen attention count of a first visit). At ×100 that is about 1.5 s of
   queries the first sign-in after a start or a load no longer waits for.
3. After those, the Factsheet the page opens on (the last complete year): its figures and
   drawn charts are the same for every role, so one copy serves all, and its first visit
   no longer draws them.

It runs in a daemon thread of the server (server.py); nothing it does is shown or logged
beyond a warning without data, and a failure never stops the server: the page run then
computes the same figures itself and reports what went wrong.
"""
from __future__ import annotations

import importlib
import logging
import threading
import time

MODULES = ("dijkwacht.app.data", "dijkwacht.app.ui", "dijkwacht.charts", "dijkwacht.maps",
           "dijkwacht.measures", "dijkwacht.lattice")
WAIT_S = 60
# The first page a visitor asks for comes first: the imports below hold the GIL for about
# a second and made the login form's first paint right after a start 0.4 s slower (1.20 ->
# 1.57 s median). So the warm-up waits until the router has finished a run (page_served),
# or START_DELAY_S when nobody comes, and then runs while the visitor types.
START_DELAY_S = 2.0
_page_served = threading.Event()
POLL_S = 10.0          # how often a newly published database is looked for

log = logging.getLogger(__name__)


def data_layer() -> list[str]:
    """Import MODULES once the runtime is up; returns the ones loaded (for the test)."""
    from streamlit.runtime import Runtime

    deadline = time.monotonic() + WAIT_S
    while not Runtime.exists():
        if time.monotonic() > deadline:
            return []
        time.sleep(0.1)
    _page_served.wait(START_DELAY_S)
    loaded = []
    for name in MODULES:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception:  # noqa: BLE001 — a warm-up never stops the server; the page run reports it
            log.warning("warm-up: %s not loaded", name)
    return loaded


def page_served() -> None:
    """The router finished a run: from now on the warm-up may take the CPU."""
    _page_served.set()


def briefings() -> list[str]:
    """Compute each role's first run after sign-in (the router with its Week badge, the
    default Briefing) into the caches; returns the roles done."""
    from dijkwacht import access, linkage
    from dijkwacht.app import data
    from dijkwacht.filters import Filters

    done = []
    for role in access.ROLES:
        try:
            stand_per = data.meta(role).get("stand_per")
            if stand_per is None:
                continue                                   # nothing published yet
            data.week_badge(role)                          # the router's sidebar, every run
            data.late_deliveries(role)
            data.freshness_lines(role)
            # What ui.start derives for a session without query parameters.
            filters = Filters.from_query({}).for_role(role)
            data.briefing(role, filters.period(stand_per, role), filters.gebied)
            data.area_options(role)
            data.first_date(role)
            if access.may(role, "detail"):
                data.attention_count(role, linkage.default_since(stand_per))
            done.append(role)
        except Exception as exc:  # noqa: BLE001 — never stops the server; the page run reports it
            log.warning("warm-up: Briefing %s not computed (%s)", role, type(exc).__name__)
    return done


def factsheets() -> bool:
    """Compute the Factsheet the page opens on (the last complete year): its figures and
    drawings are the same for every role, so once serves all. After the Briefings, which a
    sign-in waits for first. False when nothing is published or it failed."""
    from dijkwacht import access
    from dijkwacht.app import data
    from dijkwacht.measures import latest_complete_year

    try:
        role = next(r for r in access.ROLES if access.may(r, "aggregates"))
        stand_per = data.meta(role).get("stand_per")
        if stand_per is None:
            return False
        data.factsheet_charts(role, latest_complete_year(stand_per))   # the figures, then the drawings
        return True
    except Exception as exc:  # noqa: BLE001 — never stops the server; the page run reports it
        log.warning("warm-up: Factsheet not computed (%s)", type(exc).__name__)
        return False


def run(polls: int | None = None) -> None:
    """The server's warm-up thread: imports, then the Briefings and the Factsheet now and
    after every new publication. `polls` bounds the loop (tests); the server's thread runs
    until exit."""
    if not data_layer():
        return
    from dijkwacht.app import data

    warmed = object()
    while polls is None or polls > 0:
        try:
            version = data.database_version()
        except Exception as exc:  # noqa: BLE001 — an unreadable file now is no reason to stop looking
            log.warning("warm-up: database not checked (%s)", type(exc).__name__)
            version = None
        if version is not None and version != warmed:
            briefings()
            factsheets()
            warmed = version
        if polls is not None:
            polls -= 1
        time.sleep(POLL_S if polls != 0 else 0)
