"""Who may see what (DESIGN §5–6): the one table of roles, pages and permissions.

Pure Python, no Streamlit: the router, the data layer and the tests read the same table.
Anything not granted here is denied — an unknown role gets nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("bestuur", "analist", "beheerder")


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    script: str
    icon: str
    roles: tuple[str, ...]


ANALYSTS = ("analist", "beheerder")

# DESIGN §5. The router lists only pages whose script exists, so a page can be declared
# here before it is built; its roles are decided here and nowhere else.
PAGES: tuple[Page, ...] = (
    Page("briefing", "Briefing", "pages/briefing.py", ":material/dashboard:", ROLES),
    Page("week", "Week", "pages/week.py", ":material/checklist:", ROLES),
    Page("trends", "Trends", "pages/trends.py", ":material/trending_up:", ROLES),
    Page("kaart", "Kaart", "pages/kaart.py", ":material/map:", ROLES),
    Page("hennep", "Hennep", "pages/hennep.py", ":material/eco:", ANALYSTS),
    Page("geldstromen", "Geldstromen", "pages/geldstromen.py", ":material/payments:", ANALYSTS),
    Page("meldpunt", "Meldpunt", "pages/meldpunt.py", ":material/campaign:", ANALYSTS),
    Page("handhaving", "Handhaving", "pages/handhaving.py", ":material/gavel:", ANALYSTS),
    Page("koppelingen", "Koppelingen", "pages/koppelingen.py", ":material/hub:", ANALYSTS),
    # Issue 19: analysts only. The bestuur's disclosure profile (lattice.py) protects the
    # fact-table layers; location quotients and per-key co-location are not in it.
    # The bestuur sees the city's figures only (pages/branches.py; DESIGN §6).
    Page("branches", "Faciliterende branches", "pages/branches.py", ":material/storefront:", ROLES),
    Page("factsheet", "Factsheet", "pages/factsheet.py", ":material/description:", ROLES),
    Page("data", "Data", "pages/data.py", ":material/database:", ("beheerder",)),
)

# Permissions the data layer checks. "aggregates" = figures; "detail" = per-key rows.
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "aggregates": ROLES,
    "detail": ("analist", "beheerder"),
    "points": ("analist", "beheerder"),
    "export_tables": ("analist", "beheerder"),
    "export_factsheet": ROLES,
    "data_management": ("beheerder",),
}


class AccessDenied(Exception):
    """Raised by the data layer; pages show a short Dutch message, never data."""


def may(role: str | None, permission: str) -> bool:
    return role in ROLES and role in PERMISSIONS.get(permission, ())


def require(role: str | None, permission: str) -> None:
    if not may(role, permission):
        raise AccessDenied(permission)


def pages_for(role: str | None) -> list[Page]:
    return [p for p in PAGES if role in ROLES and role in p.roles]


def may_see_page(role: str | None, key: str) -> bool:
    return any(p.key == key for p in pages_for(role))
