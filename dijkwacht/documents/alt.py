"""What each chart and map of the documents says, in words: the alternative text of the
tagged PDF (PDF/UA, WCAG 1.1.1). A screen reader user gets the same published numbers the
chart draws — taken from the same `Factsheet`/`Snapshot`, never computed again — and the
gaps said as the chart says them ("geen gegevens", "<5", "x").
"""
from __future__ import annotations

from dijkwacht.documents.charts import ENFORCEMENT
from dijkwacht.documents.figures import (
    MAP_CODE,
    NO_DATA,
    SOORT_NAMEN,
    Factsheet,
    Snapshot,
    cell_text,
    shown,
)
from dijkwacht.measures import BY_CODE, DISCOVERY_BAND, DISCOVERY_FACTOR


def _value(v) -> str:
    return NO_DATA if v is None else cell_text(v)


def _series(points) -> str:
    return "; ".join(f"{y}: {_value(v)}" for y, v in points)


def hennep(fs: Factsheet) -> str:
    points = fs.reeks["hennep_ontmanteld"]
    low, high = DISCOVERY_BAND
    return (f"Staafdiagram: ontmantelde hennepkwekerijen per jaar, {points[0][0]}–{points[-1][0]}, "
            f"afgerond op 5. {_series(points)}. Daarbij een band met het geschatte aantal aanwezige "
            f"kwekerijen (aanname: gevonden × {low} tot × {high}, middenschatting × {DISCOVERY_FACTOR}).")


def reeks(fs: Factsheet) -> str:
    parts = [f"{BY_CODE[code].naam}: {_series(fs.reeks[code])}"
             for code in ("signalen_aantal", "transacties_aantal", "controles_aantal")]
    return "Lijndiagram per jaar, afgerond op 5. " + ". ".join(parts) + "."


def _pairs(fs: Factsheet, rows) -> str:
    return "; ".join(f"{name}: {fs.jaar} {_value(now)}, {fs.jaar - 1} {_value(before)}"
                     for name, now, before in rows)


def handhaving(fs: Factsheet) -> str:
    rows = [(BY_CODE[c].naam, fs.cijfer(c)["waarde"], fs.cijfer(c)["vorig"]) for c in ENFORCEMENT]
    return (f"Staafdiagram handhavingsoutput (wat er gedaan is, geen maat voor de omvang), {fs.jaar} naast "
            f"{fs.jaar - 1}, afgerond op 5. {_pairs(fs, rows)}.")


def activiteiten(fs: Factsheet) -> str:
    if not fs.activiteiten_soort:
        return f"Activiteiten van het programma, pijler 2 en 3: {NO_DATA} in {fs.jaar}."
    rows = [(SOORT_NAMEN.get(r["soort"], r["soort"]), r["aantal"], r["vorig"]) for r in fs.activiteiten_soort]
    people = fs.cijfer("activiteiten_deelnemers")["waarde"]
    return (f"Staafdiagram activiteiten van het programma (pijler 2 en 3) per soort, {fs.jaar} naast "
            f"{fs.jaar - 1}, afgerond op 5. {_pairs(fs, rows)}. Deelnemers in {fs.jaar}: "
            f"{shown(people, 'deelnemers')}.")


def _wijk_list(rows, code: str) -> str:
    return "; ".join(f"{r['wijk']}: {_value(r[code])}" for r in rows)


def kaart(fs: Factsheet) -> str:
    return (f"Kaart van {fs.gemeente} met {BY_CODE[MAP_CODE].naam.lower()} per wijk in {fs.jaar}, "
            f"afgerond op 5; x = niet getoond. {_wijk_list(fs.wijken, MAP_CODE)}.")


def snapshot_kaart(snap: Snapshot) -> str:
    return (f"Kaart van {snap.gemeente} met signalen per wijk, {snap.periode_label}; <5 = 1 tot 4, "
            f"x = niet getoond. {_wijk_list(snap.wijken, 'signalen')}.")


def factsheet(fs: Factsheet) -> dict[str, str]:
    """The alternative text of every chart of the factsheet, by chart name (charts.CHARTS, "kaart")."""
    return {"hennep": hennep(fs), "reeks": reeks(fs), "handhaving": handhaving(fs),
            "activiteiten": activiteiten(fs), "kaart": kaart(fs)}
