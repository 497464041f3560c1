-- The served database (data/dijkwacht.duckdb): the one source of truth for its tables.
-- Built by the ETL, read-only for the app. No raw address, identifier, coordinate or
-- free text is stored: addresses become `adres_sleutel` (keyed HMAC), `subject_id` and
-- `eigenaar_id` hold keys in one key space, locations are a buurt code and a 100 m cell.
-- Every data row remembers the file it came from (`bestand_sha256`).
--
-- Record keys (DESIGN §2) are marked `-- key` below but are not PRIMARY KEY constraints on
-- the source tables: a DuckDB primary key builds an ART index on every bulk insert,
-- which cost about a third of the load's write time at ×100 (bench/national.py). The ETL
-- guarantees uniqueness itself: a key that occurs again in one file is quarantined
-- (etl.clean), and a delivery deletes the rows with its keys before inserting them
-- (etl.load.upsert). Databases built before this change keep their constraints; both work.

CREATE TABLE hennepkwekerijen (
    registratienummer   VARCHAR NOT NULL,   -- key
    datum_ontmanteling  DATE NOT NULL,
    adres_sleutel       VARCHAR,
    buurtcode           VARCHAR,          -- NULL when unknown (shown as "onbekend")
    cel_x               INTEGER,          -- 100 m grid cell, RD New lower-left corner
    cel_y               INTEGER,
    locatietype         VARCHAR,
    aantal_planten      INTEGER,
    stroomdiefstal      VARCHAR,
    eigendom            VARCHAR,
    eigenaar_id         VARCHAR,
    maatregel           VARCHAR,
    bestand_sha256      VARCHAR NOT NULL
);

CREATE TABLE verdachte_transacties (
    transactienummer    VARCHAR NOT NULL,   -- key
    datum               DATE NOT NULL,
    bedrag              DECIMAL(18, 2) NOT NULL,
    transactietype      VARCHAR,
    melder_sector       VARCHAR,
    subject_type        VARCHAR,
    subject_id          VARCHAR,
    branche             VARCHAR,
    adres_sleutel       VARCHAR,
    buurtcode           VARCHAR,
    bestand_sha256      VARCHAR NOT NULL
);

CREATE TABLE signalen (
    signaalnummer       VARCHAR NOT NULL,   -- key
    ontvangen_op        TIMESTAMP NOT NULL,
    kanaal              VARCHAR,
    melder_type         VARCHAR,
    thema               VARCHAR,
    adres_sleutel       VARCHAR,
    buurtcode           VARCHAR,
    status              VARCHAR,
    doorgezet_naar      VARCHAR,
    teruggekoppeld_op   DATE,
    afgesloten_op       DATE,
    barrierefase        VARCHAR,
    bestand_sha256      VARCHAR NOT NULL
);

CREATE TABLE controles (
    controlenummer      VARCHAR NOT NULL,   -- key
    datum               DATE NOT NULL,
    soort               VARCHAR NOT NULL,
    objecttype          VARCHAR,
    adres_sleutel       VARCHAR,
    buurtcode           VARCHAR,
    partners            VARCHAR[],
    bevindingen         VARCHAR[],
    uitkomst            VARCHAR,
    maatregel           VARCHAR,
    bedrag_dwangsom     DECIMAL(18, 2),
    bestand_sha256      VARCHAR NOT NULL
);

CREATE TABLE eigendommen (
    adres_sleutel       VARCHAR NOT NULL,
    eigenaar_id         VARCHAR NOT NULL,
    eigenaar_type       VARCHAR,
    peildatum           DATE,
    bestand_sha256      VARCHAR NOT NULL
    -- key (adres_sleutel, eigenaar_id)
);

CREATE TABLE activiteiten (
    datum               DATE NOT NULL,
    titel               VARCHAR NOT NULL,
    pijler              INTEGER NOT NULL,
    soort               VARCHAR,
    deelnemers          INTEGER,
    bestand_sha256      VARCHAR NOT NULL
    -- key (datum, titel)
);

