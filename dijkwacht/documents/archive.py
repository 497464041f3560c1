"""The archive of published documents: the files in `data/archief/` and one row per
publication in the register (`archief` in state.sqlite) with the data load id and the
SHA-256s.

Republishing a factsheet edition compares its numbers with the last published ones
(`republication_check`) and refuses (`Republicatie`) a change that could single out fewer
than 10 records unless one of the fixed reasons (`REDENEN`) is given; the reason is kept in
the register.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from dijkwacht import config, formats
from dijkwacht.documents import letter
from dijkwacht.documents.figures import SOORT_NAMEN, Factsheet, Snapshot, canonical_json, sha256

# --- the archive ----------------------------------------------------------------------------

def archive_dir() -> Path:
    """data/archief/ unless DIJKWACHT_ARCHIEF points elsewhere (tests, servers)."""
    return Path(os.environ.get("DIJKWACHT_ARCHIEF", config.ARCHIVE_DIR))


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


# --- republication --------------------------------------------------------------------------

# Why an edition is published again: a fixed list (no free text in the register).
REDENEN = ("correctie van een bronbestand", "late levering partner", "fout in eerdere editie")
SINGLE_OUT = 10      # a change of fewer records than this could point at those records


def published_cells(numbers: dict) -> dict[str, dict]:
    """Every published cell of a factsheet's numbers (`Factsheet.numbers()`, or the archived
    JSON): key → {"cel": Dutch name, "waarde": as published, "telling": a count of records}."""
    cells: dict[str, dict] = {}
    year = numbers["jaar"]

    def put(key, name, value, telling):
        cells[key] = {"cel": name, "waarde": value, "telling": bool(telling)}

    for c in numbers["cijfers"]:
        telling = c.get("telling", c.get("eenheid") == "aantal")
        put(f"cijfer:{c['code']}:{year}", f"{c['naam']}, {year}", c["waarde"], telling)
        put(f"cijfer:{c['code']}:{year - 1}", f"{c['naam']}, {year - 1}", c["vorig"], telling)
    names = {c["code"]: c["naam"] for c in numbers["cijfers"]}
    for r in numbers["wijken"]:
        for code in numbers["wijk_codes"]:
            put(f"wijk:{r['wijkcode']}:{code}", f"{names.get(code, code)}, {r['wijk']}, {year}", r[code], True)
    for code, points in numbers["reeks"].items():
        for y, v in points:
            if y not in (year, year - 1):          # those years are the cijfers above
                put(f"reeks:{code}:{y}", f"{names.get(code, code)}, {y}", v, True)
    for a in numbers.get("activiteiten", ()):
        kind = SOORT_NAMEN.get(a["soort"], a["soort"]).lower()
        put(f"activiteit:{a['pijler']}:{a['soort']}", f"Activiteiten pijler {a['pijler']}, {kind}, {year}",
            a["aantal"], True)
        put(f"deelnemers:{a['pijler']}:{a['soort']}", f"Deelnemers pijler {a['pijler']}, {kind}, {year}",
            a["deelnemers"], True)
    for a in numbers.get("activiteiten_soort", ()):
        kind = SOORT_NAMEN.get(a["soort"], a["soort"]).lower()
        put(f"activiteit_soort:{a['soort']}:{year}", f"Activiteiten, {kind}, {year}", a["aantal"], True)
        put(f"activiteit_soort:{a['soort']}:{year - 1}", f"Activiteiten, {kind}, {year - 1}", a["vorig"], True)
    return cells


def _singles_out(old, new) -> bool:
    """Whether a change of a published count could point at fewer than SINGLE_OUT records:
    both shown as numbers and 1–9 apart after rounding; or a hidden/labelled side ("x",
    "<5"), whose true value is not known — then the difference cannot be shown to be ≥ 10.
    "Geen gegevens" (None) counts as 0."""
    old = 0 if old is None else old
    new = 0 if new is None else new
    if isinstance(old, str) or isinstance(new, str):
        return True
    return 1 <= abs(new - old) < SINGLE_OUT


@dataclass(frozen=True)
class Herpublicatie:
    """The outcome of comparing a new edition with the last published one."""
    wijzigingen: tuple[dict, ...]   # cel, oud, nieuw, telling, aanwijsbaar
    aanwijsbaar: bool               # some change could single out fewer than 10 records

    def tekst(self, limit: int = 12) -> str:
        lines = [f"{w['cel']}: {value_text(w['oud'])} → {value_text(w['nieuw'])}"
                 + (" (minder dan 10 registraties)" if w["aanwijsbaar"] else "")
                 for w in self.wijzigingen[:limit]]
        if len(self.wijzigingen) > limit:
            lines.append(f"… en nog {len(self.wijzigingen) - limit} cellen")
        return "; ".join(lines)


def value_text(v) -> str:
    """A published cell value as text (changes list): "–" for None, labels as they are."""
    return "–" if v is None else v if isinstance(v, str) else formats.number(v, 0 if float(v).is_integer() else 1)


def republication_check(old_numbers: dict, new_numbers: dict) -> Herpublicatie:
    """Compare a new edition's published cells with the last published edition's. Pure.
    A changed count cell singles out fewer than 10 records when, after rounding both, it
    changed by 1–9 (or a side is hidden); amounts, shares and means are listed as changed but
    do not count as records."""
    old, new = published_cells(old_numbers), published_cells(new_numbers)
    changes = []
    for key in list(old) + [k for k in new if k not in old]:
        before = old.get(key, {}).get("waarde")
        after = new.get(key, {}).get("waarde")
        if before == after:
            continue
        cell = new.get(key) or old[key]
        flag = cell["telling"] and _singles_out(before, after)
        changes.append({"sleutel": key, "cel": cell["cel"], "oud": before, "nieuw": after,
                        "telling": cell["telling"], "aanwijsbaar": flag})
    return Herpublicatie(tuple(changes), any(c["aanwijsbaar"] for c in changes))


class Republicatie(Exception):
    """Republishing an edition would single out fewer than 10 records and no reason was
    given. `.check` holds the changed cells; `.vorige` the register row compared with."""

    def __init__(self, check: Herpublicatie, vorige: dict, message: str | None = None):
        self.check = check
        self.vorige = vorige
        super().__init__(message or (
            f"Deze factsheet ({vorige['periode']}) is al gepubliceerd op {vorige['gemaakt_op']}. "
            f"Gewijzigde cellen: {check.tekst()}. Een wijziging van minder dan {SINGLE_OUT} registraties "
            "in een cel kan die registraties aanwijzen: publiceer alleen opnieuw met een reden."))


def _last_edition(con, doc: Factsheet, directory: Path) -> tuple[dict, dict | None] | None:
    """The last published register row of this factsheet's year and its archived numbers
    (None when the numbers file is missing); None when the year was never published."""
    rows = [r for r in archive_list(con, "factsheet") if r["periode"] == str(doc.jaar)]
    if not rows:
        return None
    row = rows[0]
    name = next((f["bestand"] for f in row["bestanden"] if f["bestand"].endswith(".json")), None)
    try:
        numbers = json.loads(archive_file(name, directory)) if name else None
    except FileNotFoundError:
        numbers = None
    return row, numbers


def publish(con, doc: Factsheet | Snapshot, files: dict[str, bytes], who: str, role: str,
            directory: Path | None = None, moment: datetime | None = None, *,
            reden: str | None = None) -> dict:
    """Store a factsheet or snapshot in the archive: the files (plus the numbers as JSON)
    under `directory`, and one register row in state.sqlite (`con`). Returns the row.

    `files` maps an extension ("pdf", "png") to its bytes. File names carry the UTC time,
    so nothing is ever overwritten.

    Republishing a factsheet (its year is in the register already) compares the numbers
    with the last published ones: when a change could single out fewer than 10 records,
    `Republicatie` is raised unless `reden` (one of REDENEN) is given. The reason, the
    edition it replaces and the number of changed cells go into the register row
    (`filters`) and are returned."""
    from dijkwacht import state
    if reden is not None and reden not in REDENEN:
        raise ValueError(f"onbekende reden: kies uit {', '.join(REDENEN)}")
    directory = Path(directory or archive_dir())
    extra: dict = {}
    if isinstance(doc, Factsheet):
        last = _last_edition(con, doc, directory)
        if last is not None:
            row, old = last
            if old is None:
                check = Herpublicatie((), True)
                if reden is None:
                    raise Republicatie(check, row, (
                        f"Deze factsheet ({row['periode']}) is al gepubliceerd op {row['gemaakt_op']}, "
                        "maar de cijfers van die editie zijn niet in het archief gevonden: publiceer "
                        "alleen opnieuw met een reden."))
            else:
                check = republication_check(old, doc.numbers())
                if check.aanwijsbaar and reden is None:
                    raise Republicatie(check, row)
            extra = {"herpublicatie_van": row["id"], "gewijzigde_cellen": len(check.wijzigingen)}
    directory.mkdir(parents=True, exist_ok=True)
    moment = moment or datetime.now(timezone.utc)
    kind = "factsheet" if isinstance(doc, Factsheet) else "briefing"
    stem = f"{doc.basename}-{_utc_stamp(moment)}"
    numbers = canonical_json(doc.numbers())
    stored = []
    for ext, data in [*sorted(files.items()), ("json", numbers)]:
        name = f"{stem}.{ext}"
        path = directory / name
        tmp = path.with_name("." + name + ".tmp")
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        stored.append({"bestand": name, "sha256": sha256(data)})
    if isinstance(doc, Factsheet):
        period, filters = str(doc.jaar), {"jaar": doc.jaar}
    else:
        period, filters = f"{doc.van}/{doc.tot}", {"van": doc.van, "tot": doc.tot, "gebied": doc.gebied}
    filters.update(extra)
    if reden is not None:
        filters["reden"] = reden
    row = {"soort": kind, "periode": period, "filters": json.dumps(filters, sort_keys=True),
           "gemaakt_door": who, "rol": role,
           "gemaakt_op": moment.astimezone(timezone.utc).isoformat(timespec="seconds"),
           "load_id": doc.load_id, "stand_per": doc.stand_per, "demo": int(doc.demo),
           "bestanden": json.dumps(stored, ensure_ascii=False), "cijfers_sha256": sha256(numbers)}
    with state.transaction(con):
        cur = con.execute(
            "INSERT INTO archief (soort, periode, filters, gemaakt_door, rol, gemaakt_op, load_id, "
            "stand_per, demo, bestanden, cijfers_sha256) VALUES (:soort, :periode, :filters, :gemaakt_door, "
            ":rol, :gemaakt_op, :load_id, :stand_per, :demo, :bestanden, :cijfers_sha256)", row)
    return {"id": cur.lastrowid, **row, "filters": filters, "bestanden": stored, "reden": reden}


def archive_list(con, kind: str | None = None) -> list[dict]:
    """The register, newest first; `kind` = "factsheet" | "briefing" | None for both."""
    rows = con.execute(
        "SELECT id, soort, periode, filters, gemaakt_door, rol, gemaakt_op, load_id, stand_per, demo, "
        "bestanden, cijfers_sha256 FROM archief WHERE (:soort IS NULL OR soort = :soort) "
        "ORDER BY gemaakt_op DESC, id DESC", {"soort": kind}).fetchall()
    out = []
    for r in rows:
        item = dict(r)
        item["bestanden"] = json.loads(item["bestanden"])
        item["filters"] = json.loads(item["filters"]) if item["filters"] else {}
        out.append(item)
    return out


def edition_text(con, year: int, directory: Path | None = None) -> str | None:
    """The accompanying text (documents.letter) of the last published factsheet of `year`,
    None when there is none: what the next edition of that year starts from."""
    rows = [r for r in archive_list(con, "factsheet") if r["periode"] == str(year)]
    name = next((f["bestand"] for r in rows[:1] for f in r["bestanden"]
                 if f["bestand"].endswith("." + letter.EXTENSION)), None)
    if name is None:
        return None
    try:
        return archive_file(name, directory).decode("utf-8").strip() or None
    except FileNotFoundError:
        return None


def archive_file(name: str, directory: Path | None = None) -> bytes:
    """The bytes of one archived file; only plain names inside the archive folder."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise ValueError("ongeldige bestandsnaam")
    return (Path(directory or archive_dir()) / name).read_bytes()
