from dijkwacht.sources.model import ADDRESS_COLUMNS, Column, Source

SOURCE = Source(
    name="verdachte_transacties",
    label="Verdachte transacties (FIU)",
    description="Door de FIU verdacht verklaarde transacties (via het RIEC)",
    columns=(
        Column("transactienummer", required=True),
        Column("datum", "date", required=True),
        Column("bedrag", "decimal", required=True, above=0),
        Column("transactietype", "vocab", vocab=(
            "contante storting", "geldtransfer", "wisseltransactie", "overboeking",
            "aankoop goederen", "kansspel", "overig")),
        Column("melder_sector", "vocab", vocab=(
            "bank", "betaaldienstverlener", "wisselkantoor", "casino", "notaris", "makelaar",
            "autohandel", "handelaar", "overig")),
        Column("subject_type", "vocab", vocab=("natuurlijk persoon", "rechtspersoon")),
        Column("subject_id", identifying=True),
        Column("branche"),
        *ADDRESS_COLUMNS,
    ),
    key=("transactienummer",),
    date_column="datum",
    event=True,
    hashed_ids=("subject_id",),
)
