from dijkwacht.sources.model import ADDRESS_COLUMNS, BARRIEREFASEN, Column, Source

SOURCE = Source(
    name="signalen",
    label="Signalen (meldpunt)",
    description="Signalen bij het meldpunt ondermijning",
    columns=(
        Column("signaalnummer", required=True, example="VOORBEELD-0001"),
        Column("ontvangen_op", "datetime", required=True),
        Column("kanaal", "vocab", vocab=(
            "e-mail", "telefoon", "webformulier", "intern", "partner", "meld misdaad anoniem")),
        Column("melder_type", "vocab", vocab=(
            "bewoner", "ondernemer", "medewerker gemeente", "partner", "anoniem")),
        Column("thema", "vocab", vocab=(
            "hennep", "drugshandel", "omg", "illegaal gokken", "witwassen", "mensenhandel",
            "vastgoedfraude", "uitkeringsfraude", "heling", "overig")),
        *ADDRESS_COLUMNS,
        Column("status", "vocab", vocab=("ontvangen", "in behandeling", "doorgezet", "afgesloten")),
        Column("doorgezet_naar", "vocab", vocab=(
            "riec", "politie", "sociale dienst", "omgevingsdienst", "belastingdienst", "overig")),
        Column("teruggekoppeld_op", "date"),
        Column("afgesloten_op", "date"),
        Column("barrierefase", "vocab", vocab=BARRIEREFASEN),
    ),
    key=("signaalnummer",),
    date_column="ontvangen_op",
    event=True,
    # Free text and any reporter identity are never loaded (DESIGN §2).
    dropped=("omschrijving", "melder", "melder_naam", "naam_melder", "melder_telefoon",
             "melder_email", "telefoon", "email", "e_mail"),
    counted="Signalen meldpunt",
    supplier="meldpunt ondermijning gemeente",
    long_label="Meldpunt ondermijning",
    short_label="meldpunt",
    column_label="Signalen",
    singular="Signaal",
    colour="#0072B2",
    problem=True,
    linked=True,
)
