"""Who is signed in (placeholder interface; the login itself comes with accounts)."""
from __future__ import annotations

import streamlit as st

from dijkwacht import access

ROLE_KEY = "dijkwacht_rol"


def current_role() -> str | None:
    """The signed-in user's role, or None. Unknown roles count as none (fail closed)."""
    role = st.session_state.get(ROLE_KEY)
    return role if role in access.ROLES else None
