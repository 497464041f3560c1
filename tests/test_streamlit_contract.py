"""What the router's guard (dijkwacht/app/auth.py, _outside_router) relies on inside
Streamlit. Streamlit offers no supported way to stop a fresh process from running
pages/<page>.py directly (its pages-folder mode, before any run has called st.navigation),
so the guard reads and resets a class attribute of Streamlit's PagesManager. When a Streamlit
upgrade renames or drops it, this test fails before a page could run past the sign-in.
(The browser test test_cold_start_deep_link_asks_for_sign_in checks the behaviour itself.)"""
from __future__ import annotations

import inspect

from streamlit.runtime import pages_manager
from streamlit.runtime.scriptrunner import script_runner


def test_pages_folder_mode_is_still_the_class_flag_the_guard_resets():
    assert "uses_pages_directory" in vars(pages_manager.PagesManager)
    source = inspect.getsource(script_runner)
    assert "if PagesManager.uses_pages_directory:" in source     # the switch the guard turns off
    assert "_mpa_v1(" in source


def test_st_navigation_still_switches_the_mode_off():
    from streamlit.commands import navigation
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation)
