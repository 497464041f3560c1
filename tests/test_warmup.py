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
def test_after_the_warm_up_the_first_run_after_sign_in_asks_the_database_for_nothing(app_state, monkeypatch, role):
    """The warm-up computes what each role's first run after signing in shows: the router
    (its Week badge) and the Briefing it opens, with ui.start's default period and the whole
    city. Counted without it too, so the test fails when the warm-up computes another view."""
    import streamlit as st
    from apptest_support import new_app, session_for

    from dijkwacht import queries

    asked: list[str] = []
    served_query = queries.Served.query
    monkeypatch.setattr(queries.Served, "query", lambda self, name, **p: asked.append(name)
                        or served_query(self, name, **p))

    def first_run() -> list[str]:
        asked.clear()
        at = new_app(session_id=session_for(role)).run()
        assert not at.exception
        assert at.metric, "the Briefing shows its figures"
        return list(asked)

    def clear() -> None:
        st.cache_data.clear()
        st.cache_resource.clear()      # the Week items and the protection are resources

    clear()
    cold = first_run()
    clear()
    assert warmup.briefings() == list(access.ROLES)
    warm = first_run()
    assert len(cold) > 10 and warm == [], (cold, warm)


def test_the_briefings_are_computed_again_only_when_a_new_database_is_published_and_an_error_does_not_stop_it(
        monkeypatch):
    from dijkwacht.app import data

    versions = iter([None, "v1", OSError, "v2", "v2"])    # nothing yet, a load, a bad moment, a load
    events: list[str] = []

    def version():
        v = next(versions)
        events.append(f"poll {getattr(v, '__name__', v)}")
        if v is OSError:
            raise OSError("tijdelijk niet leesbaar")
        return v

    monkeypatch.setattr(warmup, "data_layer", lambda: ["dijkwacht.app.data"])
    monkeypatch.setattr(warmup, "POLL_S", 0)
    monkeypatch.setattr(data, "database_version", version)
    monkeypatch.setattr(warmup, "briefings", lambda: events.append("warm") or [])
    monkeypatch.setattr(warmup, "factsheets", lambda: events.append("factsheet") or True)
    warmup.run(polls=5)
    assert events == ["poll None", "poll v1", "warm", "factsheet", "poll OSError", "poll v2", "warm", "factsheet",
                      "poll v2"]


def test_after_the_warm_up_the_factsheets_first_visit_draws_nothing(app_state, monkeypatch):
    """The Factsheet opens on the last complete year; the warm-up computes its figures and
    charts once, and every role's first visit then takes them from the shared cache."""
    import streamlit as st
    from apptest_support import app_for

    from dijkwacht.documents import charts

    drawn: list[str] = []
    chart_files = charts.chart_files
    monkeypatch.setattr(charts, "chart_files", lambda fs, kind: drawn.append(kind) or chart_files(fs, kind))

    def first_visit(role: str) -> list[str]:
        drawn.clear()
        at = app_for(role, "pages/factsheet.py").run()
        assert not at.exception and at.image, "the Factsheet shows its charts"
        return list(drawn)

    st.cache_data.clear()
    assert first_visit("bestuur") == ["png"]        # cold: drawn on the visit
    st.cache_data.clear()
    assert warmup.factsheets()
    assert [first_visit(role) for role in access.ROLES] == [[]] * len(access.ROLES)


def test_it_waits_for_the_first_page_and_then_starts_at_once(monkeypatch):
    """The login form's first paint comes before the warm-up's imports (they hold the GIL):
    the warm-up waits for the router's first run, and not a moment longer."""
    import threading

    from streamlit.runtime import Runtime

    monkeypatch.setattr(Runtime, "exists", staticmethod(lambda: True))
    monkeypatch.setattr(warmup, "START_DELAY_S", 600)
    monkeypatch.setattr(warmup, "_page_served", threading.Event())
    loaded: list[list[str]] = []
    thread = threading.Thread(target=lambda: loaded.append(warmup.data_layer()), daemon=True)
    thread.start()
    thread.join(1.0)
    assert thread.is_alive() and loaded == []              # still waiting for a page
    warmup.page_served()
    thread.join(60)
    assert loaded == [list(warmup.MODULES)]


def test_the_router_says_when_it_has_served_the_login_form(app_state, monkeypatch):
    import threading

    from apptest_support import new_app

    monkeypatch.setattr(warmup, "_page_served", threading.Event())
    at = new_app().run()
    assert not at.exception and [t.label for t in at.text_input] == ["Gebruikersnaam", "Wachtwoord"]
    assert warmup._page_served.is_set()


def test_no_full_garbage_collection_after_every_run():
    """Streamlit's runner.postScriptGC walks every object the server keeps (the shared caches
    too) after each run, holding the GIL: off in config.toml, and still an option of the
    pinned Streamlit (a renamed option would be ignored with a warning, and the walks back)."""
    import tomllib

    from streamlit import config as streamlit_config

    from dijkwacht import config

    settings = tomllib.loads((config.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["runner"]["postScriptGC"] is False
    assert "runner.postScriptGC" in streamlit_config._config_options_template
