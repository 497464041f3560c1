"""Where things are and which municipality this is.

Everything Dordrecht-specific lives in `data/gemeente.toml` and the files it names;
environment variables override paths so tests and servers can point elsewhere.
"""
from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
DEMO_DIR = DATA_DIR / "demo"
INBOX_DIR = DATA_DIR / "inbox"
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
    """The municipality's pseudonym key, or None when none is configured."""
    value = os.environ.get(KEY_ENV) or _secrets_value("pseudoniem_sleutel")
    return value.encode() if value else None


def key_fingerprint(key: bytes) -> str:
    """Identifies a key without revealing it (stored in the database's meta)."""
    return hashlib.sha256(b"dijkwacht-vingerafdruk|" + key).hexdigest()[:16]


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
