"""Where things are and which municipality this is.

Everything Dordrecht-specific lives in `data/gemeente.toml` and the files it names;
environment variables override paths so tests and servers can point elsewhere.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
DEMO_DIR = DATA_DIR / "demo"
INBOX_DIR = Path(os.environ.get("DIJKWACHT_INBOX", DATA_DIR / "inbox"))   # tests and servers point elsewhere
ARCHIVE_DIR = DATA_DIR / "archief"
SCHEMA_SQL = Path(__file__).with_name("schema.sql")
STATE_SQL = Path(__file__).with_name("state.sql")
SQL_DIR = Path(__file__).with_name("sql")

# The demo's own pseudonym key. Public on purpose: the demo data is synthetic, and the
# database remembers it is a demo so real files can never be keyed with it.
DEMO_KEY = b"dijkwacht-demo-sleutel-niet-voor-echte-gegevens"
KEY_ENV = "DIJKWACHT_PSEUDONIEM_SLEUTEL"


@dataclass(frozen=True)
class Gemeente:
    naam: str
    cbs_code: str
    buurten: Path
    wijken: Path
    gemeente: Path
    kerncijfers: Path
    buurtcodes: Path
    gebieden: Path
    bronvermelding: str
    retentie_ruwe_bestanden_dagen: int
    retentie_detail_dagen: int
    basiskaart: str

    @property
    def code_digits(self) -> str:
        """'GM0505' → '0505', the part that buurt and wijk codes share."""
        return self.cbs_code[2:]


def _config_file() -> Path:
    return Path(os.environ.get("DIJKWACHT_GEMEENTE", DATA_DIR / "gemeente.toml"))


@lru_cache(maxsize=4)
def _load(path: Path) -> Gemeente:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    base = path.parent
    geo, bew = raw["geo"], raw.get("bewaartermijnen", {})
    return Gemeente(
        naam=raw["gemeente"]["naam"],
        cbs_code=raw["gemeente"]["cbs_code"],
        buurten=base / geo["buurten"],
        wijken=base / geo["wijken"],
        gemeente=base / geo["gemeente"],
        kerncijfers=base / geo["kerncijfers"],
        buurtcodes=base / geo["buurtcodes"],
        gebieden=base / geo["gebieden"],
        bronvermelding=geo.get("bronvermelding", "Bron: CBS, Kadaster"),
        retentie_ruwe_bestanden_dagen=int(bew.get("ruwe_bestanden_dagen", 30)),
        retentie_detail_dagen=int(bew.get("detail_dagen", 0)),
        basiskaart=os.environ.get("DIJKWACHT_BASISKAART", raw.get("kaart", {}).get("basiskaart", "pdok")),
    )


def gemeente() -> Gemeente:
    return _load(_config_file())


def setting(section: str, key: str, default):
    """One value from data/gemeente.toml ([section] key), or `default`."""
    with open(_config_file(), "rb") as fh:
        return tomllib.load(fh).get(section, {}).get(key, default)


def toekomst_marge_dagen() -> int:
    """[laden] toekomst_marge_dagen: a row dated more than this many days after the load date
    is quarantined (planned activities too); 7 when the file does not say."""
    with open(_config_file(), "rb") as fh:
        return int(tomllib.load(fh).get("laden", {}).get("toekomst_marge_dagen", 7))


def db_path() -> Path:
    return Path(os.environ.get("DIJKWACHT_DB", DATA_DIR / "dijkwacht.duckdb"))


def state_path(db: Path | None = None) -> Path:
    """The state database sits beside the served database unless configured elsewhere."""
    if os.environ.get("DIJKWACHT_STATE"):
        return Path(os.environ["DIJKWACHT_STATE"])
    return (db or db_path()).with_name("state.sqlite")


def _secrets_value(name: str) -> str | None:
    """Read [dijkwacht] NAME from .streamlit/secrets.toml without importing streamlit."""
    path = ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return None
    with open(path, "rb") as fh:
        return tomllib.load(fh).get("dijkwacht", {}).get(name)


def pseudonym_key() -> bytes | None:
    """The municipality's pseudonym key, or None when none is configured. Its strength is
    checked where it is used for real data (`key_problem`, etl.load.run)."""
    value = _credential("pseudoniem-sleutel") or os.environ.get(KEY_ENV) or _secrets_value("pseudoniem_sleutel")
    return value.encode() if value else None


def _credential(name: str) -> str | None:
    """A systemd credential (`LoadCredential=` in deploy/dijkwacht-inbox.service): the key
    reaches only the process that loads files, never through its environment."""
    folder = os.environ.get("CREDENTIALS_DIRECTORY")
    if not folder:
        return None
    try:
        value = (Path(folder) / name).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return value or None


# --- the key-strength rule (issue 23 item 3) -----------------------------------------------
# A real key is at least KEY_MIN_LENGTH characters and zxcvbn (Dropbox's estimator: it
# finds repeats, sequences, keyboard walks, dates and dictionary words, here also the
# project's own words) estimates at least KEY_MIN_BITS bits of guessing work. zxcvbn counts
# an unrecognised character as ~3.3 bits, so a random key needs about 40 characters; the
# advised `secrets.token_urlsafe(48)` has 64 (384 bits). Examples from the documentation
# and the demo key are refused by name.
KEY_MIN_LENGTH = 32
KEY_MIN_BITS = 128
KEY_ESTIMATE_CHARS = 256            # longer keys are judged on their first 256 characters
KEY_ADVICE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
KNOWN_KEYS = frozenset({DEMO_KEY, b"probeer-sleutel", b"test-sleutel", b"geheim", b"sleutel"})
_KEY_WORDS = ("dijkwacht", "pseudoniem", "pseudoniemsleutel", "sleutel", "geheim", "wachtwoord",
              "gemeente", "dordrecht", "ondermijning", "probeer", "proef", "demo", "test", "echte",
              "gegevens", "niet", "voor", "riec", "politie")


def key_bits(key: bytes) -> float:
    """zxcvbn's estimate of the guessing work for `key`, in bits."""
    from zxcvbn import zxcvbn

    text = key.decode("utf-8", errors="replace")[:KEY_ESTIMATE_CHARS]
    words = list(_KEY_WORDS) + [w for w in (_municipality_name(),) if w]
    result = zxcvbn(text, user_inputs=words, max_length=KEY_ESTIMATE_CHARS)
    return float(result["guesses_log10"]) * 3.321928094887362   # log2(10)


