"""The source registry (DESIGN §2): one module per partner source, declared with the types
of `dijkwacht.sources.model`. The ETL validates with it (`etl.clean` applies the column
declarations generically, so a rule is written once and holds for every source); the pages,
documents, templates and the demo read their labels, colours and rules from it.

A new source is one new module here that declares `SOURCE` (plus its table in
dijkwacht/schema.sql and its rows in etl/demo.py): `SOURCES` lists the seven below in this
order, then every other module of the package that declares a `SOURCE`, by name. The
seventh, `vestigingen` (the Handelsregister extract), is context rather than a partner's
events: its flags keep it out of Trends, the measures and Koppelingen (its module says why).
"""
from __future__ import annotations

import importlib
import pkgutil

from dijkwacht.sources.activiteiten import SOURCE as ACTIVITEITEN
from dijkwacht.sources.controles import SOURCE as CONTROLES
from dijkwacht.sources.eigendommen import SOURCE as EIGENDOMMEN
from dijkwacht.sources.hennepkwekerijen import SOURCE as HENNEPKWEKERIJEN
from dijkwacht.sources.model import ADDRESS_COLUMNS, BARRIEREFASEN, MAATREGELEN_HENNEP, Column, Kind, Source
from dijkwacht.sources.signalen import SOURCE as SIGNALEN
from dijkwacht.sources.verdachte_transacties import SOURCE as VERDACHTE_TRANSACTIES
from dijkwacht.sources.vestigingen import SOURCE as VESTIGINGEN

__all__ = ["ADDRESS_COLUMNS", "BARRIEREFASEN", "MAATREGELEN_HENNEP", "SOURCES", "Column", "Kind", "Source"]

_LISTED = (HENNEPKWEKERIJEN, VERDACHTE_TRANSACTIES, SIGNALEN, CONTROLES, EIGENDOMMEN, ACTIVITEITEN, VESTIGINGEN)


def _declared() -> tuple[Source, ...]:
    """The sources of the modules not imported above (a module without `SOURCE` is skipped)."""
    listed = {s.name for s in _LISTED} | {"model"}
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name not in listed:
            source = getattr(importlib.import_module(f"{__name__}.{info.name}"), "SOURCE", None)
            if isinstance(source, Source):
                found.append(source)
    return tuple(found)


SOURCES: dict[str, Source] = {s.name: s for s in (*_LISTED, *_declared())}
