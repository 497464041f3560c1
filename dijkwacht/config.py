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


# --- alerts ([meldingen] in gemeente.toml; dijkwacht/alerts.py) and the mail server ([smtp]) --
# Read strictly, like [aanlevering]: an unknown key or a wrong value stops with a Dutch message
# naming the key, rather than quietly alerting on nothing. Which kinds exist is checked by
# dijkwacht/alerts.py against dijkwacht.week.KINDS (config cannot import week).
MELDINGEN_KEYS = ("soorten", "minimale_prioriteit", "link", "digest")
DEFAULT_ALERT_KINDS = ("stijging", "bekende_sleutel", "levering")
DEFAULT_ALERT_LINK = "http://localhost:8501/week"
LOWEST_PRIORITY = 3                 # week.Item.priority: 1 (highest) … 3
SMTP_KEYS = ("host", "port", "user", "password", "from", "to", "starttls")
SMTP_ENV = "DIJKWACHT_SMTP_"        # DIJKWACHT_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _TO, _STARTTLS
SMTP_CREDENTIAL = "smtp-wachtwoord"  # a systemd credential for the digest unit (deploy/)


class MeldingenError(ValueError):
    """[meldingen] in gemeente.toml or [smtp] in secrets.toml is wrong; the Dutch message names
    the key (never a password)."""


@dataclass(frozen=True)
class Meldingen:
    """Which work-list items alert: their kind is in `soorten` and their priority is
    `minimale_prioriteit` or higher (a lower number: 1 is the highest)."""
    soorten: tuple[str, ...]
    minimale_prioriteit: int
    link: str                       # the dashboard's work list, for the mail
    digest: bool                    # send the daily e-mail digest


@lru_cache(maxsize=4)
def _load_meldingen(path: Path) -> Meldingen:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh).get("meldingen", {})
    where = f"{path.name}: [meldingen]"
    if not isinstance(raw, dict):
        raise MeldingenError(f"{where} moet een tabel zijn")
    unknown = [k for k in raw if k not in MELDINGEN_KEYS]
    if unknown:
        raise MeldingenError(f"{where} {unknown[0]}: onbekende sleutel (toegestaan: {', '.join(MELDINGEN_KEYS)})")
    kinds = raw.get("soorten", list(DEFAULT_ALERT_KINDS))
    if (not isinstance(kinds, list) or not all(isinstance(k, str) and k.strip() for k in kinds)
            or len(set(kinds)) != len(kinds)):
        raise MeldingenError(f'{where} soorten moet een lijst van verschillende soorten zijn, zoals '
                             f'["stijging", "levering"], niet {kinds!r}')
    level = raw.get("minimale_prioriteit", 2)
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= LOWEST_PRIORITY:
        raise MeldingenError(f"{where} minimale_prioriteit moet 1 tot en met {LOWEST_PRIORITY} zijn "
                             f"(1 = alleen de hoogste prioriteit), niet {level!r}")
    link = raw.get("link", DEFAULT_ALERT_LINK)
    if (not isinstance(link, str) or not link.startswith(("http://", "https://")) or len(link) > 300
            or len(link.partition("://")[2]) == 0 or not _plain(link)):
        raise MeldingenError(f"{where} link moet een webadres zijn dat met http:// of https:// begint, "
                             f"zonder spaties, niet {link!r}")
    digest = raw.get("digest", False)
    if not isinstance(digest, bool):
        raise MeldingenError(f"{where} digest moet true of false zijn, niet {digest!r}")
    return Meldingen(soorten=tuple(k.strip() for k in kinds), minimale_prioriteit=level, link=link,
                     digest=digest)


def meldingen() -> Meldingen:
    """The alert rules ([meldingen] in gemeente.toml; defaults when it is absent). Raises
    MeldingenError (Dutch, naming the key) when the section is wrong."""
    return _load_meldingen(_config_file())


def _plain(text: str) -> bool:
    """No spaces, no control characters (nothing that could start a new mail header)."""
    return bool(text) and not any(c.isspace() or not c.isprintable() for c in text)


