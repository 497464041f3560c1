from dijkwacht.sources.model import Column, Source

SOURCE = Source(
    name="eigendommen",
    label="Eigendommen (Kadaster/WOZ)",
    description="Eigendom van panden (Kadaster/BRK- of WOZ-extract voor een RIEC-casus)",
    columns=(
        Column("adres", required=True, identifying=True, stored=False, example="Voorbeeldstraat 1"),
        Column("postcode", "postcode", required=True, stored=False),
        Column("eigenaar_id", required=True, identifying=True, example="VOORBEELD-EIGENAAR"),
        Column("eigenaar_type", "vocab", vocab=("natuurlijk persoon", "rechtspersoon")),
        Column("peildatum", "date"),
    ),
    key=("adres_sleutel", "eigenaar_id"),
    date_column="peildatum",
    address=True,
    hashed_ids=("eigenaar_id",),
    counted="Eigendommen",
    supplier="Kadaster/WOZ-uittreksel",
    long_label="Eigendommen (Kadaster/WOZ, per casus)",
    short_label="Kadaster",
    singular="Eigendom",
    colour="#CC79A7",
    linked=True,
    extract=True,
)
