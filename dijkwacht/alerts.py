"""Alerts on the week's work list (issue 18, item 3): the sidebar's badge and a daily digest.

Rules in `[meldingen]` of data/gemeente.toml (`config.meldingen()`): the kinds that alert,
the lowest priority that still alerts, the dashboard link for the mail, and whether the
daily digest is sent. `badge(open_items)` counts the open items that match (the sidebar).

The digest is one plain-text e-mail in Dutch over SMTP ([smtp] in .streamlit/secrets.toml,
`config.smtp()`): counts per kind, per wijk and per focus area, how many nobody has taken up
yet and how many came back after handling, and the link. Never keys, addresses, names or
item ids: the mail leaves the municipality's controlled environment, so it holds only what
the items' kind labels and area names say, and `check_clean` refuses to send a body that
contains an item id or a key. Each digest sent is an audit row (action "export", object
"dagelijkse samenvatting", the body's SHA-256).

    python -m dijkwacht.alerts digest [--db PATH] [--state PATH] [--toon] [--altijd]

run daily by deploy/dijkwacht-meldingen.timer. Exit 0: sent, nothing to report or the digest
is off (`[meldingen] digest = false`; `--altijd` sends anyway); 1: sending failed; 2: the
settings or the database are wrong. `--toon` prints the mail and sends nothing.

Pure Python (no Streamlit, no ETL). The CLI's items come from one function, `load_items`
(the work list of dijkwacht.week over the served database); the app passes its own.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import re
import smtplib
import ssl
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from dijkwacht import audit, clock, config, followup, formats, state, week

ZONE = ZoneInfo("Europe/Amsterdam")
CITY = "Hele stad (geen wijk)"
DIGEST_OBJECT = "dagelijkse samenvatting"
DIGEST_ACTOR = "meldingen"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
SMTP_TIMEOUT = 30
# Anything that looks like a pseudonymous key (hex, as linkage shows them and longer).
_KEYLIKE = re.compile(r"[0-9a-f]{%d,}" % followup.KEY_SHOWN, re.IGNORECASE)
_LOG = logging.getLogger("dijkwacht.alerts")


class DigestError(Exception):
    """The digest could not be made or sent; the message is Dutch and never holds a password."""


def rules() -> config.Meldingen:
    """The alert rules, with every kind checked against week.KINDS (MeldingenError naming the
    key otherwise)."""
    found = config.meldingen()
    unknown = [k for k in found.soorten if k not in week.KINDS]
    if unknown:
        raise config.MeldingenError(f"gemeente.toml: [meldingen] soorten: onbekende soort {unknown[0]!r} "
                                    f"(bekend zijn {', '.join(week.KINDS)})")
    return found


def _item(entry: Any) -> Any:
    """An item, from an item or an (item, follow-up) pair as followup.open_items gives."""
    return entry[0] if isinstance(entry, tuple) else entry


def _pair(entry: Any) -> tuple[Any, followup.FollowUp | None]:
    return entry if isinstance(entry, tuple) else (entry, None)


def alerting(item: Any, found: config.Meldingen) -> bool:
    return item.kind in found.soorten and item.priority <= found.minimale_prioriteit


def matching(items_open: Iterable[Any], found: config.Meldingen | None = None) -> list[Any]:
    """The open items (or (item, follow-up) pairs) the rules alert on, as given, in order."""
    found = found or rules()
    return [entry for entry in items_open if alerting(_item(entry), found)]


def badge(items_open: Iterable[Any], found: config.Meldingen | None = None) -> int:
    """How many open items match the alert rules: the number on the sidebar's badge.
    `items_open`: the open items (or followup.open_items' pairs), not the handled ones."""
    return len(matching(items_open, found))


# --- the digest ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    total: int
    untouched: int                               # no follow-up yet (or status "nieuw")
    returned: int                                # handled before; something new happened since
    per_kind: tuple[tuple[str, int], ...]        # (label, count), week.KINDS' order
    per_wijk: tuple[tuple[str, int], ...]        # (wijk name, count), most first
    per_focus: tuple[tuple[str, int], ...]       # (focus area, count), most first


def counts(entries: Sequence[Any], wijk_names: Mapping[str, str] | None = None) -> Counts:
    """Counts of the (already matching) open items or (item, follow-up) pairs; labels only
    from week.KINDS, wijk names and focus-area names."""
    pairs = [_pair(e) for e in entries]
    items = [it for it, _ in pairs]
    names = dict(wijk_names or {})
    kinds = Counter(it.kind for it in items)
    wijken = Counter(names.get(it.wijk, it.wijk) if it.wijk else CITY for it in items)
    focus = Counter(area for it in items for area in dict.fromkeys(it.focus))

    def most_first(c: Counter) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(c.items(), key=lambda kv: (kv[0] == CITY, -kv[1], kv[0])))

    return Counts(
        total=len(items),
        untouched=sum(1 for _, f in pairs if f is None or f.status == "nieuw"),
        returned=sum(1 for it, f in pairs if followup.returned(it, f)),
        per_kind=tuple((label, kinds[k]) for k, label in week.KINDS.items() if kinds[k]),
        per_wijk=most_first(wijken),
        per_focus=most_first(focus),
    )


