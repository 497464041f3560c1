"""The server's warm-up (dijkwacht/app/warmup.py, issue 17): it never imports the data layer
before Streamlit's runtime exists (the caches would be made without it), and every module it
names exists, so a renamed module cannot silently turn the warm-up off."""
from __future__ import annotations

import importlib.util
import time

from dijkwacht.app import warmup


def test_without_a_runtime_nothing_is_loaded_and_it_gives_up(monkeypatch):
    monkeypatch.setattr(warmup, "WAIT_S", 0.3)
    started = time.monotonic()
    assert warmup.data_layer() == []
    assert time.monotonic() - started < 2


def test_every_module_it_warms_exists():
    missing = [name for name in warmup.MODULES if importlib.util.find_spec(name) is None]
    assert missing == []