def _municipality_name() -> str | None:
    try:
        return gemeente().naam.lower()
    except (OSError, KeyError, ValueError):
        return None


def key_problem(key: bytes | None) -> str | None:
    """Why `key` may not key real data (Dutch, for the user), or None when it may.
    Never repeats the key itself. (Judged once per key and process: a load asks per file.)"""
    return _key_problem(bytes(key)) if key else _key_problem(b"")


@lru_cache(maxsize=4)
def _key_problem(key: bytes) -> str | None:
    how = f"Maak een nieuwe sleutel met: {KEY_ADVICE}"
    if not key:
        return f"er is geen pseudoniemsleutel ingesteld ({KEY_ENV}). {how}"
    if key in KNOWN_KEYS or key.strip() in KNOWN_KEYS:
        return ("de pseudoniemsleutel is een voorbeeld- of demosleutel en mag nooit echte gegevens "
                f"sleutelen. {how}")
    length = len(key.decode("utf-8", errors="replace"))
    if length < KEY_MIN_LENGTH:
        tekens = "teken" if length == 1 else "tekens"
        return (f"de pseudoniemsleutel is te kort ({length} {tekens}; minstens {KEY_MIN_LENGTH} "
                f"willekeurige tekens). {how}")
    bits = key_bits(key)
    if bits < KEY_MIN_BITS:
        return (f"de pseudoniemsleutel is te voorspelbaar (geschat {bits:.0f} bits; minstens "
                f"{KEY_MIN_BITS} nodig — herhalingen, woorden en reeksen tellen nauwelijks mee). {how}")
    return None


