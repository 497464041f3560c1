-- Koppelingen at load (issue 17): the linked event list, the per-key event index and the
-- linked keys with their score parts, built once per load in the new database before it
-- is published (etl/linkage_tables.py; the owner clusters are built there too, with
-- networkx). The dashboard reads these with bound, bounded queries (sql/koppeling_*.sql)
-- and never holds every event on a request.
--
-- koppeling_gebeurtenissen: every keyed record of every source as one event list
-- (dijkwacht/linkage.py EVENT_SCHEMA), numbered `rij` in (datum, bron, nummer) order and
-- stored in that order, so a period is a range of row groups. Keys are pseudonymous
-- (adres_sleutel, and persoon_sleutel = subject_id / eigenaar_id in one key space).
-- eigendommen rows are ownership facts (dated by their peildatum), not events. Rows
-- without any key are kept: they still count per buurt and in the barrier model.
DROP TABLE IF EXISTS koppeling_gebeurtenissen;
CREATE TABLE koppeling_gebeurtenissen AS
WITH e AS (
    SELECT 'hennepkwekerijen' AS bron, registratienummer AS nummer, datum_ontmanteling AS datum,
           adres_sleutel, eigenaar_id AS persoon_sleutel, buurtcode,
           locatietype AS soort, NULL::VARCHAR AS uitkomst, maatregel,
           NULL::VARCHAR AS doorgezet_naar, NULL::VARCHAR AS fase, NULL::VARCHAR[] AS partners,
           NULL::DOUBLE AS bedrag
    FROM hennepkwekerijen
    UNION ALL
    SELECT 'verdachte_transacties', transactienummer, datum,
           adres_sleutel, subject_id, buurtcode,
           transactietype, NULL, NULL,
           NULL, NULL, NULL,
           bedrag::DOUBLE
    FROM verdachte_transacties
    UNION ALL
    SELECT 'signalen', signaalnummer, ontvangen_op::DATE,
           adres_sleutel, NULL, buurtcode,
           thema, status, NULL,
           doorgezet_naar, barrierefase, NULL,
           NULL
    FROM signalen
    UNION ALL
    SELECT 'controles', controlenummer, datum,
           adres_sleutel, NULL, buurtcode,
           soort, uitkomst, maatregel,
           NULL, NULL, partners,
           bedrag_dwangsom::DOUBLE
    FROM controles
    UNION ALL
    SELECT 'eigendommen', NULL, peildatum,
           adres_sleutel, eigenaar_id, NULL,
           eigenaar_type, NULL, NULL,
           NULL, NULL, NULL,
           NULL
    FROM eigendommen
), genummerd AS (
    SELECT row_number() OVER (ORDER BY e.datum NULLS LAST, e.bron, e.nummer NULLS LAST,
                                       e.adres_sleutel, e.persoon_sleutel) AS rij,
           e.*, b.naam AS buurtnaam
    FROM e
    LEFT JOIN buurten b USING (buurtcode)
)
SELECT * FROM genummerd ORDER BY rij;

-- koppeling_index: one row per (key, record) — a record with an address and a person key
-- counts for both (linkage.occurrences) — stored in key order, so one key's records are
-- one small range (min/max pruning per row group).
DROP TABLE IF EXISTS koppeling_index;
CREATE TABLE koppeling_index AS
SELECT sleutel, sleutel_soort, rij, bron, datum
FROM (
    SELECT adres_sleutel AS sleutel, 'adres' AS sleutel_soort, rij, bron, datum
    FROM koppeling_gebeurtenissen WHERE adres_sleutel IS NOT NULL
    UNION ALL
    SELECT persoon_sleutel, 'persoon', rij, bron, datum
    FROM koppeling_gebeurtenissen WHERE persoon_sleutel IS NOT NULL
)
ORDER BY sleutel, sleutel_soort, rij;

-- koppeling_sleutels: the keys in ≥ 2 sources or repeated in one (linkage.linked_keys)
-- with the parts of their score; the recency part depends on the data's stand per and is
-- added when read (sql/koppeling_sleutels.sql), as linkage.recency_points does.
DROP TABLE IF EXISTS koppeling_sleutels;
CREATE TABLE koppeling_sleutels AS
SELECT sleutel, sleutel_soort,
       list_sort(list_distinct(list(bron))) AS bronnen,
       count(DISTINCT bron) AS aantal_bronnen,
       count(*) AS registraties,
       count(*) FILTER (WHERE bron = 'hennepkwekerijen') AS hennepkwekerijen,
       count(*) FILTER (WHERE bron = 'verdachte_transacties') AS verdachte_transacties,
       count(*) FILTER (WHERE bron = 'signalen') AS signalen,
       count(*) FILTER (WHERE bron = 'controles') AS controles,
       count(*) FILTER (WHERE bron = 'eigendommen') AS eigendommen,
       min(datum) AS eerste,
       max(datum) AS laatste
FROM koppeling_index
GROUP BY sleutel, sleutel_soort
HAVING count(DISTINCT bron) >= 2 OR count(*) >= 2
ORDER BY sleutel, sleutel_soort;
