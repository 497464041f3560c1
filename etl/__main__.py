"""python -m etl — load partner exports into the served database.

  python -m etl                      load data/inbox/ (not its subfolders)
  python -m etl FILE_OR_FOLDER ...   load those
  python -m etl --demo               load the demo exports in data/demo/
  python -m etl --watch [FOLDER]     keep loading what arrives in the inbox
  python -m etl --terugdraaien       put the previous published database back
Exit 0: no file rejected; 1: a file was rejected; 2: usage error.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dijkwacht import config
from dijkwacht.sources import SOURCES
from etl.load import UsageError, files_in, report_json, run


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2, as JSON when asked for
        raise UsageError(message)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m etl", description="Laad partnerbestanden in Dijkwacht.")
    p.add_argument("paden", nargs="*", type=Path, help="bestanden of mappen (standaard data/inbox/)")
    p.add_argument("--demo", action="store_true", help="laad de demobestanden uit data/demo/")
    p.add_argument("--db", type=Path, help="de gepubliceerde database (standaard data/dijkwacht.duckdb)")
    p.add_argument("--source", choices=None, help=f"forceer de bron ({', '.join(SOURCES)})")
    p.add_argument("--json", action="store_true", help="rapport als één JSON-object op stdout")
    p.add_argument("--watch", action="store_true",
                   help="bewaak de inbox (of de opgegeven map) en laad nieuwe bestanden")
    p.add_argument("--terugdraaien", action="store_true", help="zet de vorige gepubliceerde database terug")
    return p


def human(reports) -> str:
    lines = []
    for r in reports:
        head = f"{r.file}: {r.status}"
        if r.status == "loaded":
            head += (f" ({r.source}) — {r.rows_in} rijen in, {r.loaded} geladen"
                     f" (waarvan {r.replaced} vervangen), {r.quarantined} in quarantaine")
        elif r.message:
            head += f" — {r.message}"
        lines.append(head)
        if r.unknown_columns:
            lines.append(f"    onbekende kolommen (genegeerd): {', '.join(r.unknown_columns)}")
        lines += [f"    waarschuwing: {w}" for w in r.warnings]
        preview = getattr(r, "quarantine_preview", [])
        for line, column, rule, value in preview:
            shown = "" if value is None else f" (waarde: {value})"
            lines.append(f"    quarantaine: {Path(r.file).name} regel {line}, kolom {column}: {rule}{shown}")
        if len(preview) >= 20:
            lines.append("    … meer in de quarantaine (pagina Data)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    as_json = "--json" in argv
    try:
        args = parser().parse_args(argv)
        if args.watch or args.terugdraaien:
            return _watch_or_roll_back(args)
        paths = list(args.paden)
        # The default folders may be links onto another disk (the operator's choice); they are
        # resolved once. Links inside them, and links named on the command line, are refused.
        if args.demo and not paths:
            reports = _demo_in_two_deliveries(args.db)
        else:
            paths = paths or [Path(os.path.realpath(config.INBOX_DIR))]
            reports = run(paths, args.db, demo=args.demo, forced=args.source)
    except UsageError as exc:
        print(report_json([], str(exc)) if as_json else f"fout: {exc}", file=sys.stdout if as_json else sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 — publication failed: the served database is unchanged
        message = f"laden mislukt ({type(exc).__name__}); de gepubliceerde database is ongewijzigd"
        print(report_json([], message) if as_json else f"fout: {message}", file=sys.stdout if as_json else sys.stderr)
        return 1
    print(report_json(reports) if as_json else human(reports))
    return 1 if any(r.status == "rejected" for r in reports) else 0


def _demo_in_two_deliveries(db: Path | None) -> list:
    """The demo as two publications: the event exports, then the ownership extract (a
    delivery of its own). So a new demo keeps one previous version, and rollback on the Data
    page has something to return to (issue 22)."""
    folder = Path(os.path.realpath(config.DEMO_DIR))
    last = sorted(folder.glob(f"{DEMO_LAST_DELIVERY}*"))
    first = [p for p in files_in([folder]) if p not in last]
    return run(first, db, demo=True) + (run(last, db, demo=True) if last else [])


DEMO_LAST_DELIVERY = "eigendommen"


def _watch_or_roll_back(args) -> int:
    if args.terugdraaien:
        from etl.publish import NothingToRollBack, roll_back
        try:
            restored = roll_back(args.db)
        except NothingToRollBack as exc:
            print(f"fout: {exc}", file=sys.stderr)
            return 1
        print(f"teruggedraaid naar de versie van load {restored}")
        return 0
    from etl.inbox import watch
    if len(args.paden) > 1:
        raise UsageError("--watch bewaakt één map")
    try:
        watch(args.paden[0] if args.paden else None, args.db, say=lambda m: print(m, flush=True))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
