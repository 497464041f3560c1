"""The security department's week (issue 18): one prioritised work list of what needs
attention now, per wijk and focus area. Pure: the served database's tables in (through
`queries`), items out; the follow-up (dijkwacht/followup.py) and the page decide what shows.

An item names keys and areas, never addresses or names.

"Now" is the data's *stand per* (its latest event date), never the clock; every term below
counts back from it. The rules are [week] in gemeente.toml (config.WeekSettings); the
defaults are given here in brackets.

Five kinds of item (`items` returns them all, ordered):

bekende_sleutel  A new registration (dated within `nieuw_dagen` [28] days up to the stand per)
    at a key that was already known: the key had an earlier registration within the window
    (`venster_jaren` [3] years back from the stand per; anything older does not count), or the
    key is in the ownership extract (an owned address, or an owner). A registration is a
    grow site, a suspicious transaction, a signal, or an inspection with a violation, a
    measure or a Bibob refusal (the records that make a key known, linkage._known_record).
    Ownership rows are facts, not events: the extract's peildatum is the day the Kadaster was
    read, so ownership makes a key "known as owned" but never gives it a date — recency and
    "since" come from registrations only. One item per key (address and person keys alike).
    Order: more distinct sources (ownership counts as one) within the window, then more
    registrations within the window, then the most recent, then the key:
    score = 100 × sources + registrations (at most 99). Priority 1 when the key was known
    from 2 or more sources before, or a new registration is a grow site; else 2.

stijging  Per layer (grow sites, suspicious transactions, signals, inspections with findings:
    the facts of the measure registry) and area (every buurt, wijk and focus area; an area
    with the same buurten as another is tested once), the count of the last complete month
    against the area's own expected count: the mean over the `basis_maanden` [36] months
    before it. The exact Poisson upper limit u at false-alarm rate `alfa` [0.01] is the
    smallest count with P(X ≤ u) ≥ 1 − alfa for X ~ Poisson(mean); the month is flagged when
    its count exceeds u and is at least `minimum_aantal` [3]. An area is tested only when
    the layer's source has records from before the baseline's first month. Score =
    −log10 P(X ≥ count); priority 1 when that chance is below alfa / 10, else 2.
    Why a 36-month mean and not the mean of the same month in the last 3 years (seasonality):
    at a municipality's counts a buurt has a few registrations a year, and a mean of three
    numbers is noisy: measured on the demo (bench/spike_rule.py, docs/benchmarks.md) the
    same-month rule raises nearly twice as many false alarms at the same nominal alfa (0.14%
    against 0.08% of the cells; in the wijken 1.1% against 0.6%) and finds no more planted
    spikes. That noise costs more than ignoring the season: the sources are enforcement
    output and registers whose month-to-month swing is smaller. An EWMA was not chosen
    because its limit is harder to explain than "verwacht 4,1; bovengrens 9". A layer with a
    strong season would flag its peak month; the line says what was expected, so a reader
    can judge that. At the demo's counts (most cells expect less than 1 a month) the rule
    finds a doubling in about 1 of 6 cells that expect 1 or more: small counts cannot say
    more, and the minimum count keeps single registrations in quiet buurten off the list.

zonder_maatregel  An address key with problems (grow sites, suspicious transactions, signals:
    linkage.PROBLEMS) older than `termijn_maatregel_dagen` [90] days and within the window
    that have no intervention (a measure or a Bibob refusal, linkage.is_intervention) at
    the same key on or after their date up to the stand per — not within the term and not
    since. Listed when one of them is a grow site (priority 1), or when there are 2 or more
    and not all are suspicious transactions (priority 2; a transaction's address is the
    subject's, seldom the place for a municipal measure). Interventions are recorded per
    address (inspections carry no person key), so this is per address key. Score = number
    of open problems.

onbeantwoord  A signal of a reporter who can be answered (not anonymous by type or channel, as
    the feedback measure counts them), still open (no closing date) and without feedback,
    received more than `termijn_terugkoppeling_dagen` [14] days ago and within the window.
    The programme (2016) promises to always answer reporters and thank them, but names no
    term: 14 days is our choice, configurable. A signal answered late or closed is not on
    the list (nothing is left to do; the Meldpunt page shows days to feedback). Priority 2;
    score = days past the term.

levering  One item per late source (deliveries.status), priority 2 when 30 or more days late,
    else 3; score = days late.

Order: priority (1 first), then the kinds in KINDS order, then score (higher first), then the
latest date (newer first), then the id — the same on every run.

Dates. "New" is the stand per and the `nieuw_dagen` − 1 days before it; the window starts
`venster_jaren` years before the stand per; "older than the term" is more than the term's
days before the stand per (on the last day of the term it is still in time); the last
complete month is the stand per's month when the stand per is its last day, else the month
before. `since`: the first new registration (bekende_sleutel), the tested month's first day
(stijging), the day the term ran out for the oldest open problem or the signal
(zonder_maatregel, onbeantwoord), the due date (levering). `latest`: the newest registration
at the key (bekende_sleutel), the last day with a registration in the month and area
(stijging), the newest record at the address (zonder_maatregel), the day the signal came in
(onbeantwoord), the last delivery (levering; the due date when never delivered).
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from typing import Iterable

import numpy as np
import polars as pl

from dijkwacht import config, formats, linkage, measures
from dijkwacht.config import WeekSettings
from dijkwacht.deliveries import Delivery, days_text

# The kinds of item, in the order the page lists them when priorities tie.
# Short names for counters and badges, in the same order.
KIND_SHORT = {"bekende_sleutel": "Bekende sleutel", "stijging": "Stijging", "zonder_maatregel": "Zonder maatregel",
              "onbeantwoord": "Onbeantwoord signaal", "levering": "Levering te laat"}
KINDS = {
    "bekende_sleutel": "Nieuwe registratie op een bekende sleutel",
    "stijging": "Stijging boven de verwachting",
    "zonder_maatregel": "Probleem zonder maatregel",
    "onbeantwoord": "Signaal niet op tijd beantwoord",
    "levering": "Levering te laat",
}


@dataclass(frozen=True)
class Item:
    """One thing on the work list."""
    id: str                      # stable across loads: "<kind>:<subject>" (a key, an area+layer, a source)
    kind: str                    # a key of KINDS
    priority: int                # 1 (highest) … 3
    score: float                 # orders items within a priority (higher first)
    since: date                  # since when it needs attention
    latest: date                 # the latest event date at its subject: a handled item comes back
                                 # when this moves past the date it was handled at
    line: str                    # one Dutch line: why it is here (no address, no name)
    explanation: str             # the score explained, in Dutch
    wijk: str | None = None      # wijk code (WK…), None when city-wide
    buurt: str | None = None     # buurt code (BU…), None when not at one buurt
    focus: tuple[str, ...] = ()  # the programme's focus areas it lies in
    theme: str | None = None     # hennep, witwassen, … (measures' themes), None when not one
    links: tuple[str, ...] = ()  # pseudonymous keys (short form) and area codes it links to


# The spike rule's layers: facts of the measure registry (feiten.maat) → what they count.
SPIKE_LAYERS = {
    measures.BY_CODE["hennep_ontmanteld"].maat: "Ontmantelde hennepkwekerijen",
    measures.BY_CODE["transacties_aantal"].maat: "Verdachte transacties",
    measures.BY_CODE["signalen_aantal"].maat: "Signalen",
    measures.BY_CODE["controles_bevindingen_pct"].maat: "Controles met bevindingen",
}
LAYER_THEMES = {"hennepkwekerijen": "hennep", "verdachte_transacties": "witwassen"}
LEVELS = {"buurt": "buurt", "wijk": "wijk", "focus": "focusgebied"}

# One record of a source, and more than one, in running text.
_ONE = {"hennepkwekerijen": "hennepkwekerij", "verdachte_transacties": "verdachte transactie",
        "signalen": "signaal", "controles": "controle", "eigendommen": "eigendom"}
_MANY = {"hennepkwekerijen": "hennepkwekerijen", "verdachte_transacties": "verdachte transacties",
         "signalen": "signalen", "controles": "controles", "eigendommen": "eigendommen"}
_NEW = {"hennepkwekerijen": "nieuwe hennepkwekerij", "verdachte_transacties": "nieuwe verdachte transactie",
        "signalen": "nieuw signaal", "controles": "nieuwe controle"}
_KEY_WORD = {"adres": "adressleutel", "persoon": "persoonssleutel"}

LATE_PRIORITY_DAYS = 30
# The page lists at most this many items, the highest priority first (issue 17: a detail view
# stays bounded; at ×100 the list holds 17,000 open items, read by their counts per kind).
SHOWN = 200


# ---------------------------------------------------------------------------------------
# dates
# ---------------------------------------------------------------------------------------
def years_back(moment: date, years: int) -> date:
    """The same day `years` years earlier (29 February → 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def add_months(first: date, months: int) -> date:
    """The first day of the month `months` after the month of `first` (may be negative)."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def last_complete_month(stand_per: date) -> date:
    """The first day of the last month that lies wholly on or before the stand per."""
    this = date(stand_per.year, stand_per.month, 1)
    return this if (stand_per + timedelta(days=1)).month != stand_per.month else add_months(this, -1)


def window_start(stand_per: date, settings: WeekSettings) -> date:
    return years_back(stand_per, settings.venster_jaren)


def _ago(stand_per: date, moment: date) -> str:
    days = (stand_per - moment).days
    return "op de stand per" if days == 0 else f"{days_text(days)} geleden"


def _records(counts: Counter) -> str:
    """'1 hennepkwekerij en 2 signalen' (sources in a fixed order)."""
    parts = [f"{n} {_ONE[b] if n == 1 else _MANY[b]}" for b, n in sorted(counts.items(), key=lambda kv: kv[0])]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]


def _area(buurt: str | None) -> str:
    return f" in {buurt}" if buurt else " (buurt onbekend)"


def _linked(kind: str, others: list[str]) -> str:
    if not others:
        return ""
    word = _KEY_WORD[kind]
    shown = ", ".join(linkage.short(k) for k in others[:3])
    more = f" en {len(others) - 3} andere" if len(others) > 3 else ""
    return f"; gekoppeld aan {word} {shown}{more}"


def _attributes(frame: pl.DataFrame, areas: pl.DataFrame) -> pl.DataFrame:
    """`frame` (with buurtcode) with each buurt's wijkcode and focus areas."""
    return frame.join(areas, on="buurtcode", how="left").with_columns(
        pl.col("focus").fill_null(pl.lit([], dtype=pl.List(pl.String))))


def areas(db) -> pl.DataFrame:
    """buurtcode, wijkcode, focus (the focus areas it lies in) of every buurt."""
    return db.query("week/gebieden")


# ---------------------------------------------------------------------------------------
# a. new registrations at known keys
# ---------------------------------------------------------------------------------------
def known_keys(db, stand_per: date, settings: WeekSettings, area_frame: pl.DataFrame | None = None) -> list[Item]:
    new_from = stand_per - timedelta(days=settings.nieuw_dagen - 1)
    frame = db.query("week/bekende_sleutels", stand_per=stand_per, nieuw_vanaf=new_from,
                     venster_vanaf=window_start(stand_per, settings),
                     maatregelen=list(linkage.MEASURES), bibob=list(linkage.BIBOB_REFUSED))
    frame = _attributes(frame, areas(db) if area_frame is None else area_frame)
    years = settings.venster_jaren
    out = []
    for r in frame.iter_rows(named=True):
        new, before = Counter(r["nieuw_bronnen"]), Counter(r["eerder_bronnen"])
        owned = r["eigendommen"] > 0
        sources = set(new) | set(before) | ({"eigendommen"} if owned else set())
        known_from = set(before) | ({"eigendommen"} if owned else set())
        registrations = r["nieuw"] + r["eerder"]
        key, kind = r["sleutel"], r["sleutel_soort"]
        if r["nieuw"] == 1:
            what = f"{_NEW[r['nieuw_bron']]} op {formats.day(r['nieuw_laatste'])}"
        else:
            what = f"{r['nieuw']} nieuwe registraties ({_records(new)}) sinds {formats.day(r['nieuw_eerste'])}"
        earlier = []
        if r["eerder"]:
            span = (f"sinds {formats.day(r['eerder_eerste'])}" if r["eerder"] > 1
                    else f"op {formats.day(r['eerder_laatste'])}")
            earlier.append(f"eerder {_records(before)} ({span})")
        if owned:
            earlier.append("in het eigendomsoverzicht" if kind == "adres"
                           else f"eigenaar van {r['eigendommen']} adres{'sen' if r['eigendommen'] != 1 else ''} "
                                "in het eigendomsoverzicht")
        line = (f"{_KEY_WORD[kind].capitalize()} {linkage.short(key)}{_area(r['buurtcode'])}: {what}; "
                f"{' en '.join(earlier)}{_linked('persoon' if kind == 'adres' else 'adres', r['anderen'])}.")
        priority = 1 if len(known_from) >= 2 or "hennepkwekerijen" in new else 2
        labels = ", ".join(_MANY[s] for s in sorted(sources))
        explanation = (
            f"{len(sources)} {'bron' if len(sources) == 1 else 'bronnen'} in {years} jaar ({labels}), "
            f"{registrations} registratie{'s' if registrations != 1 else ''}, laatste "
            f"{_ago(stand_per, r['nieuw_laatste'])}"
            + (" (eigendom telt als bron maar geeft geen datum)" if owned else "") + ". "
            "Rangorde: meer bronnen, dan meer registraties, dan recenter, dan sleutel. Prioriteit 1: "
            "al bekend uit 2 of meer bronnen, of een nieuwe hennepkwekerij.")
        theme = LAYER_THEMES.get(r["nieuw_bron"]) or (r["nieuw_soort"] if r["nieuw_bron"] == "signalen" else None)
        out.append(Item(
            id=f"bekende_sleutel:{key}", kind="bekende_sleutel", priority=priority,
            score=float(100 * len(sources) + min(registrations, 99)),
            since=r["nieuw_eerste"], latest=r["nieuw_laatste"], line=line, explanation=explanation,
            wijk=r["wijkcode"], buurt=r["buurtcode"], focus=tuple(r["focus"]), theme=theme,
            links=tuple([linkage.short(key), *(linkage.short(k) for k in r["anderen"])]
                        + ([r["buurtcode"]] if r["buurtcode"] else []))))
    return out


# ---------------------------------------------------------------------------------------
# b. rises beyond the expected range
# ---------------------------------------------------------------------------------------
def spike_cells(db, month: date, settings: WeekSettings) -> pl.DataFrame:
    """Every tested cell (layer × area) of `month` with its count, baseline and the rule's
    verdict (`spike_rule`): laag, niveau, gebied, aantal, basis, verwacht, bovengrens, kans,
    gemarkeerd, getest, laatste_dag, wijkcode, focus."""
    first = add_months(month, -settings.basis_maanden)
    frame = db.query("week/stijging", lagen=list(SPIKE_LAYERS), maand=month, basis_vanaf=first)
    tested = (frame["eerste_dag"].is_not_null() & (frame["eerste_dag"] <= first)).to_numpy()
    expected, limit, chance, flagged = spike_rule(frame["aantal"].to_numpy(), frame["basis"].to_numpy(),
                                                  settings.basis_maanden, settings.alfa, settings.minimum_aantal)
    return frame.with_columns(
        pl.Series("verwacht", expected), pl.Series("bovengrens", limit), pl.Series("kans", chance),
        pl.Series("gemarkeerd", flagged & tested), pl.Series("getest", tested))


def upper_limit(expected: np.ndarray, alfa: float) -> np.ndarray:
    """The exact Poisson upper limit: per mean the smallest count u with P(X ≤ u) ≥ 1 − alfa."""
    from scipy.special import pdtr

    expected = np.asarray(expected, dtype=float)
    limit = np.floor(expected).astype(np.int64)          # the (1 − alfa)-quantile is ≥ ⌊mean⌋ for alfa ≤ 0.5
    short = pdtr(limit, expected) < 1 - alfa
    while short.any():
        limit[short] += 1
        short = pdtr(limit, expected) < 1 - alfa
    return limit


def spike_rule(count, baseline, months: int, alfa: float, minimum: int):
    """The spike rule, vectorised: (expected, upper limit, P(X ≥ count), flagged) for counts
    against their baseline totals over `months` months."""
    from scipy.special import pdtrc

    count = np.asarray(count, dtype=np.int64)
    expected = np.asarray(baseline, dtype=float) / months
    limit = upper_limit(expected, alfa)
    chance = np.where(count > 0, pdtrc(np.maximum(count - 1, 0), expected), 1.0)
    return expected, limit, chance, (count > limit) & (count >= minimum)


def _share(p: float) -> str:
    """A small chance as a Dutch percentage: '1%', '0,08%', '< 0,01%'."""
    pct = 100 * p
    if pct < 0.01:
        return "< 0,01%"
    return formats.percent(pct, 0 if pct >= 1 and pct == round(pct) else (1 if pct >= 1 else 2))


def rises(db, stand_per: date, settings: WeekSettings) -> list[Item]:
    month = last_complete_month(stand_per)
    cells = spike_cells(db, month, settings).filter(pl.col("gemarkeerd"))
    first, last = add_months(month, -settings.basis_maanden), add_months(month, -1)
    alarm = _share(settings.alfa)
    out = []
    for r in cells.iter_rows(named=True):
        layer, level, area = r["laag"], r["niveau"], r["gebied"]
        score = -math.log10(max(r["kans"], 1e-12))
        expected = formats.number(r["verwacht"], 1)
        line = (f"{SPIKE_LAYERS[layer]} in {LEVELS[level]} {area}: {r['aantal']} in "
                f"{formats.month(month)}; verwacht {expected} (bovengrens {r['bovengrens']} bij "
                f"{alarm} vals alarm).")
        explanation = (
            f"Verwacht: het gemiddelde per maand over de {settings.basis_maanden} maanden "
            f"{formats.month(first)}–{formats.month(last)} in dit gebied ({r['basis']} in totaal, "
            f"{expected} per maand). Bovengrens: meer dan {r['bovengrens']} komt bij dat gemiddelde "
            f"(Poisson) in hoogstens {alarm} van de maanden voor; een stijging telt vanaf "
            f"{settings.minimum_aantal} registraties. Kans op {r['aantal']} of meer: {_share(r['kans'])}. "
            f"Score = −log10 van die kans = {formats.number(score, 1)}; prioriteit 1 als die kans "
            f"kleiner is dan {_share(settings.alfa / 10)}.")
        buurt = area if level == "buurt" else None
        focus = tuple(r["focus"]) if level != "focus" else (area, *(f for f in r["focus"] if f != area))
        out.append(Item(
            id=f"stijging:{layer}:{area}:{month:%Y-%m}", kind="stijging",
            priority=1 if r["kans"] < settings.alfa / 10 else 2, score=round(score, 6),
            since=month, latest=r["laatste_dag"] or month, line=line, explanation=explanation,
            wijk=r["wijkcode"], buurt=buurt, focus=focus, theme=LAYER_THEMES.get(layer),
            links=(area,) if level != "focus" else tuple(c for c in (r["wijkcode"],) if c)))
    return out


# ---------------------------------------------------------------------------------------
# c. problems without a measure
# ---------------------------------------------------------------------------------------
def without_measure(db, stand_per: date, settings: WeekSettings,
                    area_frame: pl.DataFrame | None = None) -> list[Item]:
    term = settings.termijn_maatregel_dagen
    frame = db.query("week/zonder_maatregel", stand_per=stand_per,
                     venster_vanaf=window_start(stand_per, settings),
                     termijn_tot=stand_per - timedelta(days=term + 1),
                     problemen=list(linkage.PROBLEMS), maatregelen=list(linkage.MEASURES),
                     bibob=list(linkage.BIBOB_REFUSED))
    frame = frame.filter((pl.col("hennepkwekerijen") > 0)
                         | ((pl.col("problemen") >= 2) & (pl.col("problemen") > pl.col("verdachte_transacties"))))
    frame = _attributes(frame, areas(db) if area_frame is None else area_frame)
    out = []
    for r in frame.iter_rows(named=True):
        counts = Counter({b: r[b] for b in linkage.PROBLEMS if r[b]})
        grow = r["hennepkwekerijen"] > 0
        checked = (f"; sindsdien {r['controles_sinds']} controle{'s' if r['controles_sinds'] != 1 else ''} "
                   "zonder maatregel") if r["controles_sinds"] else ""
        line = (f"Adressleutel {linkage.short(r['sleutel'])}{_area(r['buurtcode'])}: {_records(counts)} "
                f"sinds {formats.day(r['eerste'])} zonder maatregel of Bibob-weigering "
                f"(termijn {days_text(term)}){checked}{_linked('persoon', r['anderen'])}.")
        explanation = (
            f"{r['problemen']} {'probleem' if r['problemen'] == 1 else 'problemen'} zonder interventie op dit adres, "
            f"het oudste {_ago(stand_per, r['eerste'])} (termijn {days_text(term)}, venster "
            f"{settings.venster_jaren} jaar). Een adres staat hier met een hennepkwekerij zonder maatregel "
            "(prioriteit 1) of met 2 of meer problemen die niet alle verdachte transacties zijn (prioriteit 2). "
            "Score = aantal problemen zonder interventie.")
        theme = "hennep" if grow else (r["soort"] if r["signalen"] and not r["verdachte_transacties"] else None)
        out.append(Item(
            id=f"zonder_maatregel:{r['sleutel']}", kind="zonder_maatregel", priority=1 if grow else 2,
            score=float(r["problemen"]), since=r["eerste"] + timedelta(days=term), latest=r["laatste"],
            line=line, explanation=explanation, wijk=r["wijkcode"], buurt=r["buurtcode"],
            focus=tuple(r["focus"]), theme=theme,
            links=tuple([linkage.short(r["sleutel"]), *(linkage.short(k) for k in r["anderen"])]
                        + ([r["buurtcode"]] if r["buurtcode"] else []))))
    return out


# ---------------------------------------------------------------------------------------
# d. signals not answered in time
# ---------------------------------------------------------------------------------------
def unanswered(db, stand_per: date, settings: WeekSettings,
               area_frame: pl.DataFrame | None = None) -> list[Item]:
    term = settings.termijn_terugkoppeling_dagen
    frame = db.query("week/onbeantwoord", venster_vanaf=window_start(stand_per, settings),
                     termijn_tot=stand_per - timedelta(days=term + 1))
    frame = _attributes(frame, areas(db) if area_frame is None else area_frame)
    out = []
    for r in frame.iter_rows(named=True):
        age = (stand_per - r["ontvangen"]).days
        status = r["status"] or "onbekend"
        if r["doorgezet_naar"]:
            status = (f"doorgezet naar {r['doorgezet_naar']}" if status == "doorgezet"
                      else f"{status}, doorgezet naar {r['doorgezet_naar']}")
        at = f" op adressleutel {linkage.short(r['adres_sleutel'])}" if r["adres_sleutel"] else ""
        line = (f"Signaal {r['signaalnummer']} ({r['thema'] or 'thema onbekend'}){at}{_area(r['buurtcode'])}, "
                f"ontvangen {formats.day(r['ontvangen'])}: na {days_text(age)} geen terugkoppeling aan de "
                f"melder (termijn {days_text(term)}); status {status}.")
        explanation = (
            f"{days_text(age - term)} over de termijn van {days_text(term)} voor terugkoppeling aan een "
            "melder die niet anoniem meldde; het signaal is niet afgesloten. Score = dagen over de termijn.")
        out.append(Item(
            # Never the partner's record number in the id: ids are stored (follow-up, audit).
            id=f"onbeantwoord:{r['adres_sleutel'] or r['buurtcode'] or 'onbekend'}:{r['ontvangen']:%Y-%m-%d}:"
               f"{r['thema'] or 'onbekend'}", kind="onbeantwoord", priority=2,
            score=float(age - term), since=r["ontvangen"] + timedelta(days=term), latest=r["ontvangen"],
            line=line, explanation=explanation, wijk=r["wijkcode"], buurt=r["buurtcode"],
            focus=tuple(r["focus"]), theme=r["thema"],
            links=tuple(([linkage.short(r["adres_sleutel"])] if r["adres_sleutel"] else [])
                        + ([r["buurtcode"]] if r["buurtcode"] else []))))
    return out


# ---------------------------------------------------------------------------------------
# e. late deliveries
# ---------------------------------------------------------------------------------------
def late_deliveries(late: Iterable[Delivery]) -> list[Item]:
    out = []
    for d in late:
        if not d.late:
            continue
        explanation = (f"{days_text(d.days_late)} te laat: verwacht uiterlijk {formats.day(d.due)} "
                       f"({d.plan}), coulance {days_text(d.grace)}. Prioriteit 2 vanaf "
                       f"{LATE_PRIORITY_DAYS} dagen te laat. Score = dagen te laat.")
        out.append(Item(
            id=f"levering:{d.source}", kind="levering",
            priority=2 if d.days_late >= LATE_PRIORITY_DAYS else 3, score=float(d.days_late),
            since=d.due, latest=d.last or d.due, line=d.line + ".", explanation=explanation))
    return out


# ---------------------------------------------------------------------------------------
# the list
# ---------------------------------------------------------------------------------------
_KIND_ORDER = {k: i for i, k in enumerate(KINDS)}


def order(found: Iterable[Item]) -> list[Item]:
    """Priority, then kind (KINDS order), then score (higher first), then latest (newer
    first), then id."""
    return sorted(found, key=lambda i: (i.priority, _KIND_ORDER[i.kind], -i.score,
                                        -i.latest.toordinal(), i.id))


FROM_DATABASE = "uit de database"      # items(db): the stand per of the database's meta


def data_items(db, stand_per: date, settings: WeekSettings) -> list[Item]:
    """The kinds that depend on the data and [week] only (not on the clock), unordered."""
    area_frame = areas(db)
    return (known_keys(db, stand_per, settings, area_frame) + rises(db, stand_per, settings)
            + without_measure(db, stand_per, settings, area_frame) + unanswered(db, stand_per, settings, area_frame))


# ---------------------------------------------------------------------------------------
# the list stored at load (etl/week_list.py, issue 17)
# ---------------------------------------------------------------------------------------
# `data_items` reads every event in the window: at ×1000 6.9 s and 1.9 GB, which the server
# paid once per publication. The ETL stores them in the new database with the stand per and
# [week] they were made with; `items` takes them from there when both still hold, and
# computes them as before when not (settings changed since the load, an older database).
# Item field → (column of the stored list, its type).
STORED = {"id": ("id", pl.String), "kind": ("soort", pl.String), "priority": ("prioriteit", pl.Int64),
          "score": ("score", pl.Float64), "since": ("sinds", pl.Date), "latest": ("laatste", pl.Date),
          "line": ("regel", pl.String), "explanation": ("uitleg", pl.String), "wijk": ("wijkcode", pl.String),
          "buurt": ("buurtcode", pl.String), "focus": ("focus", pl.List(pl.String)), "theme": ("thema", pl.String),
          "links": ("koppelingen", pl.List(pl.String))}


def stand_per_of(db) -> date | None:
    """The data's stand per as the database's meta records it (None: no events yet)."""
    frame = db.query("meta")
    return frame["stand_per"][0] if frame.height else None


def settings_stamp(settings: WeekSettings) -> str:
    """[week] as stored beside the list: a list made with other settings is not used."""
    return json.dumps(asdict(settings), sort_keys=True)


def as_frame(found: Iterable[Item]) -> pl.DataFrame:
    """Items as the rows of the stored list (`stored_items` reads them back)."""
    return pl.DataFrame([{STORED[f.name][0]: getattr(item, f.name) for f in fields(Item)} for item in found],
                        schema=dict(STORED.values()))


def stored_items(db, stand_per: date, settings: WeekSettings) -> list[Item] | None:
    """The list the ETL stored, when it was made on `stand_per` with `settings`; else None."""
    if not db.query("week/lijst_aanwezig").height:
        return None                   # a database built before the list was stored at load
    built = db.query("week/lijst_bouw")
    if built.height != 1 or built["stand_per"][0] != stand_per or built["instellingen"][0] != settings_stamp(settings):
        return None
    names = {column: name for name, (column, _) in STORED.items()}
    return [Item(**{names[c]: tuple(v or ()) if c in ("focus", "koppelingen") else v for c, v in row.items()})
            for row in db.query("week/lijst").iter_rows(named=True)]


def items(db, stand_per: date | None | str = FROM_DATABASE, settings: WeekSettings | None = None,
          late: Iterable[Delivery] = ()) -> list[Item]:
    """The work list on the data's `stand_per`: every kind, ordered (`order`). `db` is
    anything with `.query(name, **params) -> polars` over the served database
    (queries.Served, queries.OnConnection); `stand_per` the data's stand per (meta), read
    from `db` when not given; `settings` [week] of gemeente.toml (config.week()) when not
    given; `late` the deliveries.status of the sources (only the late ones become items).
    Without a stand per (an empty database) only the late deliveries. The kinds that do not
    depend on the clock come from the list stored at load when it matches (`stored_items`)."""
    if stand_per is FROM_DATABASE:
        stand_per = stand_per_of(db) if db is not None else None
    settings = config.week() if settings is None else settings
    found = late_deliveries(late)
    if stand_per is not None:
        stored = stored_items(db, stand_per, settings)
        found += stored if stored is not None else data_items(db, stand_per, settings)
    return order(found)
