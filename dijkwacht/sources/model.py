"""What a source is: its columns and rules (`Column`) and everything else the ETL, the pages,
the documents and the demo need to know about it (`Source`). One module per source beside
this one declares it; `dijkwacht.sources.SOURCES` lists them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "date", "datetime", "int", "decimal", "float", "vocab", "list", "postcode", "buurtcode"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "text"
    required: bool = False
    vocab: tuple[str, ...] = ()
    minimum: float | None = None          # inclusive lower bound
    above: float | None = None            # exclusive lower bound
    maximum: float | None = None          # inclusive upper bound
    identifying: bool = False             # value is never shown in quarantine
    stored: bool = True                   # False: read (e.g. for keys) but never stored as-is


@dataclass(frozen=True)
class Source:
    name: str                              # table name, also the file-name prefix
    label: str                             # Dutch label for users
    columns: tuple[Column, ...]
    key: tuple[str, ...]                   # record key columns (after key derivation)
    date_column: str                       # the record date: the source's *stand per*; rows dated
                                           # after the load date plus a margin are quarantined
    event: bool = False                    # an event source: its latest date moves the data's *stand
                                           # per* (planned activities and extracts never do, DESIGN §5)
    planned: bool = False                  # records are often planned ahead (activiteiten): the
                                           # quarantine rule for future dates says when they load
    address: bool = True                   # has adres/postcode → adres_sleutel
    coordinates: bool = False              # may carry x_rd/y_rd or lat/lon
    hashed_ids: tuple[str, ...] = ()       # identifier columns stored as keyed hashes
    dropped: tuple[str, ...] = ()          # columns never loaded (e.g. free text)
    description: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


BARRIEREFASEN = (
    "verwerven locatie", "inrichten locatie", "aanschaf kweekmateriaal", "kweken",
    "oogsten & opslag", "vervoer", "afzet & handel", "gebruik opbrengst",
)

MAATREGELEN_HENNEP = ("sluiting", "last onder dwangsom", "bestuurlijke waarschuwing", "geen", "onbekend")

ADDRESS_COLUMNS = (
    Column("adres", identifying=True, stored=False),
    Column("postcode", "postcode", stored=False),
    Column("buurtcode", "buurtcode"),
)
