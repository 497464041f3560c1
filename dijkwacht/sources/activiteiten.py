from dijkwacht.sources.model import Column, Source

SOURCE = Source(
    name="activiteiten",
    label="Activiteiten (programma)",
    description="Activiteiten van het programma zelf (pijler 2 en 3)",
    columns=(
        Column("datum", "date", required=True),
        Column("titel", required=True, example="Voorbeeld: training signalen ondermijning"),
        Column("pijler", "int", required=True, minimum=1, maximum=3, example="2"),
        Column("soort", "vocab", vocab=("training", "bijeenkomst", "campagne", "convenant", "overig")),
        Column("deelnemers", "int", minimum=0),
    ),
    key=("datum", "titel"),
    date_column="datum",
    planned=True,
    address=False,
    counted="Activiteiten programma",
    supplier="programma ondermijning gemeente",
    long_label="Activiteiten programma (gemeente)",
    short_label="programma",
    retained=False,
)
