"""The server's warm-up (dijkwacht/app/warmup.py, issue 17): it never imports the data layer
before Streamlit's runtime exists (the caches would be made without it), every module it
names exists, so a renamed module cannot silently turn the warm-up off, and the Briefing it
computes ahead is the one each role sees first."""
from __future__ import annotations

import importlib.util
import time

import pytest

from dijkwacht import access
from dijkwacht.app import warmup


def test_without_a_runtime_nothing_is_loaded_and_it_gives_up(monkeypatch):
    monkeypatch.setattr(warmup, "WAIT_S", 0.3)
    started = time.monotonic()
    assert warmup.data_layer() == []
    assert time.monotonic() - started < 2


def test_every_module_it_warms_exists():
    missing = [name for name in warmup.MODULES if importlib.util.find_spec(name) is None]
    assert missing == []


@pytest.mark.parametrize("role", ["bestuur", "analist"])
def test_after_the_warm_up_the_first_briefing_asks_the_database_for_nothing_more(app_state, monkeypatch, role):
    """The warm-up computes what each role's Briefing shows first after signing in (ui.start's
    default period, the whole city): the page's first run then finds every figure cached.
    Counted without it too, so the test fails when the warm-up computes the wrong view."""
    import streamlit as st
    from apptest_support import app_for

    from dijkwacht import queries

    asked: list[str] = []
    served_query = queries.Served.query
    monkeypatch.setattr(queries.Served, "query", lambda self, name, **p: asked.append(name)
                        or served_query(self, name, **p))

    def first_briefing() -> list[str]:
        asked.clear()
        at = app_for(role, "pages/briefing.py")
        at.run()
        assert not at.exception
        assert at.metric, "the Briefing shows its figures"
        return list(asked)

    st.cache_data.clear()
    cold = first_briefing()
    st.cache_data.clear()
    assert warmup.briefings() == list(access.ROLES)
    warm = first_briefing()
    assert len(cold) > 10 and warm == [], (cold, warm)


def test_the_briefings_are_computed_again_only_when_a_new_database_is_published(monkeypatch):
    from dijkwacht.app import data

    versions = iter([None, "v1", "v1", "v2", "v2"])      # nothing yet, a load, another load
    events: list[str] = []

    def version():
        events.append(f"poll {(v := next(versions))}")
        return v

    monkeypatch.setattr(warmup, "data_layer", lambda: ["dijkwacht.app.data"])
    monkeypatch.setattr(warmup, "POLL_S", 0)
    monkeypatch.setattr(data, "database_version", version)
    monkeypatch.setattr(warmup, "briefings", lambda: events.append("warm") or [])
    warmup.run(polls=5)
    assert events == ["poll None", "poll v1", "warm", "poll v1", "poll v2", "warm", "poll v2"]
