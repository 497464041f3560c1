"""What a source is: its columns and rules (`Column`) and everything else the ETL, the pages,
the documents and the demo need to know about it (`Source`). One module per source beside
this one declares it; `dijkwacht.sources.SOURCES` lists them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "date", "datetime", "int", "decimal", "float", "vocab", "list", "postcode", "buurtcode",
               "digits", "sbi"]
# digits: exactly `Column.digits` digits, kept as text (leading zeros count: a vestigingsnummer
#         is 12 digits, a KvK number 8); spaces and a spreadsheet's ".0" are dropped, nothing
#         is padded (a number that lost its leading zeros is wrong, not repaired)
# sbi:    an SBI code as delivered (4511, 45.11, 45111, 4511.0), kept as its digits
#         (dijkwacht.branches.normalise_sbi)


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
    example: str | None = None            # the template's example value (None: by kind or vocab)
    digits: int | None = None             # kind "digits": how many
    not_before: str | None = None         # a date that may not lie before this other date column
    aliases: tuple[tuple[str, str], ...] = ()   # kind "vocab": (spelling as delivered, lower case and
                                          # spaces collapsed → the vocabulary value it means)


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
    # How the pages, captions and documents name it (Dutch; every one is shown to users).
    counted: str = ""                      # what it counts, in captions: "Ontmantelde hennepkwekerijen"
    supplier: str = ""                     # who delivers it, in captions ("Bron: <supplier> (…)")
    long_label: str = ""                   # documents' source list: "Hennepkwekerijen (politie, Omgevingsdienst)"
    short_label: str = ""                  # documents' narrow "Bron" column: "kwekerijen"
    column_label: str = ""                 # a table column head in the snapshot: "Kwekerij"
    singular: str = ""                     # one record of it (Koppelingen): "Hennepkwekerij"
    colour: str | None = None              # its colour in charts (Okabe–Ito hex)
    problem: bool = False                  # counts a problem (prevalence), not what was done about it
    extract: bool = False                  # an extract per case (eigendommen), not a series over time
    linked: bool = False                   # its keys are linked in Koppelingen (read by
                                           # dijkwacht/sql/build/koppelingen.sql at load)
    retained: bool = True                  # detail is purged after the retention term (etl.retention)
    amount_column: str | None = None       # the amount kept per year when detail is purged
    theme: str | None = None               # the programme theme all its records count under in Trends
                                           # (None: each record names its own, as signals do)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def record_number(self) -> str:
        """The column that names a record in the partner's file (registratienummer, …;
        eigenaar_id for the ownership extract, titel for activities): the rehearsal's mark
        (etl/rehearsal.py)."""
        return next(k for k in self.key if k != "adres_sleutel" and self.column(k).kind not in ("date", "datetime"))

    @property
    def has_buurt(self) -> bool:
        """Its rows carry a buurtcode (so a wijk)."""
        return any(c.name == "buurtcode" for c in self.columns)


BARRIEREFASEN = (
    "verwerven locatie", "inrichten locatie", "aanschaf kweekmateriaal", "kweken",
    "oogsten & opslag", "vervoer", "afzet & handel", "gebruik opbrengst",
)

MAATREGELEN_HENNEP = ("sluiting", "last onder dwangsom", "bestuurlijke waarschuwing", "geen", "onbekend")

ADDRESS_COLUMNS = (
    Column("adres", identifying=True, stored=False, example="Voorbeeldstraat 1"),
    Column("postcode", "postcode", stored=False),
    Column("buurtcode", "buurtcode"),
)
