-- The app's own writable state (data/state.sqlite, WAL mode): load log, quarantine,
-- and (added by later features) accounts, sessions, audit log and snapshot register.

CREATE TABLE IF NOT EXISTS laadruns (
    load_id         TEXT PRIMARY KEY,
    gestart_op      TEXT NOT NULL,           -- UTC ISO 8601
    klaar_op        TEXT,
    soort           TEXT NOT NULL,           -- laden | demo | terugdraaien
    database        TEXT NOT NULL,
    gepubliceerd    INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL DEFAULT 'bezig',   -- bezig | klaar | mislukt
    melding         TEXT
);

CREATE TABLE IF NOT EXISTS laadbestanden (
    load_id         TEXT NOT NULL REFERENCES laadruns(load_id),
    bestand         TEXT NOT NULL,
    sha256          TEXT,
    bron            TEXT,
    rijen_in        INTEGER NOT NULL DEFAULT 0,
    geladen         INTEGER NOT NULL DEFAULT 0,
    gequarantaineerd INTEGER NOT NULL DEFAULT 0,
    vervangen       INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL,           -- loaded | skipped | rejected
    melding         TEXT,
    onbekende_kolommen TEXT,                 -- JSON list
    waarschuwingen  TEXT,                    -- JSON list
    gestart_op      TEXT NOT NULL,
    klaar_op        TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS quarantaine (
    load_id         TEXT NOT NULL REFERENCES laadruns(load_id),
    bestand         TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    bron            TEXT NOT NULL,
    regel           INTEGER NOT NULL,        -- line in the file, header = 1
    kolom           TEXT NOT NULL,
    regel_fout      TEXT NOT NULL,           -- the broken rule, in Dutch
    waarde          TEXT                     -- raw value, "(verborgen)" for identifying columns
);
CREATE INDEX IF NOT EXISTS quarantaine_load ON quarantaine(load_id);

-- Local accounts (dijkwacht/accounts.py). Passwords only as argon2 hashes; the lock counts
-- failed attempts and blocks the account until geblokkeerd_tot (UTC ISO 8601).
CREATE TABLE IF NOT EXISTS gebruikers (
    naam            TEXT PRIMARY KEY,        -- lower case
    rol             TEXT NOT NULL,           -- bestuur | analist | beheerder
    wachtwoord_hash TEXT NOT NULL,           -- argon2id, never the password
    mislukt         INTEGER NOT NULL DEFAULT 0,
    geblokkeerd_tot TEXT,
    aangemaakt_op   TEXT NOT NULL,
    gewijzigd_op    TEXT NOT NULL
);

-- Server-side sessions. Only the SHA-256 of the session id is stored, so a copy of this
-- database does not let anyone take over a session. Logout deletes the row.
CREATE TABLE IF NOT EXISTS sessies (
    sessie_hash     TEXT PRIMARY KEY,
    soort           TEXT NOT NULL,           -- lokaal | oidc
    naam            TEXT NOT NULL,           -- account name or OIDC identity
    rol             TEXT NOT NULL,
    aangemaakt_op   TEXT NOT NULL,
    laatst_gezien_op TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessies_naam ON sessies(naam);

-- Koppelingen (dijkwacht/linkage.py): each user's last visit, so the attention list can show
-- what is new since then. stand_per is the data's stand per the user saw (ISO date).
CREATE TABLE IF NOT EXISTS bezoeken (
    naam            TEXT NOT NULL,
    pagina          TEXT NOT NULL,
    bezocht_op      TEXT NOT NULL,           -- UTC ISO 8601
    stand_per       TEXT,
    PRIMARY KEY (naam, pagina)
);

-- The archive (dijkwacht/documents/archive.py): every published factsheet and every frozen triangle
-- briefing. The files live in data/archief/ (names below, with their SHA-256); the numbers
-- are archived as JSON beside them, so what was published stays reproducible.
CREATE TABLE IF NOT EXISTS archief (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    soort           TEXT NOT NULL,           -- factsheet | briefing
    periode         TEXT NOT NULL,           -- "2025" or "2026-07-01/2026-10-01" ([van, tot))
    filters         TEXT,                    -- JSON: jaar, or van/tot/gebied
    gemaakt_door    TEXT NOT NULL,           -- account name or OIDC identity
    rol             TEXT NOT NULL,
    gemaakt_op      TEXT NOT NULL,           -- UTC ISO 8601
    load_id         TEXT NOT NULL,           -- meta.load_id of the served database used
    stand_per       TEXT,                    -- the data's stand per (ISO date)
    demo            INTEGER NOT NULL DEFAULT 0,
    bestanden       TEXT NOT NULL,           -- JSON list of {bestand, sha256}
    cijfers_sha256  TEXT NOT NULL            -- SHA-256 of the canonical numbers JSON
);
CREATE INDEX IF NOT EXISTS archief_soort ON archief(soort, gemaakt_op);

-- The audit log (dijkwacht/audit.py): one row per login, page view, detail view, export,
-- denial and load. Hash-chained: hash = SHA-256(vorige_hash || canonical JSON of the row).
-- No passwords, session ids, tokens or personal data of data subjects; sessie_ref is a
-- one-way reference used only to skip a rerun of the same view.
CREATE TABLE IF NOT EXISTS auditlog (
    nr              INTEGER PRIMARY KEY,     -- 1, 2, 3 ... without gaps
    tijd            TEXT NOT NULL,           -- UTC ISO 8601
    actor           TEXT,                    -- account name or OIDC identity; etl/cli user
    rol             TEXT,
    actie           TEXT NOT NULL,           -- inloggen | uitloggen | pagina | detail | export | weigering | laden | ...
    object          TEXT,                    -- page, export name, key (short), load
    resultaat       TEXT NOT NULL,           -- ok | mislukt | geweigerd
    herkomst        TEXT,                    -- app (with client address) | etl | cli
    filters         TEXT,                    -- canonical JSON
    rijen           INTEGER,                 -- rows returned or exported
    export_sha256   TEXT,
    load_id         TEXT,                    -- the data load shown / made
    sessie_ref      TEXT,
    weergave_sleutel TEXT,
    vorige_hash     TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS auditlog_tijd ON auditlog(tijd);
CREATE INDEX IF NOT EXISTS auditlog_sessie ON auditlog(sessie_ref, nr);
-- The head of the chain, so rows cut off the end are noticed too.
CREATE TABLE IF NOT EXISTS auditkop (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    nr              INTEGER NOT NULL,
    hash            TEXT NOT NULL
);

-- Sign-in throttling (dijkwacht/accounts.py), instead of a hard per-account lock that anyone
-- knowing a name could keep closed. One row per bucket: a name from one client ("paar"),
-- a name from clients it never signed in from ("account"), one client across all names
-- ("herkomst"). After a bucket's limit each failure doubles its wait (1, 2, 4 ... up to
-- blokkade_minuten). sleutel and account_ref are SHA-256 references, never the typed name
-- (which may be a mistyped password) or a client address; rows quiet for a day are removed.
CREATE TABLE IF NOT EXISTS aanmeldremmen (
    sleutel         TEXT PRIMARY KEY,
    soort           TEXT NOT NULL,           -- paar | account | herkomst
    account_ref     TEXT,                    -- reference of the name (paar, account)
    mislukt         INTEGER NOT NULL DEFAULT 0,
    laatst_mislukt  TEXT NOT NULL,           -- UTC ISO 8601
    wacht_tot       TEXT                     -- no attempt is checked before this time
);
CREATE INDEX IF NOT EXISTS aanmeldremmen_account ON aanmeldremmen(account_ref);

-- Clients an account signed in from (the "familiar locations" of smart lockout): attempts
-- from them are not slowed by failures elsewhere. herkomst is a SHA-256 reference.
CREATE TABLE IF NOT EXISTS bekende_herkomsten (
    naam            TEXT NOT NULL,           -- an existing account
    herkomst        TEXT NOT NULL,
    laatst_gelukt   TEXT NOT NULL,           -- UTC ISO 8601
    PRIMARY KEY (naam, herkomst)
);

-- Follow-up of the week's work list (dijkwacht/followup.py): who took up an item and how it
-- ended. Append-only history; an item's current state is its row with the highest nr. Only
-- fixed values (status and reason from followup.STATUSES/REASONS, an account name): no free
-- text, so no personal data of data subjects. item_id is the item's stable id
-- ("<kind>:<subject>", may hold a pseudonymous key, never an address). laatste_datum is the
-- item's latest event date when the row was written: a handled item returns to the list
-- only when something happens at it after that date.
CREATE TABLE IF NOT EXISTS opvolging (
    nr              INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('nieuw', 'opgepakt', 'afgehandeld', 'geen actie')),
    reden           TEXT NOT NULL,           -- one of followup.REASONS[status]
    toegewezen_aan  TEXT,                    -- account name (analist/beheerder); NULL = nobody
    door            TEXT NOT NULL,           -- account name or OIDC identity that made the change
    rol             TEXT NOT NULL,
    gewijzigd_op    TEXT NOT NULL,           -- UTC ISO 8601
    laatste_datum   TEXT NOT NULL            -- the item's latest event date then (ISO date)
);
CREATE INDEX IF NOT EXISTS opvolging_item ON opvolging(item_id, nr);
-- History is never rewritten: a change is a new row.
CREATE TRIGGER IF NOT EXISTS opvolging_alleen_toevoegen BEFORE UPDATE ON opvolging
BEGIN
    SELECT RAISE(ABORT, 'opvolging wordt niet gewijzigd: voeg een nieuwe regel toe');
END;
