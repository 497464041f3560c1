"""publiccode.yml against the publiccode.yml standard (https://yml.publiccode.tools).

The rules are those of the standard's core schema as of v0.7 (publiccodeYmlVersion "0"
means the current 0.x) and of its reference validator (publiccode-parser-go): mandatory
keys, no unknown keys, the enumerations, shortDescription at most 150 characters,
longDescription 150 to 10,000, the category and scope vocabularies, uppercase ISO 3166-1
alpha-2 countries (lowercase is deprecated since 0.5), dates as YYYY-MM-DD.
Not checked here: that `url` is reachable and is a code repository (the validator's network
checks), and that the SPDX identifier exists beyond its form.

PyYAML is not a dependency, so the file is read by a small reader of the YAML subset it
uses (block mappings and sequences, plain and quoted scalars, folded/literal blocks,
comments). Anything outside that subset fails loudly rather than being misread; where
PyYAML happens to be installed, the reader is checked against it.
"""
from __future__ import annotations

import json
import re
import unicodedata
from datetime import date

import pytest

from dijkwacht import config

PUBLICCODE = config.ROOT / "publiccode.yml"

VERSIONS = {"0", "0.2", "0.2.0", "0.2.1", "0.2.2", "0.3", "0.3.0", "0.4", "0.4.0",
            "0.5", "0.5.0", "0.7", "0.7.0"}
DEVELOPMENT_STATUS = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
                  "standalone/backend", "standalone/other", "addon", "library", "configurationFiles"}
MAINTENANCE_TYPES = {"internal", "contract", "community", "none"}
SCOPES = set("""agriculture culture defence education emergency-services employment energy environment
finance-and-economic-development foreign-affairs government healthcare infrastructures justice
local-authorities manufacturing research science-and-technology security society sport tourism
transportation welfare""".split())
CATEGORIES = set("""accounting agile-project-management applicant-tracking application-development
appointment-scheduling backup billing-and-invoicing blog budgeting business-intelligence
business-process-management cad call-center-management cloud-management collaboration
communications compliance-management contact-management content-management crm
customer-service-and-support data-analytics data-collection data-visualization design
design-system digital-asset-management digital-citizenship document-management donor-management
e-commerce e-signature educational-content email-management email-marketing employee-management
enterprise-project-management enterprise-social-networking erp event-management
facility-management feedback-and-reviews-management financial-reporting fleet-management
fundraising gamification geographic-information-systems grant-management graphic-design help-desk
hr ide identity-management instant-messaging integrated-library-system inventory-management
it-asset-management it-development it-management it-security it-service-management
knowledge-management learning-management-system marketing mind-mapping mobile-marketing
mobile-payment network-management office online-booking online-community payment-gateway payroll
predictive-analysis procurement productivity-suite project-collaboration project-management
property-management real-estate-management regulations-and-directives remote-support
resource-management sales-management seo service-desk social-media-management survey
talent-management task-management taxes-management test-management time-management time-tracking
translation video-conferencing video-editing visitor-management voip warehouse-management
web-collaboration web-conferencing website-builder whistleblowing workflow-management
other""".split())

# Every key the standard knows, per section; the reference validator rejects any other.
TOP_KEYS = {"publiccodeYmlVersion", "name", "applicationSuite", "url", "landingURL", "isBasedOn",
            "softwareVersion", "releaseDate", "logo", "monochromeLogo", "organisation", "inputTypes",
            "outputTypes", "platforms", "categories", "usedBy", "fundedBy", "roadmap",
            "developmentStatus", "softwareType", "supports", "intendedAudience", "description",
            "legal", "maintenance", "localisation", "dependsOn", "IT", "it"}
MANDATORY = {"publiccodeYmlVersion", "name", "url", "platforms", "developmentStatus", "softwareType",
             "description", "legal", "maintenance", "localisation"}
DESCRIPTION_KEYS = {"localisedName", "genericName", "shortDescription", "longDescription",
                    "documentation", "apiDocumentation", "features", "screenshots", "videos", "awards"}