def _is_mail(value) -> bool:
    """A plain address local@domain (no display name, no list)."""
    if not isinstance(value, str):
        return False
    local, at, domain = value.strip().rpartition("@")
    return (bool(at) and 0 < len(local) <= 64 and 0 < len(domain) <= 253 and _plain(local)
            and not any(c in "<>\"',;@" for c in local)
            and all(c.isascii() and (c.isalnum() or c in ".-") for c in domain))


@dataclass(frozen=True, repr=False)
class Smtp:
    """The mail server for the daily digest ([smtp] in .streamlit/secrets.toml)."""
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str                     # [smtp] from
    to: tuple[str, ...]
    starttls: bool

    def __repr__(self) -> str:      # never the password, not even in a traceback
        return (f"Smtp(host={self.host!r}, port={self.port}, user={self.user!r}, "
                f"password={'***' if self.password else None}, sender={self.sender!r}, "
                f"to={self.to!r}, starttls={self.starttls})")


def _secrets_section(name: str) -> dict:
    """[NAME] of .streamlit/secrets.toml (empty when there is no file or section)."""
    path = ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return {}
    with open(path, "rb") as fh:
        section = tomllib.load(fh).get(name, {})
    return section if isinstance(section, dict) else {}


def _yes(value: str) -> bool | str:
    word = value.strip().lower()
    if word in ("1", "true", "ja", "yes", "aan"):
        return True
    if word in ("0", "false", "nee", "no", "uit"):
        return False
    return value


def smtp() -> Smtp:
    """The mail server settings: [smtp] in .streamlit/secrets.toml, each key overridable by
    DIJKWACHT_SMTP_<KEY> (to: comma-separated); the password preferably as the systemd
    credential `smtp-wachtwoord`. Raises MeldingenError (Dutch, naming the key, never the
    password) when a setting is missing or wrong."""
    raw = dict(_secrets_section("smtp"))
    where = ".streamlit/secrets.toml: [smtp]"
    unknown = [k for k in raw if k not in SMTP_KEYS]
    if unknown:
        raise MeldingenError(f"{where} {unknown[0]}: onbekende sleutel (toegestaan: {', '.join(SMTP_KEYS)})")
    for key in SMTP_KEYS:
        value = os.environ.get(SMTP_ENV + key.upper())
        if value is not None:
            raw[key] = (_yes(value) if key == "starttls" else
                        [v.strip() for v in value.split(",") if v.strip()] if key == "to" else value)
    password = _credential(SMTP_CREDENTIAL) or raw.get("password") or None
    host = raw.get("host")
    if not isinstance(host, str) or not _plain(host.strip()):
        raise MeldingenError(f"{where} host ontbreekt of is ongeldig: de mailserver voor de dagelijkse samenvatting")
    starttls = raw.get("starttls", True)
    if not isinstance(starttls, bool):
        raise MeldingenError(f"{where} starttls moet true of false zijn, niet {starttls!r}")
    port = raw.get("port", 587 if starttls else 25)
    if isinstance(port, str) and port.strip().isdigit():
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise MeldingenError(f"{where} port moet een poortnummer van 1 tot en met 65535 zijn, niet {port!r}")
    user = raw.get("user") or None
    if user is not None and (not isinstance(user, str) or not user.isprintable()):
        raise MeldingenError(f"{where} user moet tekst zijn")
    if password is not None and (not isinstance(password, str) or not password.isprintable()):
        raise MeldingenError(f"{where} password moet tekst zijn")
    sender = raw.get("from")
    if not _is_mail(sender):
        raise MeldingenError(f"{where} from moet één e-mailadres zijn (de afzender), niet {sender!r}")
    to = raw.get("to")
    if isinstance(to, str):
        to = [to]
    if (not isinstance(to, list) or not to
            or not all(_is_mail(a) for a in to)):
        raise MeldingenError(f'{where} to moet een lijst van e-mailadressen zijn, zoals ["oov@gemeente.nl"], '
                             f"niet {to!r}")
    return Smtp(host=host.strip(), port=port, user=user, password=password, sender=sender.strip(),
                to=tuple(a.strip() for a in to), starttls=starttls)