def _punten(n: int) -> str:
    return f"{n} {'punt' if n == 1 else 'punten'}"


def body(c: Counts, found: config.Meldingen, today: date) -> str:
    """The mail's text, in Dutch: counts and the link, nothing else."""
    kinds = ", ".join(week.KINDS[k].lower() for k in found.soorten)
    level = ("prioriteit 1" if found.minimale_prioriteit == 1
             else f"prioriteit 1 tot en met {found.minimale_prioriteit}")
    lines = [
        "Goedemorgen,",
        "",
        f"Op de werklijst van Dijkwacht staan op {formats.day(today)} {_punten(c.total)} open die om "
        f"aandacht vragen ({level}; soorten: {kinds}). Daarvan {'is' if c.untouched == 1 else 'zijn'} "
        f"{c.untouched} nog niet opgepakt"
        + (f" en {'is' if c.returned == 1 else 'zijn'} {c.returned} terug op de lijst (na afhandeling "
           "gebeurde er iets nieuws)." if c.returned else "."),
        "",
        "Per soort:",
        *(f"- {label}: {n}" for label, n in c.per_kind),
        "",
        "Per wijk:",
        *(f"- {name}: {n}" for name, n in c.per_wijk),
    ]
    if c.per_focus:
        lines += ["", "Per aandachtsgebied (een punt kan in meer gebieden liggen):",
                  *(f"- {name}: {n}" for name, n in c.per_focus)]
    lines += [
        "",
        f"Bekijk en verdeel ze in Dijkwacht (na aanmelden): {found.link}",
        "",
        "Deze e-mail noemt bewust geen sleutels, adressen, namen of punten: die staan alleen in "
        "Dijkwacht.",
        "Dijkwacht, dagelijkse samenvatting. Uitzetten: [meldingen] digest = false in gemeente.toml.",
    ]
    return "\n".join(lines) + "\n"


def check_clean(text: str, items: Iterable[Any], link: str = "") -> None:
    """Refuse (DigestError) a text that holds an item id, a linked key or anything key-like.
    The link is the configured one and is left out of the check."""
    plain = text.replace(link, "") if link else text
    for it in items:
        found = [v for v in (it.id, *it.links) if v and _KEYLIKE.search(v) and v in plain]
        if it.id in plain or found:
            raise DigestError("de samenvatting bevat een punt of sleutel van de werklijst en is niet verzonden")
    if _KEYLIKE.search(plain):
        raise DigestError("de samenvatting bevat iets dat op een sleutel lijkt en is niet verzonden")


def message(entries: Sequence[Any], *, found: config.Meldingen, settings: config.Smtp, today: date,
            wijk_names: Mapping[str, str] | None = None) -> EmailMessage:
    """The digest as an e-mail (entries: the matching open items or (item, follow-up) pairs;
    see `matching`)."""
    c = counts(entries, wijk_names)
    text = body(c, found, today)
    check_clean(text, [_item(e) for e in entries], found.link)
    msg = EmailMessage()
    msg["Subject"] = f"Dijkwacht: {_punten(c.total)} op de werklijst ({formats.day(today)})"
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    msg.set_content(text, charset="utf-8")
    return msg


def send(msg: EmailMessage, settings: config.Smtp, timeout: float = SMTP_TIMEOUT) -> None:
    """Send over SMTP: port 465 as implicit TLS, else STARTTLS when `starttls` (certificates
    checked). A user and password only over an encrypted connection (or to this machine).
    DigestError (Dutch; never the password) when it fails."""
    implicit = settings.port == 465
    encrypted = implicit or settings.starttls
    if settings.user and not encrypted and settings.host not in LOCAL_HOSTS:
        raise DigestError("[smtp]: het wachtwoord gaat niet onversleuteld over het netwerk; zet starttls = true "
                          "(of gebruik poort 465)")
    context = ssl.create_default_context()
    try:
        server = (smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context) if implicit
                  else smtplib.SMTP(settings.host, settings.port, timeout=timeout))
        with server:
            if settings.starttls and not implicit:
                server.starttls(context=context)
            if settings.user:
                server.login(settings.user, settings.password or "")
            refused = server.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise DigestError(f"verzenden via {settings.host}:{settings.port} mislukt "
                          f"({type(exc).__name__})") from None
    if refused:
        raise DigestError(f"{len(refused)} ontvanger(s) geweigerd door de mailserver")


