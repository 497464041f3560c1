"""What a steward does next about a delivery (issue 22 item 5): one Dutch sentence per kind
of outcome, shown beside every refusal and quarantine on the Data page and written into the
`.fout.txt` beside a refused file in the inbox."""
from __future__ import annotations

# (words in the ETL's message, the next step). The first match wins; the messages are the
# ETL's own Dutch texts (etl/load.py, etl/read.py, etl/rehearsal.py).
STEPS = (
    ("al geladen", "Niets te doen: deze inhoud staat al in de database."),
    ("oefen", "Oefen met het oefenbestand van de Data-pagina; echte bestanden horen in de database met "
              "echte gegevens."),
    ("kolom ontbreekt", "Vraag de partner het bestand opnieuw te sturen mét de genoemde kolom; het sjabloon "
                        "op de Data-pagina laat alle kolommen zien."),
    ("bron niet te herkennen", "Geef het bestand de naam van de bron (bijvoorbeeld "
                               "hennepkwekerijen_2026-11.csv) of gebruik de kopregel van het sjabloon."),
    ("geen gegevensregels", "Vraag de partner om een bestand mét gegevens: dit bestand heeft alleen een kopregel."),
    ("leeg", "Vraag de partner om een bestand mét gegevens: dit bestand is leeg."),
    ("wachtwoord", "Vraag de partner het bestand zonder wachtwoord opnieuw te sturen."),
    ("sleutel", "Vraag de functioneel beheerder de pseudoniemsleutel in te stellen; daarna opnieuw aanleveren."),
    ("alleen", "Sla het bestand op als CSV, Excel (.xlsx, .xls) of OpenDocument (.ods) en lever het opnieuw aan."),
    ("te groot", "Vraag de partner het bestand in delen te sturen (bijvoorbeeld per jaar)."),
    ("", "Vraag de partner het bestand op te slaan als CSV (UTF-8) of Excel volgens het sjabloon en het "
         "opnieuw te sturen."),
)
QUARANTINE_STEP = ("Stuur de partner de quarantainelijst (Quarantaine → Alle afgekeurde regels) en vraag om "
                   "een verbeterd bestand met alleen die regels; de goede regels zijn al geladen.")
PREVIEW_STEP = ("Na accepteren worden de goede regels geladen; stuur de partner daarna de quarantainelijst "
                "(Quarantaine → Alle afgekeurde regels) en vraag om een verbeterd bestand met alleen die regels.")


def next_step(message: str | None, quarantined: int = 0, previewing: bool = False) -> str:
    """The next step for a refused file (`message`: the ETL's reason), or for a file with
    quarantined lines, loaded or (`previewing`) about to be; empty when nothing needs doing."""
    if message:
        lowered = message.lower()
        return next(step for words, step in STEPS if words in lowered)
    if not quarantined:
        return ""
    return PREVIEW_STEP if previewing else QUARANTINE_STEP
