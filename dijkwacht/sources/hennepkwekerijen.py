from dijkwacht.sources.model import ADDRESS_COLUMNS, MAATREGELEN_HENNEP, Column, Source

SOURCE = Source(
    name="hennepkwekerijen",
    label="Hennepkwekerijen (ontmanteld)",
    description="Ontmantelde hennepkwekerijen (politie / Omgevingsdienst)",
    columns=(
        Column("registratienummer", required=True),
        Column("datum_ontmanteling", "date", required=True),
        *ADDRESS_COLUMNS,
        Column("x_rd", "float", stored=False),
        Column("y_rd", "float", stored=False),
        Column("lat", "float", stored=False),
        Column("lon", "float", stored=False),
        Column("locatietype", "vocab", vocab=("woning", "bedrijfspand", "buitengebied", "overig")),
        Column("aantal_planten", "int", minimum=0),
        Column("stroomdiefstal", "vocab", vocab=("ja", "nee", "onbekend")),
        Column("eigendom", "vocab", vocab=("eigenaar-bewoner", "corporatie", "particuliere verhuur", "onbekend")),
        Column("eigenaar_id", identifying=True),
        Column("maatregel", "vocab", vocab=MAATREGELEN_HENNEP),
    ),
    key=("registratienummer",),
    date_column="datum_ontmanteling",
    event=True,
    coordinates=True,
    hashed_ids=("eigenaar_id",),
)