# --- the CLI ---------------------------------------------------------------------------------

def load_items(db: Path) -> list[Any]:
    """The work list's items over the served database `db`, as the app makes them (its stand
    per, [week] of gemeente.toml, the late deliveries today): the CLI's one item source (tests
    replace it). The app hands its own items to `badge`."""
    from dijkwacht import deliveries, queries
    served = queries.served(db)
    try:
        schedule = config.aanlevering()
    except config.ScheduleError as exc:      # the other kinds still count
        _LOG.warning("aanleverschema niet te lezen, geen leveringen in de samenvatting: %s", exc)
        schedule = ()
    last = deliveries.last_deliveries(served.query("bronstand").iter_rows(named=True))
    late = deliveries.status(schedule, last, deliveries.today())
    return list(week.items(served, late=late))


def wijk_names(db: Path) -> dict[str, str]:
    """Wijk code → name from the served database (empty when it cannot be read)."""
    from dijkwacht import queries
    try:
        frame = queries.served(db).query("wijken_lijst")
    except Exception:  # noqa: BLE001 — names are a nicety: codes still count
        _LOG.warning("wijknamen niet te lezen; de samenvatting noemt wijkcodes")
        return {}
    return dict(zip(frame["wijkcode"].to_list(), frame["naam"].to_list()))


def today() -> date:
    return clock.now().astimezone(ZONE).date()


def digest(db: Path, state_file: Path, *, show: bool = False, always: bool = False,
           out=print) -> int:
    """`python -m dijkwacht.alerts digest`: returns the exit code."""
    try:
        found = rules()
    except config.MeldingenError as exc:
        out(f"meldingen: {exc}", file=sys.stderr)
        return 2
    if not found.digest and not (always or show):
        out("De dagelijkse samenvatting staat uit ([meldingen] digest = false in gemeente.toml).")
        return 0
    if not Path(db).exists():
        out(f"geen database: {db}", file=sys.stderr)
        return 2
    try:
        settings = config.smtp()
    except config.MeldingenError as exc:
        if not show:
            out(f"meldingen: {exc}", file=sys.stderr)
            return 2
        settings = config.Smtp(host="(niet ingesteld)", port=25, user=None, password=None,
                               sender="dijkwacht@localhost", to=("oov@localhost",), starttls=False)
    try:
        items = load_items(Path(db))
        with state.opened(state_file) as con:
            pairs = followup.open_items(items, followup.current(con))
        alerts = matching(pairs, found)
        if not alerts:
            out("Niets te melden: geen open punten die aan de meldregels voldoen.")
            return 0
        day = today()
        msg = message(alerts, found=found, settings=settings, today=day, wijk_names=wijk_names(Path(db)))
        if show:
            out(msg.as_string())
            return 0
        send(msg, settings)
    except DigestError as exc:
        out(f"samenvatting niet verzonden: {exc}", file=sys.stderr)
        return 1
    text = msg.get_content().encode("utf-8")
    try:
        audit.record("export", actor=DIGEST_ACTOR, herkomst="cli", object=DIGEST_OBJECT, rijen=len(alerts),
                     export_sha256=audit.sha256(text), filters={"ontvangers": len(settings.to)},
                     path=state_file)
    except Exception:  # noqa: BLE001 — the mail is out; a missing row is logged loudly
        _LOG.exception("verzonden samenvatting niet in het auditlogboek")
    out(f"Samenvatting verzonden aan {len(settings.to)} ontvanger(s): {_punten(len(alerts))} "
        f"(sha256 {hashlib.sha256(text).hexdigest()[:12]}).")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dijkwacht.alerts",
                                     description="Meldingen van de werklijst van Dijkwacht.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("digest", help="verstuur de dagelijkse samenvatting per e-mail ([meldingen], [smtp])")
    d.add_argument("--db", type=Path, help="pad naar de geserveerde database (standaard DIJKWACHT_DB)")
    d.add_argument("--state", type=Path, help="pad naar state.sqlite (standaard naast de database)")
    d.add_argument("--toon", action="store_true", help="toon de e-mail en verstuur niets")
    d.add_argument("--altijd", action="store_true", help="ook versturen als [meldingen] digest = false")
    args = parser.parse_args(argv)
    db = args.db or config.db_path()
    state_file = args.state or config.state_path(db if args.db else None)
    return digest(db, state_file, show=args.toon, always=args.altijd)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(main())
