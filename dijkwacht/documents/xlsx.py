"""The factsheet's tables for re-use as a spreadsheet: the indicators and the published wijk
table, written by dijkwacht.exports (formula-neutralised, reproducible bytes)."""
from __future__ import annotations

from dijkwacht import exports
from dijkwacht.documents.figures import HIDDEN_NOTE, Factsheet, bron_text
from dijkwacht.measures import BY_CODE


def _difference(now, before, unit: str) -> float | None:
    """The change as a number: percentage points for shares, else per cent."""
    if not isinstance(now, (int, float)) or not isinstance(before, (int, float)):
        return None
    if unit == "procent":
        return round(now - before, 1)
    return round(100.0 * (now - before) / before, 1) if before else None


def indicator_rows(fs: Factsheet) -> list[dict]:
    """The indicator table as plain rows (for XLSX/CSV), Dutch column names."""
    return [{"Code": c["code"], "Indicator": c["naam"], "Definitie": c["definitie"],
             "Bron": bron_text(c["bronnen"], short=False),
             "Eenheid": c["eenheid"], str(fs.jaar): c["waarde"], str(fs.jaar - 1): c["vorig"],
             "Verschil": _difference(c["waarde"], c["vorig"], c["eenheid"]),
             "Verschil in": "%-punt" if c["eenheid"] == "procent" else "%",
             "Handhavingsoutput": "ja" if c["handhaving"] else "nee"} for c in fs.cijfers]


def wijk_rows(fs: Factsheet) -> list[dict]:
    rows = [{"Wijk": r["wijk"], **{BY_CODE[c].naam: r[c] for c in fs.wijk_codes}} for r in fs.wijken]
    rows.append({"Wijk": "Gemeente (afgerond)", **{BY_CODE[c].naam: fs.cijfer(c)["waarde"] for c in fs.wijk_codes}})
    return rows



def indicator_xlsx(fs: Factsheet) -> bytes:
    """The indicator table (and the published wijk table, with what "x" means under it) as
    XLSX: exports.xlsx_bytes writes it formula-neutralised, with the factsheet's title and a
    fixed creation date (the same figures give the same bytes)."""
    return exports.xlsx_bytes({"Indicatoren": indicator_rows(fs), "Per wijk": wijk_rows(fs)},
                              title=fs.titel, notes={"Per wijk": HIDDEN_NOTE})
