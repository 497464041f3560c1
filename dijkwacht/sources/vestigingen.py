"""The municipality's extract of the Handelsregister (KVK), issue 19: one row per vestiging.

What it is for: where facilitating branches concentrate (location quotients per area), how
fast they come and go (turnover), and where a facilitating vestiging shares its address key
with grow sites, controls with findings, Bibob refusals or suspicious transactions
(dijkwacht/branches.py). So the address becomes the same `adres_sleutel` as in every other
source ('postcode|huisnummer|toevoeging', keyed), and both numbers become keyed pseudonyms.

Why these flags:
- not an event source (`event=False`): a registration date is not an incident; the extract
  never moves the data's *stand per* (DESIGN §5), like the ownership extract.
- `extract=True`: a register extract, not a series over time (the factsheet does not list it
  as a series that starts late).
- not `problem`, no `theme`: a vestiging is no sign of crime in itself; it is context for the
  other sources, so Trends, the measures and the maps do not count it.
- not `linked` in Koppelingen: its keys would make every business address a "linked key";
  the co-location view (branches.co_location) is the one place it meets the other sources.
- `retained=False` (etl/retention.py): the register is a state, not a history of events;
  purging by registration date would delete long-established, still active vestigingen. A
  new extract replaces the rows per vestigingsnummer.
- `handelsnaam` is dropped at read: a sole proprietor's trade name often is their own name.
  It is never stored, and the quarantine never shows it (a dropped column has no rule).
- No practice file (etl/rehearsal.py): the rehearsal marks record numbers `OEFEN-`, which a
  12-digit vestigingsnummer cannot carry.
"""
from dijkwacht.sources.model import Column, Source

RECHTSVORMEN = ("eenmanszaak", "vof", "bv", "nv", "stichting", "vereniging", "overig")
# The register writes legal forms out in full ("Besloten Vennootschap") and partners' exports
# abbreviate them ("B.V."): the common spellings are read as the short value, so a row is not
# quarantined for its notation. Every other form of the register is "overig".
RECHTSVORM_ALIASES = (
    ("b.v.", "bv"), ("besloten vennootschap", "bv"),
    ("besloten vennootschap met gewone structuur", "bv"),
    ("n.v.", "nv"), ("naamloze vennootschap", "nv"),
    ("v.o.f.", "vof"), ("vennootschap onder firma", "vof"),
    ("eenmanszaak met meer dan één eigenaar", "eenmanszaak"),
    ("vereniging met volledige rechtsbevoegdheid", "vereniging"),
    ("vereniging met beperkte rechtsbevoegdheid", "vereniging"),
    ("commanditaire vennootschap", "overig"), ("c.v.", "overig"), ("cv", "overig"),
    ("coöperatie", "overig"), ("maatschap", "overig"), ("onderlinge waarborgmaatschappij", "overig"),
    ("kerkgenootschap", "overig"), ("europese naamloze vennootschap (se)", "overig"),
)

SOURCE = Source(
    name="vestigingen",
    label="Vestigingen (Handelsregister)",
    description="Uittreksel uit het Handelsregister (KVK): vestigingen in de gemeente, met SBI-code",
    columns=(
        Column("vestigingsnummer", "digits", digits=12, required=True, identifying=True, example="000012345678"),
        Column("kvk_nummer", "digits", digits=8, identifying=True, example="12345678"),
        Column("sbi_code", "sbi", required=True, example="4511"),
        Column("rechtsvorm", "vocab", vocab=RECHTSVORMEN, aliases=RECHTSVORM_ALIASES),
        Column("datum_inschrijving", "date", required=True),
        Column("datum_opheffing", "date", not_before="datum_inschrijving", example=""),
        Column("postcode", "postcode", stored=False),
        Column("huisnummer", identifying=True, stored=False, example="1"),
        Column("toevoeging", identifying=True, stored=False, example=""),
        Column("buurtcode", "buurtcode"),
    ),
    key=("vestigingsnummer",),
    date_column="datum_inschrijving",
    address=True,
    hashed_ids=("vestigingsnummer", "kvk_nummer"),
    dropped=("handelsnaam",),
    counted="Vestigingen",
    supplier="KVK (Handelsregister), uittreksel van de gemeente",
    long_label="Vestigingen (Handelsregister, KVK)",
    short_label="KVK",
    column_label="Vestigingen",
    singular="Vestiging",
    colour="#56B4E9",
    extract=True,
    retained=False,
)
