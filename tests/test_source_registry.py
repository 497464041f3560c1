"""The source registry (dijkwacht/sources/) is the one place a source is described: the
names, colours and rules elsewhere are views of it, and a new source is one new module."""
from __future__ import annotations

import sys

import pytest

import dijkwacht.sources as registry
from dijkwacht import charts, linkage, measures
from dijkwacht.documents import figures as doc_figures
from dijkwacht.sources import SOURCES, Source
from etl import retention


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_source_is_named_for_users(name):
    s = SOURCES[name]
    assert s.label and s.counted and s.supplier and s.long_label and s.short_label, name
    assert s.date_column in {c.name for c in s.columns}
    assert s.amount_column is None or s.amount_column in {c.name for c in s.columns}
    if s.linked:
        assert s.singular and s.address, name   # Koppelingen names one record of it
    if s.problem:
        assert s.event, name             # a problem is counted over time


def test_the_old_tables_are_views_of_the_registry():
    assert {b: (v.naam, v.leverancier) for b, v in measures.BRONNEN.items()} == {
        s.name: (s.counted, s.supplier) for s in SOURCES.values()}
    assert measures.EVENT_SOURCES == tuple(s.name for s in SOURCES.values() if s.event)
    assert set(measures.COUNTED_SOURCES) <= set(measures.EVENT_SOURCES)
    assert charts.PROBLEM_SOURCES == measures.ZAKEN == tuple(s.name for s in SOURCES.values() if s.problem)
    assert all(charts.SOURCE_COLOURS[b] == SOURCES[b].colour for b in measures.COUNTED_SOURCES)
    assert doc_figures.BRON_NAMEN == {s.name: s.long_label for s in SOURCES.values()}
    assert doc_figures.SOURCE_SHORT == {b: SOURCES[b].column_label for b in doc_figures.SNAPSHOT_SOURCES}
    assert linkage.SOURCE_LABELS == {s.name: s.singular for s in SOURCES.values() if s.linked}
    assert retention.RETAINED == {s.name: (s.date_column, s.amount_column)
                                  for s in SOURCES.values() if s.retained}


def test_a_new_module_in_the_package_is_a_new_source(tmp_path, monkeypatch):
    (tmp_path / "proefbron.py").write_text(
        "from dijkwacht.sources.model import Column, Source\n"
        "SOURCE = Source(name='proefbron', label='Proefbron', columns=(Column('nummer', required=True),\n"
        "    Column('datum', 'date', required=True)), key=('nummer',), date_column='datum', address=False)\n",
        encoding="utf-8")
    monkeypatch.setattr(registry, "__path__", [*registry.__path__, str(tmp_path)])
    try:
        found = registry._declared()
    finally:
        sys.modules.pop("dijkwacht.sources.proefbron", None)
    assert "proefbron" in [s.name for s in found] and all(isinstance(s, Source) for s in found)
    assert "proefbron" not in SOURCES     # SOURCES was built at import, before the module existed


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_column_declarations_are_complete(name):
    """A `digits` column says how many; `not_before` names a date column of the same source;
    an identifier stored as a key is never shown in the quarantine."""
    s = SOURCES[name]
    kinds = {c.name: c.kind for c in s.columns}
    for c in s.columns:
        assert (c.kind == "digits") == (c.digits is not None and c.digits > 0), (name, c.name)
        if c.not_before:
            assert c.kind == kinds.get(c.not_before) == "date", (name, c.name)
    for ident in s.hashed_ids:
        assert s.column(ident).identifying, (name, ident)


def test_the_seventh_source_stays_out_of_trends_measures_and_koppelingen():
    """vestigingen (issue 19) is context: no event, no problem, no theme, not linked, not
    purged by date; the views of the registry leave it out accordingly."""
    s = SOURCES["vestigingen"]
    assert list(SOURCES) == ["hennepkwekerijen", "verdachte_transacties", "signalen", "controles", "eigendommen",
                             "activiteiten", "vestigingen"]
    assert not (s.event or s.problem or s.linked or s.retained or s.planned) and s.theme is None
    assert "vestigingen" not in measures.COUNTED_SOURCES + charts.PROBLEM_SOURCES + linkage.SOURCES
    assert "vestigingen" not in retention.RETAINED and "vestigingen" not in doc_figures.SNAPSHOT_SOURCES
