"""Cached, role-aware data access for the pages (DESIGN §6).

Every public function takes the viewer's role, checks it first and fails closed.
Streamlit's caches are shared by all users, so every cached function takes the role
and the served database's version as (hashed) arguments: a result computed for one role
is never served to another, and a new load invalidates the cache.
"""
from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from dijkwacht import access, queries
from dijkwacht.indicators import INDICATORS

CACHE_TTL = 600


def database_version() -> str | None:
    """None when no database has been published yet."""
    try:
        return queries.served().version()
    except queries.NoDatabase:
        return None


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _meta(role: str, version: str) -> dict:
    access.require(role, "aggregates")
    rows = queries.served().query("meta").to_dicts()
    return rows[0] if rows else {}


def meta(role: str) -> dict:
    """Demo flag, municipality, load id and the data's *stand per*."""
    access.require(role, "aggregates")
    version = database_version()
    return {} if version is None else _meta(role, version)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _source_status(role: str, version: str) -> pl.DataFrame:
    access.require(role, "aggregates")
    return queries.served().query("bronstand")


def source_status(role: str) -> pl.DataFrame:
    access.require(role, "aggregates")
    return _source_status(role, database_version())


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def _indicator_values(role: str, version: str, van: date, tot: date,
                      buurten: tuple[str, ...] | None) -> dict[str, float | None]:
    access.require(role, "aggregates")
    db = queries.served()
    area = list(buurten) if buurten is not None else None
    values = {}
    for indicator in INDICATORS:
        frame = db.query(indicator.query, van=van, tot=tot, buurten=area)
        values[indicator.code] = frame["waarde"][0] if frame.height else None
    return values


def indicator_values(role: str, van: date, tot: date,
                     buurten: tuple[str, ...] | None = None) -> dict[str, float | None]:
    """Every indicator of the set for [van, tot), optionally within buurten."""
    access.require(role, "aggregates")
    return _indicator_values(role, database_version(), van, tot, buurten)