# --- the security department's week ([week] in gemeente.toml; dijkwacht/week.py) ------------
# Read strictly, like [aanlevering]: an unknown key or a value out of range stops with a Dutch
# message naming the key, rather than quietly changing what the work list shows.
WEEK_KEYS = ("venster_jaren", "nieuw_dagen", "termijn_maatregel_dagen",
             "termijn_terugkoppeling_dagen", "alfa", "minimum_aantal", "basis_maanden")


class WeekSettingsError(ValueError):
    """The [week] section of gemeente.toml is wrong; the message (Dutch) names the key."""


@dataclass(frozen=True)
class WeekSettings:
    """The rules of the week's work list (dijkwacht/week.py); every day count is relative to
    the data's *stand per*, not the clock."""
    venster_jaren: int = 3                    # a key is known by registrations this many years back
    nieuw_dagen: int = 28                     # a registration is new within this many days
    termijn_maatregel_dagen: int = 90         # a problem wants an intervention within this term
    termijn_terugkoppeling_dagen: int = 14    # a reporter gets feedback within this term
    alfa: float = 0.01                        # the spike rule's false-alarm rate per area and layer
    minimum_aantal: int = 3                   # a spike has at least this many registrations
    basis_maanden: int = 36                   # the spike rule's baseline: this many months before


def _week_whole(raw: dict, key: str, low: int, high: int, where: str) -> int:
    value = raw.get(key, getattr(WeekSettings, key))
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise WeekSettingsError(f"{where} {key} moet een geheel getal van {low} tot en met {high} zijn, "
                                f"niet {value!r}")
    return value


@lru_cache(maxsize=4)
def _load_week(path: Path) -> WeekSettings:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh).get("week", {})
    where = f"{path.name}: [week]"
    if not isinstance(raw, dict):
        raise WeekSettingsError(f"{where} moet een tabel zijn")
    unknown = [k for k in raw if k not in WEEK_KEYS]
    if unknown:
        raise WeekSettingsError(f"{where} {unknown[0]}: onbekende sleutel (toegestaan: {', '.join(WEEK_KEYS)})")
    alfa = raw.get("alfa", WeekSettings.alfa)
    if isinstance(alfa, bool) or not isinstance(alfa, (int, float)) or not 0 < alfa <= 0.2:
        raise WeekSettingsError(f"{where} alfa moet een kans groter dan 0 en hoogstens 0.2 zijn "
                                f"(0.01 = 1% vals alarm), niet {alfa!r}")
    settings = WeekSettings(
        venster_jaren=_week_whole(raw, "venster_jaren", 1, 15, where),
        nieuw_dagen=_week_whole(raw, "nieuw_dagen", 1, 366, where),
        termijn_maatregel_dagen=_week_whole(raw, "termijn_maatregel_dagen", 1, 3650, where),
        termijn_terugkoppeling_dagen=_week_whole(raw, "termijn_terugkoppeling_dagen", 1, 365, where),
        alfa=float(alfa),
        minimum_aantal=_week_whole(raw, "minimum_aantal", 1, 1000, where),
        basis_maanden=_week_whole(raw, "basis_maanden", 12, 120, where),
    )
    window_days = 365 * settings.venster_jaren
    for key in ("nieuw_dagen", "termijn_maatregel_dagen", "termijn_terugkoppeling_dagen"):
        if getattr(settings, key) >= window_days:
            raise WeekSettingsError(f"{where} {key} moet korter zijn dan het venster van "
                                    f"{settings.venster_jaren} jaar (venster_jaren), niet {getattr(settings, key)}")
    return settings


def week() -> WeekSettings:
    """The work list's rules ([week] in gemeente.toml; the defaults when it is absent). Raises
    WeekSettingsError (Dutch, naming the key) when the section is wrong."""
    return _load_week(_config_file())