-- The Handelsregister extract (issue 19): one row per vestiging. Both numbers are keyed
-- pseudonyms (the KvK number in the key space of subject_id and eigenaar_id); the address is
-- only its key; the trade name (handelsnaam) is never loaded. Added in schema version 4: an
-- older database gets this table at its next load (etl.versions.add_missing_tables).
CREATE TABLE vestigingen (
    vestigingsnummer    VARCHAR NOT NULL,   -- key; keyed pseudonym
    kvk_nummer          VARCHAR,            -- keyed pseudonym
    sbi_code            VARCHAR NOT NULL,   -- digits only: '4511', '45111', '9602'
    rechtsvorm          VARCHAR,
    datum_inschrijving  DATE NOT NULL,
    datum_opheffing     DATE,
    adres_sleutel       VARCHAR,
    buurtcode           VARCHAR,
    bestand_sha256      VARCHAR NOT NULL
);

-- Reference data (public, CBS/Kadaster, CC BY 4.0), rebuilt at every load.
CREATE TABLE wijken (
    wijkcode            VARCHAR PRIMARY KEY,
    naam                VARCHAR,
    inwoners            INTEGER,
    opp_land_ha         DOUBLE,
    geometrie_geojson   VARCHAR             -- WGS84
);

CREATE TABLE buurten (
    buurtcode           VARCHAR PRIMARY KEY,
    naam                VARCHAR,
    wijkcode            VARCHAR NOT NULL,
    inwoners            INTEGER,            -- CBS 2020, rounded to 5; NULL for 2024-only codes
    huishoudens         INTEGER,
    opp_land_ha         DOUBLE,
    water               BOOLEAN NOT NULL,
    in_2020             BOOLEAN NOT NULL,
    in_2024             BOOLEAN NOT NULL,
    label_lon           DOUBLE,
    label_lat           DOUBLE,
    geometrie_geojson   VARCHAR             -- WGS84; NULL for codes without a 2020 polygon
);

CREATE TABLE gebieden (                     -- focus areas: overlays that may overlap
    gebied              VARCHAR NOT NULL,
    status              VARCHAR NOT NULL,   -- placed | approximate | uncertain
    buurtcode           VARCHAR NOT NULL,
    PRIMARY KEY (gebied, buurtcode)
);

-- The files this database was built from: the same bytes are never loaded twice.
CREATE TABLE bestanden (
    sha256              VARCHAR PRIMARY KEY,
    naam                VARCHAR NOT NULL,
    bron                VARCHAR NOT NULL,
    rijen_in            INTEGER NOT NULL,
    geladen             INTEGER NOT NULL,
    gequarantaineerd    INTEGER NOT NULL,
    vervangen           INTEGER NOT NULL,
    load_id             VARCHAR NOT NULL,
    geladen_op          TIMESTAMP NOT NULL
);

-- One row per source: how current it is (DESIGN §5).
CREATE TABLE bronstand (
    bron                VARCHAR PRIMARY KEY,
    stand_per           DATE,               -- latest record date, else the load date
    geladen_op          TIMESTAMP,
    rijen               BIGINT NOT NULL,
    eerste_datum        DATE                -- earliest record date; NULL when empty (last: older
                                            -- databases get it appended at their next load)
);

CREATE TABLE meta (
    schema_versie       INTEGER NOT NULL,
    demo                BOOLEAN NOT NULL,
    gemeente_code       VARCHAR NOT NULL,
    gemeente_naam       VARCHAR NOT NULL,
    sleutel_vingerafdruk VARCHAR NOT NULL,  -- fingerprint of the pseudonym key, never the key
    load_id             VARCHAR NOT NULL,   -- the load this file came from (state.sqlite)
    gebouwd_op          TIMESTAMP NOT NULL,
    stand_per           DATE                -- the data's "now": latest record date over sources
);

-- Retention of detail (etl/retention.py, DESIGN §6): per source, year and wijk the totals
-- frozen before any row of that year is purged, so published figures stay reproducible.
CREATE TABLE jaaraggregaten (
    bron                VARCHAR NOT NULL,
    jaar                INTEGER NOT NULL,
    wijkcode            VARCHAR NOT NULL,   -- 'onbekend' for rows without a known buurt
    aantal              BIGINT NOT NULL,
    bedrag              DOUBLE,             -- planten (hennep), euro (transacties, dwangsommen)
    bevroren_op         DATE NOT NULL,
    PRIMARY KEY (bron, jaar, wijkcode)
);

-- The measures' fact table (dijkwacht/measures.py): built at every load by
-- dijkwacht/sql/build/feiten.sql from the rows above. One row per measure × theme × buurt
-- × day; thema 'alle' is the measure's total.
CREATE TABLE feiten (
    maat                VARCHAR NOT NULL,
    thema               VARCHAR NOT NULL,
    buurtcode           VARCHAR,            -- NULL = location unknown (or none: activities)
    dag                 DATE NOT NULL,
    aantal              BIGINT NOT NULL,
    som                 DOUBLE              -- amounts, plants, participants
);