# --- the key's check value (issue 23 item 3) -------------------------------------------------
# The database stores HMAC-SHA256(key, label): without the key it reveals nothing, and with
# the strength rule above guessing the key from it is out of reach. The label holds lower
# case letters and NUL bytes, so it is never an identifier or address message (those are
# upper-cased or contain '|'): the check value never equals a stored key. Databases from
# before carry the old unsalted fingerprint (16 hex digits of SHA-256); it is still accepted
# for the same key (`key_matches`), and the next publication replaces it with the check
# value (etl.load._refresh_meta writes `key_fingerprint`).
FINGERPRINT_VERSION = "v2"
_CHECK_LABEL = b"dijkwacht\x00sleutelcontrole\x00v2"


def key_fingerprint(key: bytes) -> str:
    """The key's check value as stored in the database's meta ('v2:' + HMAC hex)."""
    return f"{FINGERPRINT_VERSION}:" + hmac.new(key, _CHECK_LABEL, hashlib.sha256).hexdigest()


def legacy_key_fingerprint(key: bytes) -> str:
    """The fingerprint databases built before issue 23 carry (unsalted, fast: replaced)."""
    return hashlib.sha256(b"dijkwacht-vingerafdruk|" + key).hexdigest()[:16]


def key_matches(stored: str | None, key: bytes) -> bool:
    """Whether `key` is the key a database with fingerprint `stored` was built with."""
    if not stored:
        return False
    if stored.startswith(FINGERPRINT_VERSION + ":"):
        return hmac.compare_digest(stored, key_fingerprint(key))
    return hmac.compare_digest(stored, legacy_key_fingerprint(key))


def fingerprint_is_legacy(stored: str | None) -> bool:
    return bool(stored) and not stored.startswith(FINGERPRINT_VERSION + ":")


@dataclass(frozen=True)
class Sessies:
    """Session and account-lock terms ([sessies] in gemeente.toml)."""
    inactief_minuten: dict[str, int]   # idle timeout per role
    maximaal_uren: float               # absolute session lifetime
    blokkeren_na_pogingen: int
    blokkade_minuten: float

    def idle_minutes(self, role: str) -> int:
        # The shortest term for a role the file does not name: fail towards logging out.
        return self.inactief_minuten.get(role, min(self.inactief_minuten.values()))


@lru_cache(maxsize=4)
def _load_sessies(path: Path) -> Sessies:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh).get("sessies", {})
    return Sessies(
        inactief_minuten={
            "bestuur": int(raw.get("inactief_minuten_bestuur", 30)),
            "analist": int(raw.get("inactief_minuten_analist", 15)),
            "beheerder": int(raw.get("inactief_minuten_beheerder", 15)),
        },
        maximaal_uren=float(raw.get("maximaal_uren", 12)),
        blokkeren_na_pogingen=int(raw.get("blokkeren_na_pogingen", 5)),
        blokkade_minuten=float(raw.get("blokkade_minuten", 15)),
    )


def sessies() -> Sessies:
    return _load_sessies(_config_file())


def sign_in_mode() -> str:
    """"lokaal" (accounts in state.sqlite, the default) or "oidc" (st.login).

    DIJKWACHT_AANMELDEN overrides [dijkwacht] aanmelden in .streamlit/secrets.toml.
    Anything else than "oidc" means local accounts.
    """
    value = os.environ.get("DIJKWACHT_AANMELDEN") or _secrets_value("aanmelden") or "lokaal"
    return "oidc" if str(value).strip().lower() == "oidc" else "lokaal"


def oidc_roles_path() -> Path:
    """The reviewed file mapping OIDC identities to roles."""
    return Path(os.environ.get("DIJKWACHT_OIDC_ROLLEN", DATA_DIR / "oidc-rollen.csv"))


# --- the delivery schedule ([aanlevering] in gemeente.toml; dijkwacht/deliveries.py) ---------
# Read strictly: a key the code does not know, a source that does not exist or a value out of
# range stops with a Dutch message naming the key, rather than quietly tracking nothing (a
# typo in `dag_van_de_maand` must not make a late partner look on time).
SCHEDULE_KEYS = ("partner", "elke_dagen", "dag_van_de_maand", "coulance_dagen", "vanaf")
MAX_INTERVAL_DAYS = 366
MAX_GRACE_DAYS = 60