AUDIENCE_KEYS = {"scope", "countries", "unsupportedCountries"}
LEGAL_KEYS = {"license", "mainCopyrightOwner", "repoOwner", "authorsFile"}
MAINTENANCE_KEYS = {"type", "contractors", "contacts"}
CONTACT_KEYS = {"name", "email", "affiliation", "phone"}
CONTRACTOR_KEYS = {"name", "email", "website", "until"}
LOCALISATION_KEYS = {"localisationReady", "availableLanguages"}
DEPENDS_KEYS = {"open", "proprietary", "hardware"}
DEPENDENCY_KEYS = {"name", "versionMin", "versionMax", "optional", "version"}
DEPRECATED = {"monochromeLogo", "inputTypes", "outputTypes", "IT", "it"}   # (and nested ones below)

BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SPDX = re.compile(r"^[A-Za-z0-9.+-]+( (AND|OR) [A-Za-z0-9.+-]+)*$")


# --- A reader for the YAML subset -----------------------------------------------------------

class Unsupported(ValueError):
    """publiccode.yml uses YAML this reader does not understand: extend it or simplify the file."""


def _uncomment(line: str) -> str:
    """The line without a trailing comment (a # at the start or after a space, outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'" and (i == 0 or line[i - 1] in " :-"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] == " "):
            return line[:i].rstrip()
    return line.rstrip()


def _scalar(text: str):
    if not text or text[0] in "[{&*!|>%@`":
        raise Unsupported(f"flow style, anchors, tags or directives: {text!r}")
    if text.startswith('"'):
        if not text.endswith('"') or len(text) < 2:
            raise Unsupported(f"unterminated string: {text!r}")
        return json.loads(text)               # the JSON escapes are a subset of YAML's
    if text.startswith("'"):
        if not text.endswith("'") or len(text) < 2:
            raise Unsupported(f"unterminated string: {text!r}")
        return text[1:-1].replace("''", "'")
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "~"):
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    if DATE.fullmatch(text):
        return date.fromisoformat(text)
    if ": " in text or text.endswith(":"):
        raise Unsupported(f"a nested mapping on one line: {text!r}")
    return text


class _Reader:
    KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$")

    def __init__(self, text: str):
        if "\t" in text:
            raise Unsupported("tab characters")
        self.lines = text.splitlines()
        self.i = 0

    def _peek(self) -> tuple[int, str] | None:
        while self.i < len(self.lines):
            line = _uncomment(self.lines[self.i])
            if line.strip():
                if line.strip() in ("---", "..."):
                    raise Unsupported("document markers")
                return len(line) - len(line.lstrip(" ")), line.strip()
            self.i += 1
        return None

    def document(self):
        value = self._node(0)
        if self._peek() is not None:
            raise Unsupported(f"line {self.i + 1} does not fit the indentation")
        return value

    def _node(self, min_indent: int):
        nxt = self._peek()
        if nxt is None or nxt[0] < min_indent:
            raise Unsupported(f"an empty value before line {self.i + 1}")
        indent, content = nxt
        if content == "-" or content.startswith("- "):
            return self._sequence(indent)
        return self._mapping(indent)

    def _mapping(self, indent: int) -> dict:
        out: dict = {}
        while (nxt := self._peek()) and nxt[0] == indent and not nxt[1].startswith("-"):
            match = self.KEY.match(nxt[1])
            if not match:
                raise Unsupported(f"line {self.i + 1}: not a 'key: value' line: {nxt[1]!r}")
            self.i += 1
            key, rest = match.group(1), (match.group(2) or "").strip()
            if key in out:
                raise Unsupported(f"line {self.i}: duplicate key {key!r}")
            if rest in (">", ">-", "|", "|-"):
                out[key] = self._block_scalar(indent, rest)
            elif rest == "":
                out[key] = self._node(indent + 1)
            else:
                out[key] = _scalar(rest)
        if nxt and nxt[0] > indent:
            raise Unsupported(f"line {self.i + 1} is indented deeper than its mapping")
        return out

    def _sequence(self, indent: int) -> list:
        out: list = []
        while (nxt := self._peek()) and nxt[0] == indent and (nxt[1] == "-" or nxt[1].startswith("- ")):
            item = nxt[1][1:].strip()
            if self.KEY.match(item):              # "- key: value": a mapping in the sequence
                self.lines[self.i] = " " * (indent + 2) + item
                out.append(self._mapping(indent + 2))
            elif item:
                self.i += 1
                out.append(_scalar(item))
            else:
                raise Unsupported(f"line {self.i + 1}: a nested block under '-'")
        return out

    def _block_scalar(self, indent: int, style: str) -> str:
        body: list[str] = []
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            if raw.strip() and len(raw) - len(raw.lstrip(" ")) <= indent:
                break
            body.append(raw)
            self.i += 1
        while body and not body[-1].strip():
            body.pop()
        if not body:
            raise Unsupported("an empty block scalar")
        base = min(len(r) - len(r.lstrip(" ")) for r in body if r.strip())
        lines = [r[base:] if r.strip() else "" for r in body]
        if style.startswith(">"):
            if any(line.startswith(" ") for line in lines):
                raise Unsupported("more-indented lines in a folded block")
            text, pending = "", ""
            for line in lines:
                if not line:
                    pending += "\n"
                    continue
                if text:
                    text += pending if pending else " "
                text, pending = text + line, ""
        else:
            text = "\n".join(lines)
        return text if style.endswith("-") else text + "\n"


def read_yaml_subset(text: str):
    return _Reader(text).document()


@pytest.fixture(scope="module")
def doc() -> dict:
    return read_yaml_subset(PUBLICCODE.read_text(encoding="utf-8"))


def chars(text: str) -> int:
    """Characters as a reader counts them (the validator counts grapheme clusters)."""
    return len(unicodedata.normalize("NFC", text))


def unknown(section: dict, known: set[str]) -> set[str]:
    return set(section) - known


# --- The reader itself ---------------------------------------------------------------------

def test_the_reader_reads_the_subset():
    text = ('a: "x # not a comment"  # a comment\n'
            "b:\n  - one\n  - name: two\n    n: 3\n"
            "c: >-\n  folded\n  text\n\n  kept\nd: |\n  line\n  line\ne: 'it''s'\nf: false\n")
    assert read_yaml_subset(text) == {"a": "x # not a comment", "b": ["one", {"name": "two", "n": 3}],
                                      "c": "folded text\nkept", "d": "line\nline\n", "e": "it's", "f": False}
    for bad in ("a: [1, 2]\n", "a: &x 1\n", "a:\n\tb: 1\n", "a: 1\na: 2\n", "a: b: c\n"):
        with pytest.raises(Unsupported):
            read_yaml_subset(bad)


def test_the_reader_agrees_with_pyyaml_where_it_is_installed(doc):
    yaml = pytest.importorskip("yaml", reason="PyYAML not installed (not a dependency)")
    assert yaml.safe_load(PUBLICCODE.read_text(encoding="utf-8")) == doc


# --- The standard ---------------------------------------------------------------------------

def test_mandatory_keys_and_no_unknown_ones(doc):
    assert MANDATORY <= set(doc), MANDATORY - set(doc)
    assert unknown(doc, TOP_KEYS) == set()
    assert not DEPRECATED & set(doc), "deprecated keys (country sections are replaced by `supports`)"
    assert doc["publiccodeYmlVersion"] in VERSIONS and isinstance(doc["publiccodeYmlVersion"], str)
    assert isinstance(doc["name"], str) and doc["name"].strip()
    assert re.match(r"^(https?|git|ssh)://\S+$", doc["url"])
    assert isinstance(doc["platforms"], list) and doc["platforms"]


def test_enumerations_and_vocabularies(doc):
    assert doc["developmentStatus"] in DEVELOPMENT_STATUS
    assert doc["softwareType"] in SOFTWARE_TYPES
    assert set(doc.get("categories", [])) <= CATEGORIES, set(doc.get("categories", [])) - CATEGORIES


def test_intended_audience(doc):
    audience = doc["intendedAudience"]
    assert unknown(audience, AUDIENCE_KEYS) == set()
    for key in ("countries", "unsupportedCountries"):
        for code in audience.get(key, []):
            assert COUNTRY.match(code), f"{key}: {code!r} is not an uppercase ISO 3166-1 alpha-2 code"
    assert "NL" in audience["countries"]            # built for Dutch municipalities
    assert audience["scope"] and set(audience["scope"]) <= SCOPES, set(audience["scope"]) - SCOPES


def test_descriptions_keep_to_their_lengths(doc):
    descriptions = doc["description"]
    assert descriptions, "at least one language"
    assert {"nl", "en"} <= set(descriptions)
    for lang, d in descriptions.items():
        assert BCP47.match(lang), lang
        assert unknown(d, DESCRIPTION_KEYS) == set(), lang
        assert "genericName" not in d, f"{lang}: genericName is deprecated"
        short = d["shortDescription"]
        assert chars(short) <= 150, f"{lang}: shortDescription is {chars(short)} characters (max 150)"
        assert "\n" not in short.strip(), f"{lang}: shortDescription must be one line"
        long = d["longDescription"]
        assert 150 <= chars(long) <= 10_000, f"{lang}: longDescription is {chars(long)} characters"
        assert isinstance(d["features"], list) and d["features"], f"{lang}: features"
        assert all(isinstance(f, str) and f.strip() for f in d["features"])


def test_legal_maintenance_localisation_dependencies(doc):
    legal = doc["legal"]
    assert unknown(legal, LEGAL_KEYS) == set()
    assert not {"repoOwner", "authorsFile"} & set(legal), "deprecated legal keys"
    assert SPDX.match(legal["license"])

    maintenance = doc["maintenance"]
    assert unknown(maintenance, MAINTENANCE_KEYS) == set()
    assert maintenance["type"] in MAINTENANCE_TYPES
    if maintenance["type"] in ("internal", "community"):
        assert maintenance["contacts"], "contacts are mandatory for internal or community maintenance"
    if maintenance["type"] == "contract":
        assert maintenance["contractors"]
    else:
        assert "contractors" not in maintenance, "contractors only with maintenance type contract"
    for contact in maintenance.get("contacts", []):
        assert unknown(contact, CONTACT_KEYS) == set() and contact["name"].strip()
    for contractor in maintenance.get("contractors", []):
        assert unknown(contractor, CONTRACTOR_KEYS) == set() and contractor["name"].strip()
        assert DATE.match(str(contractor["until"]))

    localisation = doc["localisation"]
    assert unknown(localisation, LOCALISATION_KEYS) == set()
    assert isinstance(localisation["localisationReady"], bool)
    assert localisation["availableLanguages"]
    assert all(BCP47.match(lang) for lang in localisation["availableLanguages"])

    depends = doc.get("dependsOn", {})
    assert unknown(depends, DEPENDS_KEYS) == set()
    for dependency in (d for kind in depends.values() for d in kind):
        assert unknown(dependency, DEPENDENCY_KEYS) == set() and dependency["name"].strip()
        assert all(isinstance(dependency[k], str) for k in ("version", "versionMin", "versionMax")
                   if k in dependency), "versions are strings"


def test_dates_and_versions_are_strings_in_the_one_date_format(doc):
    if "releaseDate" in doc:
        assert isinstance(doc["releaseDate"], str) and DATE.match(doc["releaseDate"])
        date.fromisoformat(doc["releaseDate"])
    if "softwareVersion" in doc:
        assert isinstance(doc["softwareVersion"], str)


def test_the_file_is_utf8():
    PUBLICCODE.read_bytes().decode("utf-8")        # MUST be UTF-8 (the standard, "Encoding")
