"""The source registry (DESIGN §2): one module per partner source, declared with the types
of `dijkwacht.sources.model`. The ETL validates with it (`etl.clean` applies the column
declarations generically, so a rule is written once and holds for every source); the pages,
documents, templates and the demo read their labels, colours and rules from it.
"""
from __future__ import annotations

from dijkwacht.sources.activiteiten import SOURCE as ACTIVITEITEN
from dijkwacht.sources.controles import SOURCE as CONTROLES
from dijkwacht.sources.eigendommen import SOURCE as EIGENDOMMEN
from dijkwacht.sources.hennepkwekerijen import SOURCE as HENNEPKWEKERIJEN
from dijkwacht.sources.model import ADDRESS_COLUMNS, BARRIEREFASEN, MAATREGELEN_HENNEP, Column, Kind, Source
from dijkwacht.sources.signalen import SOURCE as SIGNALEN
from dijkwacht.sources.verdachte_transacties import SOURCE as VERDACHTE_TRANSACTIES

__all__ = ["ADDRESS_COLUMNS", "BARRIEREFASEN", "MAATREGELEN_HENNEP", "SOURCES", "Column", "Kind", "Source"]

SOURCES: dict[str, Source] = {s.name: s for s in (
    HENNEPKWEKERIJEN, VERDACHTE_TRANSACTIES, SIGNALEN, CONTROLES, EIGENDOMMEN, ACTIVITEITEN)}
