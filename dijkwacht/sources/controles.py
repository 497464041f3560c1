from dijkwacht.sources.model import ADDRESS_COLUMNS, Column, Source

SOURCE = Source(
    name="controles",
    label="Controles en Bibob",
    description="Controles, Bibob-toetsen en maatregelen",
    columns=(
        Column("controlenummer", required=True, example="VOORBEELD-0001"),
        Column("datum", "date", required=True),
        Column("soort", "vocab", required=True, vocab=(
            "integrale controle", "horecacontrole", "brp-adrescontrole", "bibob-toets",
            "woningcontrole", "bedrijfscontrole")),
        Column("objecttype", "vocab", vocab=("horeca", "woning", "bedrijfspand", "vereniging/clubhuis", "overig")),
        *ADDRESS_COLUMNS,
        Column("partners", "list", example="gemeente;politie"),
        Column("bevindingen", "list", vocab=(
            "illegaal gokken", "drugs", "illegale bewoning", "onjuiste brp-inschrijving",
            "schijnbeheer", "omg-kenmerken", "overig")),
        Column("uitkomst", "vocab", vocab=(
            "geen overtreding", "overtreding", "bibob: verleend", "bibob: verleend onder voorwaarden",
            "bibob: geweigerd", "bibob: ingetrokken")),
        Column("maatregel", "vocab", vocab=(
            "sluiting", "last onder dwangsom", "bestuurlijke waarschuwing", "uitkering stopgezet",
            "beslag", "geen")),
        Column("bedrag_dwangsom", "decimal"),
    ),
    key=("controlenummer",),
    date_column="datum",
    event=True,
    counted="Controles en Bibob-toetsen",
    supplier="gemeente, politie en partners",
    long_label="Controles, Bibob en maatregelen (gemeente)",
    short_label="controles",
    column_label="Controles",
    singular="Controle",
    colour="#D55E00",
    theme="handhaving",
    linked=True,
    amount_column="bedrag_dwangsom",
)
