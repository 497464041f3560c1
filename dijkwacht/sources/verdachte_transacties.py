from dijkwacht.sources.model import ADDRESS_COLUMNS, Column, Source

SOURCE = Source(
    name="verdachte_transacties",
    label="Verdachte transacties (FIU)",
    description="Door de FIU verdacht verklaarde transacties (via het RIEC)",
    columns=(
        Column("transactienummer", required=True, example="VOORBEELD-0001"),
        Column("datum", "date", required=True),
        Column("bedrag", "decimal", required=True, above=0),
        Column("transactietype", "vocab", vocab=(
            "contante storting", "geldtransfer", "wisseltransactie", "overboeking",
            "aankoop goederen", "kansspel", "overig")),
        Column("melder_sector", "vocab", vocab=(
            "bank", "betaaldienstverlener", "wisselkantoor", "casino", "notaris", "makelaar",
            "autohandel", "handelaar", "overig")),
        Column("subject_type", "vocab", vocab=("natuurlijk persoon", "rechtspersoon")),
        Column("subject_id", identifying=True, example="VOORBEELD-SUBJECT"),
        Column("branche", example="horeca"),
        *ADDRESS_COLUMNS,
    ),
    key=("transactienummer",),
    date_column="datum",
    event=True,
    hashed_ids=("subject_id",),
    counted="Verdachte transacties",
    supplier="FIU-Nederland via het RIEC",
    long_label="Verdachte transacties (FIU, via RIEC)",
    short_label="FIU",
    column_label="Transact.",
    singular="Verdachte transactie",
    colour="#E69F00",
    theme="witwassen",
    problem=True,
    linked=True,
    amount_column="bedrag",
)