class ScheduleError(ValueError):
    """The [aanlevering] section of gemeente.toml is wrong; the message (Dutch) names the key."""


@dataclass(frozen=True)
class Aanlevering:
    """When one source is expected: every `elke_dagen` days after the last delivery, or every
    month by day `dag_van_de_maand` (exactly one of the two is set)."""
    bron: str
    partner: str
    elke_dagen: int | None
    dag_van_de_maand: int | None
    coulance_dagen: int
    vanaf: date


def _whole(value, where: str, low: int, high: int) -> int:
    # TOML booleans are Python ints: true is not a number of days.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ScheduleError(f"{where} moet een geheel getal van {low} tot en met {high} zijn, niet {value!r}")
    return value


def _day(value, where: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ScheduleError(f"{where} moet een datum zijn zoals 2026-01-01, niet {value!r}")
    return value


@lru_cache(maxsize=4)
def _load_aanlevering(path: Path) -> tuple[Aanlevering, ...]:
    from dijkwacht.sources import SOURCES

    with open(path, "rb") as fh:
        raw = tomllib.load(fh).get("aanlevering")
    if raw is None:
        return ()
    name = path.name
    if not isinstance(raw, dict):
        raise ScheduleError(f"{name}: [aanlevering] moet een tabel zijn")
    default_from = None
    plans = {}
    for key, value in raw.items():
        if key == "vanaf":
            default_from = _day(value, f"{name}: [aanlevering] vanaf")
        elif not isinstance(value, dict):
            raise ScheduleError(f"{name}: [aanlevering] {key}: onbekende sleutel (alleen vanaf en "
                                "één tabel [aanlevering.<bron>] per bron)")
        elif key not in SOURCES:
            raise ScheduleError(f"{name}: [aanlevering.{key}]: onbekende bron; bekend zijn "
                                f"{', '.join(SOURCES)}")
        else:
            plans[key] = value
    schedule = []
    for bron in [b for b in SOURCES if b in plans]:        # the registry's order
        plan, where = plans[bron], f"{name}: [aanlevering.{bron}]"
        unknown = [k for k in plan if k not in SCHEDULE_KEYS]
        if unknown:
            raise ScheduleError(f"{where} {unknown[0]}: onbekende sleutel (toegestaan: "
                                f"{', '.join(SCHEDULE_KEYS)})")
        partner = plan.get("partner")
        if not isinstance(partner, str) or not partner.strip() or len(partner) > 80:
            raise ScheduleError(f"{where} partner moet de naam van de partner zijn (1 tot 80 tekens)")
        if ("elke_dagen" in plan) == ("dag_van_de_maand" in plan):
            raise ScheduleError(f"{where}: geef precies één van elke_dagen of dag_van_de_maand")
        every = plan.get("elke_dagen")
        monthly = plan.get("dag_van_de_maand")
        start = plan.get("vanaf", default_from)
        if start is None:
            raise ScheduleError(f"{where} vanaf ontbreekt (hier of in [aanlevering]): sinds wanneer "
                                "het schema geldt")
        schedule.append(Aanlevering(
            bron=bron,
            partner=partner.strip(),
            elke_dagen=None if every is None else _whole(every, f"{where} elke_dagen", 1, MAX_INTERVAL_DAYS),
            dag_van_de_maand=None if monthly is None else _whole(monthly, f"{where} dag_van_de_maand", 1, 31),
            coulance_dagen=_whole(plan.get("coulance_dagen", 0), f"{where} coulance_dagen", 0, MAX_GRACE_DAYS),
            vanaf=_day(start, f"{where} vanaf"),
        ))
    return tuple(schedule)


def aanlevering() -> tuple[Aanlevering, ...]:
    """The delivery schedule per source, in the registry's order; empty when gemeente.toml has
    no [aanlevering]. Raises ScheduleError (Dutch, naming the key) when the section is wrong."""
    return _load_aanlevering(_config_file())
