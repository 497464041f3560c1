"""Load the data layer in the background once Streamlit's runtime exists, so the first
sign-in after a server start does not wait for polars, DuckDB, plotly and the pages' modules
(about 1 s on the CI box). Before the runtime exists the caches would be made without it."""
from __future__ import annotations

import importlib
import logging
import time

MODULES = ("dijkwacht.app.data", "dijkwacht.app.ui", "dijkwacht.charts", "dijkwacht.maps",
           "dijkwacht.measures", "dijkwacht.lattice")
WAIT_S = 60


def data_layer() -> list[str]:
    """Import MODULES once the runtime is up; returns the ones loaded (for the test)."""
    from streamlit.runtime import Runtime

    deadline = time.monotonic() + WAIT_S
    while not Runtime.exists():
        if time.monotonic() > deadline:
            return []
        time.sleep(0.1)
    loaded = []
    for name in MODULES:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception:  # noqa: BLE001 — a warm-up never stops the server; the page run reports it
            logging.getLogger(__name__).warning("warm-up: %s not loaded", name)
    return loaded
