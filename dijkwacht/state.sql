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
