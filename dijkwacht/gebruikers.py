"""Manage local accounts: python -m dijkwacht.gebruikers {toevoegen,verwijderen,lijst,wachtwoord,vrijgeven,demo}.

Exit codes: 0 done, 1 refused (e.g. the account exists, passwords differ), 2 wrong usage.
Passwords are asked at a prompt (getpass) or read from standard input with
--wachtwoord-stdin; they are never written anywhere but the terminal that asked for them
(`demo` prints its generated passwords once, when it creates the accounts). A new password
must pass accounts.password_problem (length, and not a common or repetitive password).
`lijst` shows when sign-ins from unfamiliar clients are slowed down; `vrijgeven` lifts it.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from dijkwacht import access, accounts, config, state

DEMO_ACCOUNTS = tuple((f"{rol}-demo", rol) for rol in access.ROLES)


def _read_password(args: argparse.Namespace) -> str:
    if args.wachtwoord_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("Nieuw wachtwoord: ")
    if getpass.getpass("Herhaal het wachtwoord: ") != first:
        raise accounts.AccountError("De wachtwoorden zijn niet gelijk.")
    return first


def _toevoegen(con, args) -> int:
    if accounts.exists(con, args.naam):
        raise accounts.AccountError(f"Gebruiker {accounts.normalize_name(args.naam)} bestaat al.")
    naam = accounts.add(con, args.naam, args.rol, _read_password(args))
    print(f"Gebruiker {naam} toegevoegd met rol {args.rol}.")
    return 0


def _verwijderen(con, args) -> int:
    if not accounts.remove(con, args.naam):
        raise accounts.AccountError(f"Gebruiker {accounts.normalize_name(args.naam)} bestaat niet.")
    print(f"Gebruiker {accounts.normalize_name(args.naam)} verwijderd; open sessies zijn beëindigd.")
    return 0


def _lijst(con, args) -> int:
    rows = accounts.list_accounts(con)
    if not rows:
        print("Er zijn nog geen gebruikers.")
        return 0
    width = max(len(a.name) for a in rows)
    for a in rows:
        status = (f"vertraagd tot {a.geblokkeerd_tot} (mislukte pogingen)"
                  if a.geblokkeerd_tot else "")
        print(f"{a.name:<{width}}  {a.role:<9}  sinds {a.aangemaakt_op[:10]}  {status}".rstrip())
    return 0


def _wachtwoord(con, args) -> int:
    if not accounts.exists(con, args.naam):
        raise accounts.AccountError(f"Gebruiker {accounts.normalize_name(args.naam)} bestaat niet.")
    accounts.set_password(con, args.naam, _read_password(args))
    print(f"Wachtwoord van {accounts.normalize_name(args.naam)} gewijzigd; "
          "open sessies zijn beëindigd.")
    return 0


def _vrijgeven(con, args) -> int:
    if not accounts.release(con, args.naam):
        raise accounts.AccountError(f"Gebruiker {accounts.normalize_name(args.naam)} bestaat niet.")
    print(f"Wachttijden van {accounts.normalize_name(args.naam)} opgeheven.")
    return 0


def _served_is_real() -> bool:
    """True when the served database exists and is not the demo: no demo accounts there."""
    from dijkwacht import queries
    path = config.db_path()
    if not path.exists():
        return False
    con = queries.open_hardened(path)
    try:
        row = con.sql("SELECT demo FROM meta").fetchall()
    finally:
        con.close()
    return not (row and row[0][0])


def _demo(con, args) -> int:
    """One account per role; the passwords are shown once, only when they are made."""
    if _served_is_real():
        print("De database bevat echte gegevens: geen demo-accounts aangemaakt.")
        return 0
    created = []
    for naam, rol in DEMO_ACCOUNTS:
        if not accounts.exists(con, naam):
            wachtwoord = accounts.random_password()
            accounts.add(con, naam, rol, wachtwoord)
            created.append((naam, rol, wachtwoord))
    if created:
        print("Demo-accounts aangemaakt. Deze wachtwoorden worden maar één keer getoond:")
        for naam, rol, wachtwoord in created:
            print(f"  {naam:<16} rol {rol:<9}  wachtwoord: {wachtwoord}")
        print("Vergeten? python -m dijkwacht.gebruikers wachtwoord NAAM")
    else:
        print("Demo-accounts bestaan al (" + ", ".join(n for n, _ in DEMO_ACCOUNTS) + ").")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with a Dutch help option and a Dutch error line (exit code 2)."""

    def __init__(self, *args, **kwargs):
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="toon deze hulp en stop")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"Fout: verkeerd gebruik ({message}). Zie --help.\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m dijkwacht.gebruikers",
                description="Beheer de lokale accounts van Dijkwacht.")
    p.add_argument("--state", type=Path, default=None,
                   help="pad naar state.sqlite (standaard naast de database)")
    sub = p.add_subparsers(dest="opdracht", required=True, metavar="OPDRACHT",
                         parser_class=_Parser)

    add = sub.add_parser("toevoegen", help="nieuwe gebruiker")
    add.add_argument("naam")
    add.add_argument("--rol", required=True, choices=access.ROLES)
    add.add_argument("--wachtwoord-stdin", action="store_true",
                     help="lees het wachtwoord van standaardinvoer (voor scripts)")
    add.set_defaults(handler=_toevoegen)

    rm = sub.add_parser("verwijderen", help="gebruiker verwijderen")
    rm.add_argument("naam")
    rm.set_defaults(handler=_verwijderen)

    ls = sub.add_parser("lijst", help="alle gebruikers")
    ls.set_defaults(handler=_lijst)

    pw = sub.add_parser("wachtwoord", help="nieuw wachtwoord instellen")
    pw.add_argument("naam")
    pw.add_argument("--wachtwoord-stdin", action="store_true",
                    help="lees het wachtwoord van standaardinvoer (voor scripts)")
    pw.set_defaults(handler=_wachtwoord)

    free = sub.add_parser("vrijgeven", help="wachttijd na mislukte pogingen opheffen")
    free.add_argument("naam")
    free.set_defaults(handler=_vrijgeven)

    demo = sub.add_parser("demo", help="één demo-account per rol (idempotent)")
    demo.set_defaults(handler=_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)   # exits 2 on wrong usage
    con = state.connect(args.state or config.state_path())
    try:
        return args.handler(con, args)
    except accounts.AccountError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\nAfgebroken.", file=sys.stderr)
        return 1
    finally:
        con.close()


if __name__ == "__main__":
    sys.exit(main())