-- Koppelingen at load (issue 17): built at every load, and after retention purges a kept
-- version, from the rows above (dijkwacht/sql/build/koppelingen.sql and
-- etl/linkage_tables.py). Key-level data, pseudonymous keys only.
CREATE TABLE koppeling_gebeurtenissen (      -- the linked event list (linkage.EVENT_SCHEMA)
    rij                 BIGINT NOT NULL,    -- order: datum, bron, nummer; stored in this order
    bron                VARCHAR NOT NULL,
    nummer              VARCHAR,
    datum               DATE,
    adres_sleutel       VARCHAR,
    persoon_sleutel     VARCHAR,
    buurtcode           VARCHAR,
    soort               VARCHAR,
    uitkomst            VARCHAR,
    maatregel           VARCHAR,
    doorgezet_naar      VARCHAR,
    fase                VARCHAR,
    partners            VARCHAR[],
    bedrag              DOUBLE,
    buurtnaam           VARCHAR
);

CREATE TABLE koppeling_index (               -- one row per (key, record), stored in key order
    sleutel             VARCHAR NOT NULL,
    sleutel_soort       VARCHAR NOT NULL,   -- 'adres' | 'persoon'
    rij                 BIGINT NOT NULL,    -- koppeling_gebeurtenissen.rij
    bron                VARCHAR NOT NULL,
    datum               DATE
);

CREATE TABLE koppeling_sleutels (            -- keys in ≥ 2 sources or repeated in one
    sleutel             VARCHAR NOT NULL,
    sleutel_soort       VARCHAR NOT NULL,
    bronnen             VARCHAR[] NOT NULL,
    aantal_bronnen      BIGINT NOT NULL,
    registraties        BIGINT NOT NULL,
    hennepkwekerijen    BIGINT NOT NULL,
    verdachte_transacties BIGINT NOT NULL,
    signalen            BIGINT NOT NULL,
    controles           BIGINT NOT NULL,
    eigendommen         BIGINT NOT NULL,
    eerste              DATE,
    laatste             DATE                -- the score's recency is added when read
);

CREATE TABLE koppeling_clusters (            -- owner networks (linkage.clusters), 1 = largest
    cluster             BIGINT NOT NULL,
    personen            BIGINT NOT NULL,
    adressen            BIGINT NOT NULL,
    eigendommen         BIGINT NOT NULL,
    kwekerijen          BIGINT NOT NULL,
    kwekerijen_venster  BIGINT NOT NULL,
    venster_dagen       BIGINT,
    gebeurtenissen      BIGINT NOT NULL,
    interventies        BIGINT NOT NULL,
    eerste              DATE,
    laatste             DATE,
    sleutels            VARCHAR[] NOT NULL  -- person keys sorted, then address keys sorted
);

CREATE TABLE koppeling_kanten (              -- the owner graph's edges, in the graph's order
    cluster             BIGINT NOT NULL,
    adres_sleutel       VARCHAR NOT NULL,
    persoon_sleutel     VARCHAR NOT NULL,
    relaties            VARCHAR[] NOT NULL  -- eigendommen, hennepkwekerijen, verdachte_transacties
);

CREATE TABLE koppeling_knopen (              -- per node its cluster and records (not ownership)
    sleutel             VARCHAR NOT NULL,
    soort               VARCHAR NOT NULL,
    cluster             BIGINT NOT NULL,
    gebeurtenissen      BIGINT NOT NULL,
    kwekerijen          BIGINT NOT NULL,
    x                   DOUBLE,             -- its place in the cluster's layout, for the
    y                   DOUBLE              -- clusters the page offers (linkage.SHOWN_CLUSTERS)
);

-- The bestuur role's protection, searched at load (etl/protection.py, issue 17): every cell
-- dijkwacht.lattice hides to protect another (layer, area node, period node), and the stand
-- per it was searched for. Small cells (1–4) are not stored: the counts give them.
CREATE TABLE bescherming (laag VARCHAR NOT NULL, gebied VARCHAR NOT NULL, periode VARCHAR NOT NULL);
CREATE TABLE bescherming_stand (stand_per DATE NOT NULL);
